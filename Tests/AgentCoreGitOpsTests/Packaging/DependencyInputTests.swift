import Foundation
import Testing
@testable import AgentCoreGitOps

/// Every input that decides the installed set reaches the package: after each change the zip
/// holds what a build with an empty cache would hold. Local wheels and `--no-index`, no network.
@Suite struct DependencyInputTests {
    /// An agent whose requirements use the wheels in `agent/wheels` (somelib 1.0 and 2.0).
    static func agent(requirements: String) async throws -> TempTree {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import somelib\n")
        try tree.file("agent/requirements.txt", requirements)
        try await LocalWheels.make(in: tree.url("agent/wheels"), name: "somelib", version: "1.0")
        try await LocalWheels.make(in: tree.url("agent/wheels"), name: "somelib", version: "2.0")
        return tree
    }

    static func build(_ tree: TempTree, environment: [String: String] = [:], configure: (inout PackageOptions) -> Void = { _ in })
        async throws -> PackageManifest
    {
        var options = LocalWheels.options(
            agent: tree.url("agent"), output: tree.url("code.zip"), cache: tree.url("cache"), environment: environment)
        configure(&options)
        return try await PackageBuilder.build(options)
    }

    static func somelib(_ tree: TempTree) throws -> String? {
        try LocalWheels.installedModule("somelib", in: tree.url("code.zip"))
    }

    @Test func theKeyFollowsEveryInputButNotCacheSettings() throws {
        let tree = try TempTree()
        let requirements = try tree.file("agent/requirements.txt", "--no-index\n-r base.txt\n-c pins.txt\n-f wheels\nsomelib\n")
        try tree.file("agent/base.txt", "otherlib\n")
        try tree.file("agent/pins.txt", "somelib==1.0\n")
        try tree.file("agent/wheels/a.whl", "one")
        func key(_ environment: [String: String] = [:], uv: String = "uv 0.13.8", python: PythonVersion = .default,
                 platform: DependencyPlatform = .agentCore, config: URL? = nil) throws -> String {
            try DependencyInputs.collect(
                source: .requirements(requirements), configFile: config, environment: environment, uvVersion: uv,
                python: python, platform: platform).key
        }
        let base = try key()
        #expect(try key(["UV_CACHE_DIR": "/elsewhere", "HOME": "/other"]) == base)
        #expect(try key(["UV_INDEX_URL": "https://example.invalid/simple"]) != base)
        #expect(try key(["PIP_INDEX_URL": "https://example.invalid/simple"]) != base)
        #expect(try key(uv: "uv 0.14.0") != base)
        #expect(try key(python: try PythonVersion("3.12")) != base)
        #expect(try key(platform: .host(python: URL(fileURLWithPath: "/usr/bin/python3.11"))) != base)
        try tree.file("agent/uv.toml", "[pip]\n")
        #expect(try key(config: tree.url("agent/uv.toml")) != base)
        try tree.file("agent/base.txt", "otherlib==2\n")
        let afterBase = try key()
        #expect(afterBase != base)
        try tree.file("agent/pins.txt", "somelib==2.0\n")
        let afterPins = try key()
        #expect(afterPins != afterBase)
        try tree.file("agent/wheels/a.whl", "two")
        #expect(try key() != afterPins)
        #expect(try DependencyInputs.collect(
            source: .requirements(requirements), configFile: nil, environment: ["UV_CONFIG_FILE": "/x/uv.toml"],
            uvVersion: "uv", python: .default, platform: .agentCore).environment["UV_CONFIG_FILE"] == nil)
    }

    @Test func theCacheKeepsTheMostRecentlyUsedSetsAndAnyInUse() throws {
        let tree = try TempTree()
        let deps = tree.url("deps")
        for index in 0..<7 {
            let stamp = try tree.file("deps/set\(index)/\(DependencyInstaller.stampName)", "{}")
            // set0 is the oldest; set6 was used a minute ago (a build may still be reading it).
            let used = Date().addingTimeInterval(index == 6 ? -60 : -86_400 * Double(7 - index))
            try FileManager.default.setAttributes([.modificationDate: used], ofItemAtPath: stamp.path)
        }
        try tree.directory("deps/.staging-in-progress")
        DependencyInstaller.prune(deps, keeping: 3)
        let left = try FileManager.default.contentsOfDirectory(atPath: deps.path).sorted()
        #expect(left == [".staging-in-progress", "set4", "set5", "set6"])
        DependencyInstaller.prune(deps, keeping: 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: deps.path).sorted() == [".staging-in-progress", "set6"])
    }

    @Test func aMissingFilePulledInIsNamed() throws {
        let tree = try TempTree()
        let requirements = try tree.file("agent/requirements.txt", "-r missing.txt\n")
        #expect(throws: PackagingError.unreadable(
            path: tree.url("agent/missing.txt").path, reason: "requirements file not found (pulled in with -r or -c)")) {
            _ = try DependencyInputs.collect(
                source: .requirements(requirements), configFile: nil, environment: [:], uvVersion: "uv",
                python: .default, platform: .agentCore)
        }
    }
}
