import Foundation
import Testing
@testable import AgentCoreGitOps

/// Resolutions and installs through uv over local wheels: each test starts uv.
extension DependencyInputTests {
    @Test(.heavy, .tags(.process)) func aChangedFilePulledInWithDashRIsInstalled() async throws {
        let tree = try await Self.agent(requirements: "--no-index\n-f wheels\n-r pinned.txt\n")
        try tree.file("agent/pinned.txt", "somelib==1.0\n")
        let first = try await Self.build(tree)
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '1.0'") == true)

        try tree.file("agent/pinned.txt", "somelib==2.0\n")
        let second = try await Self.build(tree)
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '2.0'") == true)
        #expect(second.distributions?.map(\.description) == ["somelib 2.0"])
        #expect(DependencyChange.between(first.distributions ?? [], second.distributions ?? [])
            == [.upgraded(name: "somelib", from: "1.0", to: "2.0")])
        let names = try await ArchiveInspector.pythonEntries(tree.url("code.zip")).map(\.name)
        #expect(!names.contains("pinned.txt") && !names.contains("requirements.txt"), "the files that declare the set stay out")
    }

    @Test(.heavy, .tags(.process)) func aChangedConstraintFileIsInstalled() async throws {
        let tree = try await Self.agent(requirements: "--no-index\n--find-links wheels\nsomelib\n-c constraints/pins.txt\n")
        try tree.file("agent/constraints/pins.txt", "somelib<2\n")
        _ = try await Self.build(tree)
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '1.0'") == true)
        try tree.file("agent/constraints/pins.txt", "somelib>=2\n")
        _ = try await Self.build(tree)
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '2.0'") == true)
    }

    @Test(.heavy, .tags(.process)) func aReplacedFindLinksWheelIsInstalled() async throws {
        let tree = try await Self.agent(requirements: "--no-index\n-f wheels\nsomelib==1.0\n")
        let first = try await Self.build(tree)
        #expect(try Self.somelib(tree) == "VERSION = '1.0'\n")
        // The same name and version, other bytes: a wheel rebuilt with a fix.
        try await LocalWheels.make(in: tree.url("agent/wheels"), name: "somelib", version: "1.0", body: "FIXED = True\n")
        let second = try await Self.build(tree)
        #expect(try Self.somelib(tree) == "VERSION = '1.0'\nFIXED = True\n")
        let wheel = tree.url("agent/wheels/somelib-1.0-py3-none-any.whl")
        #expect(second.distributions?.first?.sha256 == (try SHA256Hasher.hash(fileAt: wheel)).hexString)
        #expect(DependencyChange.between(first.distributions ?? [], second.distributions ?? [])
            == [.wheelChanged(name: "somelib", version: "1.0")])
    }

    @Test(.heavy, .tags(.process)) func aLocalWheelNamedByPathIsHashedByContent() async throws {
        let tree = try await Self.agent(requirements: "--no-index\n./vendor/somelib-1.0-py3-none-any.whl\n")
        try await LocalWheels.make(in: tree.url("agent/vendor"), name: "somelib", version: "1.0")
        _ = try await Self.build(tree)
        try await LocalWheels.make(in: tree.url("agent/vendor"), name: "somelib", version: "1.0", body: "PATCHED = 1\n")
        _ = try await Self.build(tree)
        #expect(try Self.somelib(tree) == "VERSION = '1.0'\nPATCHED = 1\n")
    }

    /// uv reads `uv.toml` from its working directory; the tool runs it with `--no-config`, so only
    /// a configuration the agent names counts, and then its content is part of the key.
    @Test(.heavy, .tags(.process)) func aUVConfigCountsOnlyWhenNamedAndThenByContent() async throws {
        let tree = try await Self.agent(requirements: "--no-index\n-f wheels\nsomelib\n")
        try FileManager.default.removeItem(at: tree.url("agent/wheels/somelib-2.0-py3-none-any.whl"))
        try await LocalWheels.make(in: tree.url("agent/more"), name: "somelib", version: "2.0")
        try await LocalWheels.make(in: tree.url("agent/newest"), name: "somelib", version: "3.0")
        try tree.file("agent/uv.toml", "[pip]\nfind-links = [\"more\"]\n")
        // As a user runs it, from the agent directory.
        let command = ["package", "--agent", ".", "--out", tree.url("code.zip").path, "--cache-dir", tree.url("cache").path]
        let plain = try await runProcess(PackageCommandProcessTests.agentcore, command, currentDirectory: tree.url("agent"))
        #expect(plain.status == 0, "\(plain.output)")
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '1.0'") == true, "an unnamed uv.toml is not read")

        let configured = try await runProcess(
            PackageCommandProcessTests.agentcore, command + ["--uv-config", "uv.toml"], currentDirectory: tree.url("agent"))
        #expect(configured.status == 0, "\(configured.output)")
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '2.0'") == true)
        let names = try await ArchiveInspector.pythonEntries(tree.url("code.zip")).map(\.name)
        #expect(!names.contains("uv.toml"))

        try tree.file("agent/uv.toml", "[pip]\nfind-links = [\"more\", \"newest\"]\n")
        _ = try await runProcess(PackageCommandProcessTests.agentcore, command + ["--uv-config", "uv.toml"], currentDirectory: tree.url("agent"))
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '3.0'") == true)

        let missing = try await runProcess(
            PackageCommandProcessTests.agentcore, command + ["--uv-config", "nope.toml"], currentDirectory: tree.url("agent"))
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("the uv configuration") && missing.stderr.contains("does not exist"), "\(missing.output)")
    }

    @Test(.heavy, .tags(.process)) func aChangedFindLinksVariableIsInstalled() async throws {
        let tree = try await Self.agent(requirements: "--no-index\nsomelib\n")
        // Two local flat indexes, one version each.
        try await LocalWheels.make(in: tree.url("links-old"), name: "somelib", version: "1.0")
        try await LocalWheels.make(in: tree.url("links-new"), name: "somelib", version: "2.0")
        _ = try await Self.build(tree, environment: ["UV_FIND_LINKS": tree.url("links-old").path])
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '1.0'") == true)
        _ = try await Self.build(tree, environment: ["UV_FIND_LINKS": tree.url("links-new").path])
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '2.0'") == true)
    }

    @Test(.heavy, .tags(.process)) func aChangedIndexURLIsInstalled() async throws {
        let tree = try await Self.agent(requirements: "somelib\n")
        // Two PEP 503 indexes on disk: <index>/somelib/index.html links the wheel beside it.
        for (index, version) in [("simple-old", "1.0"), ("simple-new", "2.0")] {
            let wheel = try await LocalWheels.make(in: tree.url("\(index)/somelib"), name: "somelib", version: version)
            try tree.file("\(index)/somelib/index.html", "<a href=\"\(wheel.lastPathComponent)\">\(wheel.lastPathComponent)</a>\n")
        }
        _ = try await Self.build(tree, environment: ["UV_INDEX_URL": tree.url("simple-old").absoluteString])
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '1.0'") == true)
        _ = try await Self.build(tree, environment: ["UV_INDEX_URL": tree.url("simple-new").absoluteString])
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '2.0'") == true)
    }

    @Test(.heavy, .tags(.process)) func uvLockIsExportedAndFollowed() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import somelib\n")
        try await LocalWheels.make(in: tree.url("agent/wheels"), name: "somelib", version: "1.0")
        try await LocalWheels.make(in: tree.url("agent/wheels"), name: "somelib", version: "2.0")
        try tree.file("agent/uv.toml", "find-links = [\"wheels\"]\nno-index = true\n")
        func lock(_ pin: String) async throws {
            try tree.file("agent/pyproject.toml", """
                [project]
                name = "agent"
                version = "0.1.0"
                requires-python = ">=3.11"
                dependencies = ["\(pin)"]
                """)
            let uv = try #require(Subprocess.which("uv", environment: ProcessInfo.processInfo.environment))
            let locked = try await runProcess(uv, ["lock", "--offline", "--quiet"], currentDirectory: tree.url("agent"))
            try #require(locked.status == 0, "\(locked.output)")
        }
        try await lock("somelib==1.0")
        let configure: (inout PackageOptions) -> Void = { $0.uvConfig = tree.url("agent/uv.toml") }
        let first = try await Self.build(tree, configure: configure)
        #expect(first.distributions?.map(\.description) == ["somelib 1.0"])
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '1.0'") == true)
        try await lock("somelib==2.0")
        _ = try await Self.build(tree, configure: configure)
        #expect(try Self.somelib(tree)?.hasPrefix("VERSION = '2.0'") == true)
        let names = try await ArchiveInspector.pythonEntries(tree.url("code.zip")).map(\.name)
        #expect(!names.contains("uv.lock") && !names.contains("pyproject.toml"))
    }

    @Test(.heavy, .tags(.process)) func anUnchangedSetIsNeitherResolvedNorInstalledAgain() async throws {
        let tree = try await Self.agent(requirements: "--no-index\n-f wheels\nsomelib==1.0\n")
        _ = try await Self.build(tree)
        try tree.file("agent/agent.py", "import somelib\nprint(somelib.VERSION)\n")
        let lines = LogLines()
        let options = LocalWheels.options(agent: tree.url("agent"), output: tree.url("code.zip"), cache: tree.url("cache"))
        _ = try await PackageBuilder.build(options, log: { lines.append($0) })
        #expect(lines.all.contains { $0.hasPrefix("dependencies from cache") }, "\(lines.all)")
        #expect(lines.all.contains { $0.hasPrefix("dependency layer from cache") }, "\(lines.all)")
        #expect(!lines.all.contains { $0.contains("resolving") }, "\(lines.all)")
    }

    /// A dependency directory restored under a key it was not built for (the workflows' cache
    /// restores by prefix) is rebuilt, never used.
    @Test(.heavy, .tags(.process)) func aSetRestoredUnderAnotherKeyIsRebuilt() async throws {
        let tree = try await Self.agent(requirements: "--no-index\n-f wheels\n-r pinned.txt\n")
        try tree.file("agent/pinned.txt", "somelib==1.0\n")
        let old = try await Self.build(tree)
        try tree.file("agent/pinned.txt", "somelib==2.0\n")
        let new = try await Self.build(tree)
        let deps = tree.url("cache/deps")
        let newSet = deps.appendingPathComponent(try #require(new.dependencyHash))
        try FileManager.default.removeItem(at: newSet)
        try FileManager.default.copyItem(at: deps.appendingPathComponent(try #require(old.dependencyHash)), to: newSet)
        try FileManager.default.removeItem(at: tree.url("cache/layers"))

        let lines = LogLines()
        var options = LocalWheels.options(agent: tree.url("agent"), output: tree.url("code.zip"), cache: tree.url("cache"))
        options.output = tree.url("again.zip")
        _ = try await PackageBuilder.build(options, log: { lines.append($0) })
        #expect(try LocalWheels.installedModule("somelib", in: tree.url("again.zip"))?.hasPrefix("VERSION = '2.0'") == true)
        #expect(lines.all.contains { $0.contains("ignoring the cached dependencies") && $0.contains("built for key") }, "\(lines.all)")

        // A set without its stamp (cut short) is not used either.
        try FileManager.default.removeItem(at: newSet.appendingPathComponent(DependencyInstaller.stampName))
        try FileManager.default.removeItem(at: tree.url("cache/layers"))
        _ = try await PackageBuilder.build(options)
        #expect(FileManager.default.fileExists(atPath: newSet.appendingPathComponent(DependencyInstaller.stampName).path))
    }
}
