import Foundation
import Testing
@testable import AgentCoreGitOps

/// Archives written by `ZipArchiver`, read back with unzip, zipinfo and Python's zipfile.
@Suite struct ZipArchiverTests {
    /// A small agent tree with the modes AgentCore would choke on: a private file, a private
    /// directory, an executable script and a console script under bin/.
    static func sampleTree() throws -> TempTree {
        let tree = try TempTree()
        try tree.file("src/agent.py", "print('hello')\n" + String(repeating: "x = 1\n", count: 200), mode: 0o600)
        try tree.file("src/system_prompt.txt", "You are a test.\n")
        try tree.file("src/pkg/__init__.py", "", mode: 0o755)
        try tree.file("src/pkg/ünïcode.py", "NAME = 'ü'\n")
        try tree.directory("src/private", mode: 0o700)
        try tree.file("src/private/data.json", "{\"a\": 1}\n")
        try tree.file("src/bin/tool", "#!/bin/sh\necho hi\n", mode: 0o600)
        try tree.data("src/random.bin", Data((0..<50_000).map { _ in UInt8.random(in: 0...255) }))
        try tree.file("src/pkg/__pycache__/stale.cpython-311.pyc", "junk")
        try tree.file("src/pkg/old.pyc", "junk")
        try tree.file("src/.git/config", "[core]\n")
        return tree
    }

    static func archive(
        _ directory: URL, to output: URL, reuse: Bool = true, clockAhead seconds: Int64 = 0
    ) async throws -> ZipArchiveResult {
        var contents = ArchiveContents()
        try contents.addTree(directory)
        var archiver = ZipArchiver(reuse: reuse)
        archiver.now = { ZipArchiver.realTimeNanoseconds() + seconds * 1_000_000_000 }
        return try await archiver.write(contents.sortedItems, to: output)
    }

