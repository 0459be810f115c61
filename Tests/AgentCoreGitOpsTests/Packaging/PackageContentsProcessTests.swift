import Foundation
import Testing
@testable import AgentCoreGitOps

/// Packages built with their dependencies through uv, or read back with Python's zipfile or the agentcore executable.
extension PackageContentsTests {
    @Test(.heavy, .tags(.process)) func theIgnoreFileKeepsFilesOutAndIsPartOfThePackage() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "print('hi')\n")
        try tree.file("agent/tools/search.py", "X = 1\n")
        try tree.file("agent/notebooks/explore.ipynb", "{}")
        try tree.file("agent/data/big.csv", String(repeating: "1,2\n", count: 100))
        try tree.file("agent/tools/test_search.py", "def test(): pass\n")
        try tree.file("agent/.agentcoreignore", "notebooks/\ndata/\ntest_*.py\n")
        let options = LocalWheels.options(agent: tree.url("agent"), output: tree.url("code.zip"), cache: tree.url("cache"))
        let first = try await PackageBuilder.build(options)
        let names = Set(try await ArchiveInspector.pythonEntries(tree.url("code.zip")).map(\.name))
        #expect(names.isSuperset(of: ["agent.py", "tools/search.py"]))
        #expect(names.isDisjoint(with: ["notebooks/", "notebooks/explore.ipynb", "data/big.csv", "tools/test_search.py", ".agentcoreignore"]))
        #expect(try PackageContents.read(fromArchive: tree.url("code.zip"))?.ignorePatterns == ["notebooks/", "data/", "test_*.py"])

        // Another pattern that happens to select the same files still makes another package.
        try tree.file("agent/.agentcoreignore", "notebooks/\ndata/\ntest_*.py\n*.tmp\n")
        let second = try await PackageBuilder.build(options)
        #expect(second.fileCount == first.fileCount && second.sha256 != first.sha256)
    }

    @Test(.heavy, .tags(.process)) func anOversizedPackageListsItsTenBiggestContributorsByDistribution() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import somelib\n")
        for index in 1...11 { try tree.file("agent/data\(index).bin", String(repeating: "x", count: 1000 * index)) }
        try tree.file("agent/requirements.txt", "--no-index\n-f wheels\nsomelib\n")
        try await LocalWheels.make(
            in: tree.url("agent/wheels"), name: "somelib", version: "1.0", body: String(repeating: "# padding\n", count: 3000))
        var options = LocalWheels.options(agent: tree.url("agent"), output: tree.url("code.zip"), cache: tree.url("cache"))
        options.limits = PackageLimits(maxCompressedBytes: 250_000_000, maxUncompressedBytes: 40_000)
        await #expect {
            _ = try await PackageBuilder.build(options)
        } throws: { error in
            guard case PackagingError.tooLarge(let what, _, _, let largest) = error else { return false }
            return what == "uncompressed" && largest.count == 10 && largest.first?.name == "somelib 1.0"
                && largest.contains { $0.name == "data11.bin" } && !largest.contains { $0.name == "data1.bin" }
        }
        // Zipped: the limit is checked before the zip replaces the output.
        options.limits = PackageLimits(maxCompressedBytes: 2_000, maxUncompressedBytes: 750_000_000)
        await #expect {
            _ = try await PackageBuilder.build(options)
        } throws: { error in
            guard case PackagingError.tooLarge(let what, _, _, let largest) = error else { return false }
            return what == "compressed" && largest.contains { $0.name == "somelib 1.0" }
                && "\(error)".contains("Largest contributors:\n  ")
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path))
    }

    @Test(.heavy, .tags(.process)) func nativeCodeForAnotherMachineIsRefusedBeforeAnythingIsWritten() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import somelib\n")
        try tree.data("agent/bin/helper", Self.elf(machine: 62))
        let options = LocalWheels.options(agent: tree.url("agent"), output: tree.url("code.zip"), cache: tree.url("cache"))
        await #expect {
            _ = try await PackageBuilder.build(options)
        } throws: { error in
            let text = "\(error)"
            return text.contains("bin/helper (an ELF object for x86-64, not AArch64)") && text.contains(".agentcoreignore")
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path))

        // The same from a dependency: a "pure" wheel that bundles an x86-64 extension.
        try FileManager.default.removeItem(at: tree.url("agent/bin"))
        try tree.file("agent/requirements.txt", "--no-index\n-f wheels\nsomelib\n")
        try await LocalWheels.make(
            in: tree.url("agent/wheels"), name: "somelib", version: "1.0",
            extraFiles: ["somelib/_fast.cpython-311-x86_64-linux-gnu.so": Self.elf(machine: 62)])
        await #expect {
            _ = try await PackageBuilder.build(options)
        } throws: { error in
            "\(error)".contains("somelib/_fast.cpython-311-x86_64-linux-gnu.so (an ELF object for x86-64")
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path))
    }

    @Test(.heavy, .tags(.process)) func thePackageCarriesItsManifestAndTheCommandPrintsIt() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import somelib\n")
        try tree.file("agent/requirements.txt", "--no-index\n-f wheels\nsomelib==1.0\n")
        let wheel = try await LocalWheels.make(in: tree.url("agent/wheels"), name: "somelib", version: "1.0")
        let result = try await runProcess(
            PackageCommandProcessTests.agentcore,
            ["package", "--agent", tree.url("agent").path, "--out", tree.url("code.zip").path,
             "--cache-dir", tree.url("cache").path, "--json"])
        #expect(result.status == 0, "\(result.output)")
        let manifest = try JSONDecoder().decode(PackageManifest.self, from: Data(result.stdout.utf8))
        let expected = Distribution(
            name: "somelib", version: "1.0", sha256: (try SHA256Hasher.hash(fileAt: wheel)).hexString,
            wheel: "somelib-1.0-py3-none-any.whl")
        #expect(manifest.distributions == [expected])
        let inside = try #require(try PackageContents.read(fromArchive: tree.url("code.zip")))
        #expect(inside.distributions == [expected])
        #expect(inside.runtime == "PYTHON_3_11" && inside.entryPoint == "agent.py")
        #expect(inside.dependencyHash == manifest.dependencyHash)
        #expect(try PackageContents.read(fromArchive: tree.url("code.zip")) == inside)
        // Python's zipfile sees it too, as a plain entry.
        let names = try await ArchiveInspector.pythonEntries(tree.url("code.zip")).map(\.name)
        #expect(names.contains(".agentcore/manifest.json") && names.contains(".agentcore/"))
    }
}
