import Foundation
import Testing
@testable import AgentCoreGitOps

/// Layered packages read back with unzip, zip and Python's zipfile: each test starts those tools.
extension DependencyLayerTests {
    @Test(.heavy, .tags(.process)) func aLayeredPackageListsAndHoldsWhatOneArchiveOfBothTreesWould() async throws {
        let tree = try Self.trees()
        let layer = try await Self.layer(from: tree)
        let layered = try await ZipArchiver().write(try Self.items(tree.url("agent")), to: tree.url("layered.zip"), after: layer)

        var both = ArchiveContents()
        try both.addTree(tree.url("deps"))
        try both.add(try Self.items(tree.url("agent")).filter { !$0.isDirectory })
        let whole = try await ZipArchiver(reuse: false).write(both.sortedItems, to: tree.url("whole.zip"))

        let listed = try await ArchiveInspector.pythonEntries(tree.url("layered.zip"))
        let expected = try await ArchiveInspector.pythonEntries(tree.url("whole.zip"))
        #expect(listed.map(\.name) == expected.map(\.name), "the central directory is in path order")
        #expect(listed.map(\.mode) == expected.map(\.mode))
        #expect(listed.filter { $0.name == "bin/" }.count == 1, "a directory on both sides is listed once")
        #expect(layered.fileCount == whole.fileCount && layered.uncompressedBytes == whole.uncompressedBytes)
        #expect(layered.reusedEntries >= layer.entries.count)
        #expect(layered.sha256 == (try SHA256Hasher.hash(fileAt: tree.url("layered.zip"))).hexString)

        let test = try await runProcess(ArchiveInspector.tool("unzip"), ["-tq", tree.url("layered.zip").path])
        #expect(test.status == 0, "\(test.output)")
        let script = """
            import sys, zipfile
            a, b = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2])
            print(all(a.read(n) == b.read(n) for n in b.namelist()))
            """
        let same = try await runProcess(ArchiveInspector.tool("python3"), ["-c", script, tree.url("layered.zip").path, tree.url("whole.zip").path])
        #expect(same.stdout == "True\n", "\(same.output)")
    }

    @Test(.heavy, .tags(.process)) func aDamagedOrForeignLayerIsNotUsed() async throws {
        let tree = try Self.trees()
        let layer = try await Self.layer(from: tree)
        let bytes = try Data(contentsOf: layer.archive)
        // Cut short: the end record is gone.
        try bytes.prefix(bytes.count - 5).write(to: tree.url("short.zip"))
        #expect(DependencyLayer.load(tree.url("short.zip")) == nil)
        // A central record pointing somewhere other than where entries really are.
        var moved = bytes
        let central = Int(layer.prefixLength)
        moved[central + 42] ^= 0x01
        try moved.write(to: tree.url("moved.zip"))
        #expect(DependencyLayer.load(tree.url("moved.zip")) == nil)
        // A local header whose name no longer matches its central record.
        var renamed = bytes
        renamed[30] ^= 0x20
        try renamed.write(to: tree.url("renamed.zip"))
        #expect(DependencyLayer.load(tree.url("renamed.zip")) == nil)
        // Info-ZIP's archive of the same tree has another layout (extra fields): not a layer of ours.
        let info = try await runProcess(ArchiveInspector.tool("zip"), ["-qrX", tree.url("info.zip").path, "."], currentDirectory: tree.url("deps"))
        #expect(info.status == 0)
        #expect(DependencyLayer.load(tree.url("info.zip")) == nil)
        #expect(DependencyLayer.load(tree.url("missing.zip")) == nil)
    }
}
