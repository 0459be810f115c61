import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct ArchiveContentsTests {
    @Test(arguments: ["/etc/passwd", "../evil.py", "a/../../evil.py", "a/./b", "a//b", "", "a\\..\\b", "./agent.py"])
    func unsafeArchivePathsAreRefused(_ path: String) throws {
        let tree = try TempTree()
        let file = try tree.file("x.py", "x = 1\n")
        var contents = ArchiveContents()
        #expect(throws: PackagingError.unsafePath(path)) { try contents.addFile(file, as: path) }
        #expect(contents.sortedItems.isEmpty)
    }

    @Test func symlinksInsideTheTreeAreFollowed() throws {
        let tree = try TempTree()
        try tree.file("src/real/module.py", "x = 1\n")
        try tree.symlink("src/alias.py", to: "real/module.py")
        try tree.symlink("src/linked", to: "real")
        var contents = ArchiveContents()
        try contents.addTree(tree.url("src"))
        let items = contents.sortedItems
        #expect(items.map(\.path) == ["alias.py", "linked", "linked/module.py", "real", "real/module.py"])
        #expect(items.first { $0.path == "alias.py" }?.size == 6)
    }

    @Test func symlinksLeavingTheTreeAreRefused() throws {
        let tree = try TempTree()
        try tree.file("secret.txt", "top secret\n")
        try tree.file("src/agent.py", "x = 1\n")
        try tree.symlink("src/leak.txt", to: "../secret.txt")
        var contents = ArchiveContents()
        #expect {
            try contents.addTree(tree.url("src"))
        } throws: { error in
            guard case PackagingError.symlinkOutsideTree(let link, let target) = error else { return false }
            return link.hasSuffix("src/leak.txt") && target.hasSuffix("/secret.txt")
        }
        var other = ArchiveContents()
        try tree.file("top/agent.py", "")
        try tree.symlink("top/etc", to: "/etc")
        #expect(throws: PackagingError.self) { try other.addTree(tree.url("top")) }
    }

    @Test func symlinkLoopsAndBrokenLinksAreErrors() throws {
        let tree = try TempTree()
        try tree.file("src/a/x.py", "")
        try tree.symlink("src/a/up", to: "..")
        var contents = ArchiveContents()
        #expect(throws: PackagingError.self) { try contents.addTree(tree.url("src")) }
        let broken = try TempTree()
        try broken.symlink("dangling", to: "nowhere")
        var other = ArchiveContents()
        #expect(throws: PackagingError.brokenSymlink(broken.url("dangling").path)) { try other.addTree(broken.root) }
    }

    @Test func exclusionRulesDropBytecodeGitAndAgentTests() throws {
        let tree = try TempTree()
        try tree.file("agent.py", "")
        try tree.file("requirements.txt", "strands-agents\n")
        try tree.file("tests/test_agent.py", "")
        try tree.file("pkg/tests/keep.py", "")
        try tree.file("pkg/__pycache__/m.cpython-311.pyc", "")
        try tree.file("pkg/m.pyc", "")
        try tree.file(".git/HEAD", "")
        var agent = ArchiveContents()
        try agent.addTree(tree.root, rules: .agentSource)
        #expect(agent.sortedItems.map(\.path) == ["agent.py", "pkg", "pkg/tests", "pkg/tests/keep.py"])
        var plain = ArchiveContents()
        try plain.addTree(tree.root, rules: .standard)
        #expect(plain.sortedItems.map(\.path) == [
            "agent.py", "pkg", "pkg/tests", "pkg/tests/keep.py", "requirements.txt", "tests", "tests/test_agent.py",
        ])
    }

    @Test func twoSourcesForOnePathAreAnErrorUnlessReplacing() throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "")
        try tree.file("agent/system_prompt.txt", "old")
        try tree.file("deps/agent.py", "")
        let prompt = try tree.file("haiku.txt", "new")
        var contents = ArchiveContents()
        try contents.addTree(tree.url("agent"))
        try contents.addFile(prompt, as: "system_prompt.txt", replacing: true)
        #expect(contents.sortedItems.first { $0.path == "system_prompt.txt" }?.source == .file(prompt))
        #expect(throws: PackagingError.duplicateEntry("agent.py")) { try contents.addTree(tree.url("deps")) }
    }
}

