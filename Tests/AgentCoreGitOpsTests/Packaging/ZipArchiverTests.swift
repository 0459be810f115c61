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

    /// `readStartedAt`: the build's start as `ZipArchiver.now` reports it (nanoseconds since
    /// 1970); the real time moved `clockAhead` seconds when nil.
    static func archive(
        _ directory: URL, to output: URL, reuse: Bool = true, clockAhead seconds: Int64 = 0, readStartedAt: Int64? = nil
    ) async throws -> ZipArchiveResult {
        var contents = ArchiveContents()
        try contents.addTree(directory)
        var archiver = ZipArchiver(reuse: reuse)
        archiver.now = { readStartedAt ?? ZipArchiver.realTimeNanoseconds() + seconds * 1_000_000_000 }
        return try await archiver.write(contents.sortedItems, to: output)
    }

    /// When the first of the tree's files was last written, in nanoseconds since 1970.
    static func firstWrite(in directory: URL) throws -> Int64 {
        let paths = FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? []
        let dates = try paths.map { try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent($0).path) }
            .compactMap { $0[.modificationDate] as? Date }
        return Int64((try #require(dates.min())).timeIntervalSince1970 * 1e9)
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
        // Both builds start a millisecond after the files were written, however slow the machine.
        let tree = try Self.sampleTree()
        let zip = tree.url("code.zip")
        let justAfter = try Self.firstWrite(in: tree.url("src")) + 1_000_000
        let first = try await Self.archive(tree.url("src"), to: zip, readStartedAt: justAfter)
        let second = try await Self.archive(tree.url("src"), to: zip, readStartedAt: justAfter)
        #expect(second.filesRead == first.fileCount)
        #expect(second.reusedEntries == first.fileCount)
        #expect(second.sha256 == first.sha256)
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
