import Foundation
import Testing
@testable import AgentCoreGitOps

/// Archives read back with unzip, zipinfo and Python's zipfile: each test starts those tools.
extension ZipArchiverTests {
    @Test(.heavy, .tags(.process)) func unzipAndZipinfoAcceptTheArchiveWithNormalisedModes() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("out/code.zip")
        _ = try await Self.archive(tree.url("src"), to: zip)

        let test = try await runProcess(ArchiveInspector.tool("unzip"), ["-t", zip.path])
        #expect(test.status == 0, "\(test.output)")
        #expect(test.stdout.contains("No errors detected"))

        let info = try await runProcess(ArchiveInspector.tool("zipinfo"), ["-l", zip.path])
        #expect(info.status == 0)
        let rows = info.stdout.split(separator: "\n").filter { $0.first == "-" || $0.first == "d" }
        func row(_ name: String) -> String? { rows.first { $0.hasSuffix(" " + name) }.map(String.init) }
        #expect(row("agent.py")?.hasPrefix("-rw-r--r--") == true)
        #expect(row("pkg/__init__.py")?.hasPrefix("-rw-r--r--") == true)
        #expect(row("private/")?.hasPrefix("drwxr-xr-x") == true)
        #expect(row("bin/tool")?.hasPrefix("-rwxr-xr-x") == true)
        #expect(row("random.bin")?.contains(" stor ") == true, "incompressible data is stored")
        #expect(row("agent.py")?.contains(" defN ") == true)
        #expect(rows.allSatisfy { $0.contains(" unx ") && $0.contains("80-Jan-01 00:00") })
    }

    @Test(.heavy, .tags(.process)) func pythonZipfileSeesUnixCreatorUTF8NamesSortedOrderAndExclusions() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        _ = try await Self.archive(tree.url("src"), to: zip)
        let entries = try await ArchiveInspector.pythonEntries(zip)

        #expect(entries.map(\.name) == [
            "agent.py", "bin/", "bin/tool", "pkg/", "pkg/__init__.py", "pkg/ünïcode.py",
            "private/", "private/data.json", "random.bin", "system_prompt.txt",
        ])
        #expect(entries.allSatisfy { $0.system == 3 && $0.flags & 0x800 != 0 })
        #expect(entries.allSatisfy { $0.dateTime == [1980, 1, 1, 0, 0, 0] })
        #expect(entries.first { $0.name == "private/" }?.mode == 0o040755)
        #expect(entries.first { $0.name == "agent.py" }?.mode == 0o100644)
        #expect(entries.first { $0.name == "bin/tool" }?.mode == 0o100755)
        #expect(try await ArchiveInspector.pythonText(zip, entry: "pkg/ünïcode.py") == "NAME = 'ü'\n")
    }

    @Test(.heavy, .tags(.process)) func sourceDateEpochSetsTheTimestamp() async throws {
        let tree = try Self.sampleTree()
        var contents = ArchiveContents()
        try contents.addTree(tree.url("src"))
        var archiver = ZipArchiver(reuse: false)
        archiver.timestamp = .fromEnvironment(["SOURCE_DATE_EPOCH": "1700000000"])  // 2023-11-14 22:13:20 UTC
        _ = try await archiver.write(contents.sortedItems, to: tree.url("e.zip"))
        let entries = try await ArchiveInspector.pythonEntries(tree.url("e.zip"))
        #expect(entries.allSatisfy { $0.dateTime == [2023, 11, 14, 22, 13, 20] })
    }

    @Test(.heavy, .tags(.process)) func rebuildReusesUnchangedEntriesAndMatchesAFreshBuild() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("out/code.zip")
        let first = try await Self.archive(tree.url("src"), to: zip)
        #expect(first.reusedEntries == 0)
        #expect(FileManager.default.fileExists(atPath: tree.url("out/code.zip.index").path))

        try tree.file("src/agent.py", "print('changed')\n" + String(repeating: "y = 2\n", count: 300))
        let rebuilt = try await Self.archive(tree.url("src"), to: zip)
        #expect(rebuilt.reusedEntries == first.fileCount - 1)
        let fresh = try await Self.archive(tree.url("src"), to: tree.url("fresh.zip"), reuse: false)
        #expect(rebuilt.sha256 == fresh.sha256)
        #expect(rebuilt.sha256 != first.sha256)
        let test = try await runProcess(ArchiveInspector.tool("unzip"), ["-tq", zip.path])
        #expect(test.status == 0, "\(test.output)")
    }

    @Test(.heavy, .tags(.process)) func aStaleIndexIsIgnored() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        _ = try await Self.archive(tree.url("src"), to: zip)
        // Something else rewrites the zip: the index no longer describes it and must not be used.
        let other = try TempTree()
        try other.file("agent.py", "print('other')\n")
        var contents = ArchiveContents()
        try contents.addTree(other.root)
        _ = try await ZipArchiver(reuse: false).write(contents.sortedItems, to: tree.url("other.zip"))
        try FileManager.default.removeItem(at: zip)
        try FileManager.default.copyItem(at: tree.url("other.zip"), to: zip)
        let rebuilt = try await Self.archive(tree.url("src"), to: zip)
        #expect(rebuilt.reusedEntries == 0)
        #expect(try await runProcess(ArchiveInspector.tool("unzip"), ["-tq", zip.path]).status == 0)
    }

    @Test(.heavy, .tags(.process)) func renamedAndTouchedFilesReuseTheirCompressedBytes() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        let first = try await Self.archive(tree.url("src"), to: zip, clockAhead: 60)
        try FileManager.default.moveItem(at: tree.url("src/pkg/ünïcode.py"), to: tree.url("src/pkg/renamed.py"))
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: tree.url("src/random.bin").path)
        let second = try await Self.archive(tree.url("src"), to: zip, clockAhead: 60)
        #expect(second.reusedEntries == first.fileCount)
        // Both are read (a rename changes the file's ctime) but found by content: nothing is compressed.
        #expect(second.filesRead == 2)
        let fresh = try await Self.archive(tree.url("src"), to: tree.url("fresh.zip"), reuse: false)
        #expect(second.sha256 == fresh.sha256)
        #expect(try await ArchiveInspector.pythonText(zip, entry: "pkg/renamed.py") == "NAME = 'ü'\n")
    }

    @Test(.heavy, .tags(.process)) func aDamagedIndexIsIgnored() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        let first = try await Self.archive(tree.url("src"), to: zip)
        let index = ReuseIndex.url(for: zip)
        let bytes = try Data(contentsOf: index)
        try bytes.prefix(bytes.count / 2).write(to: index)
        let rebuilt = try await Self.archive(tree.url("src"), to: zip)
        #expect(rebuilt.reusedEntries == 0)
        #expect(rebuilt.sha256 == first.sha256)
        #expect(try await runProcess(ArchiveInspector.tool("unzip"), ["-tq", zip.path]).status == 0)
    }
}