@Suite struct PackageLimitsTests {
    static func items(_ sizes: [String: Int64]) -> [ArchiveItem] {
        sizes.map { ArchiveItem(path: $0.key, source: .file(URL(fileURLWithPath: "/dev/null")), size: $0.value) }
    }

    @Test func theEntryPointMustBeAtTheRoot() throws {
        let limits = PackageLimits()
        #expect(throws: PackagingError.missingEntryPoint("agent.py")) {
            try limits.checkContents(Self.items(["src/agent.py": 10]), entryPoint: "agent.py")
        }
        try limits.checkContents(Self.items(["agent.py": 10]), entryPoint: "agent.py")
    }

    @Test func overTheUncompressedLimitNamesTheLargestTopLevelNames() throws {
        let limits = PackageLimits(maxCompressedBytes: 250, maxUncompressedBytes: 750)
        let items = Self.items([
            "agent.py": 10, "botocore/data/a.json": 300, "botocore/data/b.json": 200, "numpy/core.so": 400, "six.py": 5,
        ])
        #expect(throws: PackagingError.tooLarge(
            what: "uncompressed", bytes: 915, limit: 750,
            largest: [.init(name: "botocore", bytes: 500), .init(name: "numpy", bytes: 400),
                      .init(name: "agent.py", bytes: 10), .init(name: "six.py", bytes: 5)])) {
            try limits.checkContents(items, entryPoint: "agent.py")
        }
    }

    @Test func overTheCompressedLimitLeavesNoArchiveBehind() async throws {
        let tree = try TempTree()
        try tree.file("src/agent.py", "x = 1\n")
        try tree.data("src/big/blob.bin", Data((0..<4000).map { _ in UInt8.random(in: 0...255) }))
        var contents = ArchiveContents()
        try contents.addTree(tree.url("src"))
        let archiver = ZipArchiver(limits: PackageLimits(maxCompressedBytes: 2000, maxUncompressedBytes: 10_000))
        await #expect {
            _ = try await archiver.write(contents.sortedItems, to: tree.url("out/code.zip"))
        } throws: { error in
            guard case PackagingError.tooLarge(let what, _, _, let largest) = error else { return false }
            return what == "compressed" && largest.first?.name == "big" && "\(error)".contains("big:")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: tree.url("out").path)
        #expect(left.isEmpty, "nothing half-done: \(left)")
    }
}

@Suite struct ToolchainAndZip64Tests {
    @Test func moreEntriesThanClassicZipHoldsAreRefusedBeforeWriting() async throws {
        let tree = try TempTree()
        let items = (0...65_535).map { ArchiveItem(path: "d\($0)", source: .directory, size: 0) }
        await #expect(throws: PackagingError.beyondZipLimits("65536 entries, more than 65,535")) {
            _ = try await ZipArchiver().write(items, to: tree.url("big.zip"))
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("big.zip").path))
    }

    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/usr/bin/python3.10")
                   && !FileManager.default.fileExists(atPath: "/usr/local/bin/python3.10"),
                   "needs a machine without a system Python 3.10"))
    func aMissingRuntimePythonSaysHowToGetOne() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "")
        var options = PackageOptions(agentDirectory: tree.url("agent"), output: tree.url("code.zip"), cacheDirectory: tree.url("cache"))
        options.pythonVersion = try PythonVersion("3.10")
        options.precompile = true
        options.environment = ["PATH": tree.root.path, "PYENV_ROOT": tree.url("no-pyenv").path, "HOME": tree.root.path]
        await #expect {
            _ = try await PackageBuilder.build(options)
        } throws: { error in
            guard case PackagingError.pythonNotFound(let version, _) = error else { return false }
            return version == "3.10" && "\(error)".contains("uv python install 3.10")
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path))
    }
}