    @Test func unzipAndZipinfoAcceptTheArchiveWithNormalisedModes() async throws {
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

    @Test func pythonZipfileSeesUnixCreatorUTF8NamesSortedOrderAndExclusions() async throws {
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
        let text = try await runProcess(
            ArchiveInspector.tool("python3"),
            ["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('pkg/ünïcode.py').decode())", zip.path])
        #expect(text.stdout == "NAME = 'ü'\n\n")
    }

    @Test func sameInputsGiveByteIdenticalArchivesWhateverTheMtimes() async throws {
        let first = try Self.sampleTree()
        let second = try TempTree()
        // The same content written later, in another order, with other modes.
        for path in ["src/system_prompt.txt", "src/pkg/ünïcode.py", "src/agent.py", "src/pkg/__init__.py",
                     "src/private/data.json", "src/bin/tool", "src/random.bin"] {
            try second.data(path, Data(contentsOf: first.url(path)), mode: 0o640)
        }
        let one = try await Self.archive(first.url("src"), to: first.url("a.zip"), reuse: false)
        let two = try await Self.archive(second.url("src"), to: second.url("b.zip"), reuse: false)
        #expect(one.sha256 == two.sha256)
        #expect(try Data(contentsOf: one.path) == Data(contentsOf: two.path))
        #expect(one.sha256 == (try SHA256Hasher.hash(fileAt: one.path)).hexString)
    }

    @Test func sourceDateEpochSetsTheTimestamp() async throws {
        let tree = try Self.sampleTree()
        var contents = ArchiveContents()
        try contents.addTree(tree.url("src"))
        var archiver = ZipArchiver(reuse: false)
        archiver.timestamp = .fromEnvironment(["SOURCE_DATE_EPOCH": "1700000000"])  // 2023-11-14 22:13:20 UTC
        _ = try await archiver.write(contents.sortedItems, to: tree.url("e.zip"))
        let entries = try await ArchiveInspector.pythonEntries(tree.url("e.zip"))
        #expect(entries.allSatisfy { $0.dateTime == [2023, 11, 14, 22, 13, 20] })
    }

    @Test func rebuildReusesUnchangedEntriesAndMatchesAFreshBuild() async throws {
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

    @Test func aStaleIndexIsIgnored() async throws {
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

    @Test func settledFilesAreNotReadAgainOnlyTheChangedOneIs() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        // The build "happens" a minute after the files were written, so their fingerprints count.
        let first = try await Self.archive(tree.url("src"), to: zip, clockAhead: 60)
        #expect(first.filesRead == first.fileCount)
        try tree.file("src/agent.py", "print('changed')\n")
        let second = try await Self.archive(tree.url("src"), to: zip, clockAhead: 60)
        #expect(second.filesRead == 1)
        #expect(second.reusedEntries == first.fileCount - 1)
        let fresh = try await Self.archive(tree.url("src"), to: tree.url("fresh.zip"), reuse: false)
        #expect(second.sha256 == fresh.sha256)
    }

    @Test func filesWrittenJustBeforeTheBuildAreReadAgain() async throws {
        // Their times could still be ticking: a write right after our read might keep them.
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        let first = try await Self.archive(tree.url("src"), to: zip)
        let second = try await Self.archive(tree.url("src"), to: zip)
        #expect(second.filesRead == first.fileCount)
        #expect(second.reusedEntries == first.fileCount)
        #expect(second.sha256 == first.sha256)
    }

    @Test func renamedAndTouchedFilesReuseTheirCompressedBytes() async throws {
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
        let text = try await runProcess(
            ArchiveInspector.tool("python3"),
            ["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('pkg/renamed.py').decode())", zip.path])
        #expect(text.stdout == "NAME = 'ü'\n\n")
    }

    @Test func aDamagedIndexIsIgnored() async throws {
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

    @Test func onlyFingerprintsOlderThanTheBuildBySafeMarginAreTrusted() throws {
        let second: Int64 = 1_000_000_000
        let build: Int64 = 1_700_000_000 * second
        func fingerprint(modified: Int64, changed: Int64) -> FileFingerprint {
            FileFingerprint(device: 1, inode: 2, size: 3, modified: modified, changed: changed)
        }
        #expect(fingerprint(modified: build - 5 * second, changed: build - 2 * second).isTrustworthy(readStartedAt: build))
        #expect(!fingerprint(modified: build - 5 * second, changed: build - second / 2).isTrustworthy(readStartedAt: build))
        #expect(!fingerprint(modified: build, changed: build - 5 * second).isTrustworthy(readStartedAt: build))
    }

    @Test func partialFilesLeftByCrashedBuildsAreRemovedOnceStale() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("out/code.zip")
        let stale = try tree.file("out/.code.zip.\(UUID().uuidString).partial", "half an archive")
        let staleIndex = try tree.file("out/.code.zip.index.\(UUID().uuidString).partial", "half an index")
        let running = try tree.file("out/.code.zip.\(UUID().uuidString).partial", "another build, now")
        let unrelated = try tree.file("out/.other.zip.\(UUID().uuidString).partial", "not ours to judge")
        let twoHoursAgo = Date().addingTimeInterval(-7200)
        for file in [stale, staleIndex, unrelated] {
            try FileManager.default.setAttributes([.modificationDate: twoHoursAgo], ofItemAtPath: file.path)
        }
        _ = try await Self.archive(tree.url("src"), to: zip)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(!FileManager.default.fileExists(atPath: staleIndex.path))
        #expect(FileManager.default.fileExists(atPath: running.path), "a build still running keeps its file")
        #expect(FileManager.default.fileExists(atPath: unrelated.path))
    }

    @Test func aDirectoryAtTheOutputPathIsAnErrorAndStaysWhereItIs() async throws {
        let tree = try Self.sampleTree()
        try tree.file("out/code.zip/keep.txt", "a directory someone made")
        await #expect(throws: PackagingError.self) {
            _ = try await Self.archive(tree.url("src"), to: tree.url("out/code.zip"))
        }
        #expect(try String(contentsOf: tree.url("out/code.zip/keep.txt"), encoding: .utf8) == "a directory someone made")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree.url("out").path) == ["code.zip"])
    }

    @Test func aBuildThatFailsWhileHashingIsBehindEndsWithItsError() async throws {
        // Megabytes queued for hashing when the next file turns out to have changed: the writer
        // is dropped at once and the error, not a crash, is what the caller gets.
        let tree = try TempTree()
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        try tree.data("src/big.bin", random.readData(ofLength: 32 << 20))
        let changed = try tree.file("src/changed.txt", "short")
        var contents = ArchiveContents()
        try contents.addTree(tree.url("src"))
        var items = contents.sortedItems
        let index = try #require(items.firstIndex { $0.path == "changed.txt" })
        items[index] = ArchiveItem(path: "changed.txt", source: .file(changed), size: 500)
        var archiver = ZipArchiver(reuse: false)
        archiver.concurrency = 1  // big.bin is written (and its hashing queued) before changed.txt is read
        await #expect(throws: PackagingError.io("'changed.txt' changed while the package was being built; run the build again")) {
            _ = try await archiver.write(items, to: tree.url("code.zip"))
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path))
    }

    @Test func anIndexWhoseOffsetsOverflowIsIgnored() async throws {
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        _ = try await Self.archive(tree.url("src"), to: zip)
        var forged = ReuseIndex(level: Deflate.defaultLevel)
        forged.append(ReuseIndex.Record(
            digest: ContentDigest(words: (1, 2, 3, 4)), fingerprint: nil, crc32: 0, method: .stored, headerLength: 40,
            compressedSize: .max, uncompressedSize: 1, headerOffset: .max - 10))
        var info = stat()
        #expect(stat(zip.path, &info) == 0)
        try forged.save(for: zip, describing: ArchiveIdentity(info))
        #expect(ReuseIndex.load(for: zip, level: Deflate.defaultLevel, describing: ArchiveIdentity(info)) == nil)
        let rebuilt = try await Self.archive(tree.url("src"), to: zip)
        #expect(rebuilt.reusedEntries == 0)
    }
}
