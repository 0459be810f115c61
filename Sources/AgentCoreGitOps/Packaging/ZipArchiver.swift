import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What came out of writing an archive.
public struct ZipArchiveResult: Sendable, Equatable {
    public var path: URL
    public var sha256: String
    public var compressedBytes: Int64
    public var uncompressedBytes: Int64
    public var fileCount: Int
    /// Entries whose compressed bytes were copied from the previous archive.
    public var reusedEntries: Int
    /// Bytes each top-level name takes inside the archive, for "what makes it big" errors.
    public var compressedByTopLevel: [String: Int64]
}

/// Writes a deterministic zip: entries in the order given, one fixed timestamp, Unix modes,
/// deflate spread over all cores, streamed to disk in order with a bounded amount in memory.
public struct ZipArchiver: Sendable {
    public var level: Int32 = Deflate.defaultLevel
    public var timestamp: DOSTimestamp = .fromEnvironment()
    /// Keep `<archive>.index` and reuse the previous archive's compressed entries.
    public var reuse = true
    /// Checked before the archive replaces the output, so an oversized build leaves nothing behind.
    public var limits: PackageLimits?
    /// How many entries are compressed at once and how many input bytes may wait to be written.
    var concurrency = max(2, ProcessInfo.processInfo.activeProcessorCount) * 4
    var memoryBudget: Int64 = 128 << 20

    public init(reuse: Bool = true, limits: PackageLimits? = nil) {
        self.reuse = reuse
        self.limits = limits
    }

    public func write(_ items: [ArchiveItem], to output: URL) async throws -> ZipArchiveResult {
        guard items.count <= ZipFormat.maxClassicEntries else {
            throw PackagingError.beyondZipLimits("\(items.count) entries, more than 65,535")
        }
        if let big = items.first(where: { UInt64($0.size) >= ZipFormat.maxClassicValue }) {
            throw PackagingError.beyondZipLimits("'\(big.path)' is 4 GiB or more")
        }
        let previous = reuse ? PreviousArchive(output, level: level) : nil
        let directory = output.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Written beside the target and renamed over it at the end: a failed build leaves the
        // previous archive (and its index) as they were.
        let partial = directory.appendingPathComponent(".\(output.lastPathComponent).\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: partial) }

        let sink = try HashingFileWriter(creating: partial)
        var records: [ZipFormat.EntryRecord] = []
        records.reserveCapacity(items.count)
        var newIndex = ReuseIndex(level: level)
        newIndex.entries.reserveCapacity(items.count)
        newIndex.hashes.reserveCapacity(items.count)
        var reused = 0
        var byTopLevel: [String: Int64] = [:]

        try await compressInOrder(items, previous: previous) { item, prepared in
            let offset = try Self.checkedOffset(sink.offset, item.path)
            let record = ZipFormat.EntryRecord(
                name: Array((item.isDirectory ? item.path + "/" : item.path).utf8),
                method: prepared.method, crc32: prepared.crc32,
                compressedSize: UInt32(prepared.bytes.count), uncompressedSize: UInt32(item.size),
                externalAttributes: ZipFormat.externalAttributes(mode: item.mode, isDirectory: item.isDirectory),
                localHeaderOffset: offset, isDirectory: item.isDirectory)
            let header = ZipFormat.localHeader(for: record, time: timestamp)
            try sink.append(header)
            if let hash = prepared.contentHash {
                if let fingerprint = item.fingerprint { newIndex.hashes[fingerprint] = hash }
                newIndex.entries[hash] = ReuseIndex.Entry(
                    crc32: prepared.crc32, method: prepared.method, compressedSize: record.compressedSize,
                    uncompressedSize: record.uncompressedSize, dataOffset: sink.offset)
            }
            try prepared.bytes.withUnsafeBytes { try sink.append($0) }
            records.append(record)
            if prepared.reused { reused += 1 }
            byTopLevel[item.topLevelName, default: 0] += Int64(header.count + prepared.bytes.count)
        }

        let centralStart = try Self.checkedOffset(sink.offset, "the central directory")
        for record in records {
            try sink.append(ZipFormat.centralHeader(for: record, time: timestamp))
        }
        let centralSize = UInt32(sink.offset - UInt64(centralStart))
        try sink.append(ZipFormat.endOfCentralDirectory(entryCount: records.count, size: centralSize, offset: centralStart))
        let (digest, total) = try sink.finish()
        let result = ZipArchiveResult(
            path: output, sha256: digest.hexString, compressedBytes: Int64(total),
            uncompressedBytes: items.reduce(0) { $0 + $1.size }, fileCount: items.filter { !$0.isDirectory }.count,
            reusedEntries: reused, compressedByTopLevel: byTopLevel)
        try limits?.checkArchive(result)

        guard rename(partial.path, output.path) == 0 else {
            throw PackagingError.io("cannot move the archive into place at \(output.path): \(String(cString: strerror(errno)))")
        }
        if reuse {
            try newIndex.save(for: output)
        } else {
            try? FileManager.default.removeItem(at: ReuseIndex.url(for: output))
        }
        return result
    }

    private static func checkedOffset(_ offset: UInt64, _ what: String) throws -> UInt32 {
        guard offset < ZipFormat.maxClassicValue else {
            throw PackagingError.beyondZipLimits("\(what) would start beyond 4 GiB")
        }
        return UInt32(offset)
    }

    /// Compresses entries on all cores and hands them to `emit` strictly in order. New work is
    /// started only while the bytes in flight or waiting stay under the memory budget (the next
    /// entry to write is always started, so one huge file cannot stall the pipeline). Entries that
    /// are unchanged since the previous archive and directories need no task at all.
    private func compressInOrder(
        _ items: [ArchiveItem], previous: PreviousArchive?,
        emit: (ArchiveItem, PreparedEntry) throws -> Void
    ) async throws {
        let level = self.level
        try await withThrowingTaskGroup(of: (Int, PreparedEntry).self) { group in
            var nextToStart = 0
            var nextToWrite = 0
            var running = 0
            var bytesHeld: Int64 = 0
            var waiting: [Int: PreparedEntry] = [:]
            while nextToWrite < items.count {
                while nextToStart < items.count, running < concurrency,
                      bytesHeld < memoryBudget || nextToStart == nextToWrite {
                    let index = nextToStart
                    let item = items[index]
                    nextToStart += 1
                    if let ready = PreparedEntry.withoutWork(item, previous: previous) {
                        waiting[index] = ready
                        continue
                    }
                    group.addTask { (index, try PreparedEntry.prepare(item, level: level, previous: previous)) }
                    bytesHeld += item.size
                    running += 1
                }
                while let ready = waiting.removeValue(forKey: nextToWrite) {
                    try emit(items[nextToWrite], ready)
                    if !ready.reused && !items[nextToWrite].isDirectory { bytesHeld -= items[nextToWrite].size }
                    nextToWrite += 1
                }
                if running > 0, let (index, prepared) = try await group.next() {
                    running -= 1
                    waiting[index] = prepared
                }
            }
        }
    }
}

/// One entry ready to be written: its bytes as they go into the archive.
struct PreparedEntry: Sendable {
    var method: ZipFormat.Method
    var crc32: UInt32
    var bytes: EntryBytes
    /// SHA-256 of the uncompressed content; nil for directories.
    var contentHash: String?
    var reused: Bool

    /// Directories, and files unchanged since the previous archive (same fingerprint, entry
    /// still there): ready at once, without reading the file.
    static func withoutWork(_ item: ArchiveItem, previous: PreviousArchive?) -> PreparedEntry? {
        if item.isDirectory {
            return PreparedEntry(method: .stored, crc32: 0, bytes: .owned([]), contentHash: nil, reused: false)
        }
        guard let previous, let fingerprint = item.fingerprint, let hash = previous.index.hashes[fingerprint] else {
            return nil
        }
        return previous.entry(hash: hash, size: item.size)
    }

    /// Reads, hashes and deflates one file, unless its content is already in the previous archive.
    static func prepare(_ item: ArchiveItem, level: Int32, previous: PreviousArchive?) throws -> PreparedEntry {
        if let ready = withoutWork(item, previous: previous) { return ready }
        guard case .file(let url) = item.source else { preconditionFailure("directories need no work") }
        let content = try readFile(url, expectedSize: item.size, archivePath: item.path)
        return try content.withUnsafeBytes { bytes in
            var hasher = SHA256Hasher()
            hasher.update(bytes)
            let hash = hasher.finalize().hexString
            if let reused = previous?.entry(hash: hash, size: item.size) { return reused }
            let crc = Deflate.crc32(bytes)
            if let deflated = try Deflate.compress(bytes, level: level) {
                return PreparedEntry(method: .deflated, crc32: crc, bytes: .owned(deflated), contentHash: hash, reused: false)
            }
            return PreparedEntry(method: .stored, crc32: crc, bytes: .owned(content), contentHash: hash, reused: false)
        }
    }

    /// The whole file, checked against the size seen when the tree was walked: a file that
    /// changes during the build would otherwise give a package that does not match its manifest.
    private static func readFile(_ url: URL, expectedSize: Int64, archivePath: String) throws -> [UInt8] {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw PackagingError.unreadable(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var filled = 0
        var failure: Int32 = 0
        let buffer = [UInt8](unsafeUninitializedCapacity: Int(expectedSize)) { raw, initialized in
            while filled < raw.count {
                let n = read(fd, raw.baseAddress! + filled, raw.count - filled)
                if n < 0 { failure = errno }
                if n <= 0 { break }
                filled += n
            }
            initialized = filled
        }
        if failure != 0 { throw PackagingError.unreadable(path: url.path, reason: String(cString: strerror(failure))) }
        var probe: UInt8 = 0
        guard filled == Int(expectedSize), read(fd, &probe, 1) == 0 else {
            throw PackagingError.io("'\(archivePath)' changed while the package was being built; run the build again")
        }
        return buffer
    }
}

/// The bytes of an entry: compressed (or stored) now, or still in the previous archive's mapping.
enum EntryBytes: Sendable {
    case owned([UInt8])
    case mapped(MappedBytes)

    var count: Int {
        switch self {
        case .owned(let bytes): return bytes.count
        case .mapped(let bytes): return bytes.count
        }
    }

    func withUnsafeBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        switch self {
        case .owned(let bytes): return try bytes.withUnsafeBytes(body)
        case .mapped(let bytes): return try body(UnsafeRawBufferPointer(start: bytes.base, count: bytes.count))
        }
    }
}

/// A range of memory that is only read: of the previous archive's mapping (valid while the
/// `PreviousArchive` that made it is alive), or a chunk being hashed while it is written.
struct MappedBytes: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int
}

/// The archive being replaced, mapped read-only so its compressed entries are written again
/// straight from the page cache: no read call and no copy per entry.
final class PreviousArchive: @unchecked Sendable {
    let index: ReuseIndex
    private let mapping: UnsafeMutableRawPointer
    private let size: Int

    init?(_ archive: URL, level: Int32) {
        guard let index = ReuseIndex.load(for: archive, level: level) else { return nil }
        let fd = open(archive.path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        // Nearly every page is read (written out again and hashed): mapping them all in one call
        // costs far less than a page fault each.
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard fstat(fd, &info) == 0, info.st_size > 0,
              let mapping = mmap(nil, Int(info.st_size), PROT_READ, flags, fd, 0),
              mapping != MAP_FAILED else { return nil }
        self.index = index
        self.mapping = mapping
        self.size = Int(info.st_size)
    }

    deinit { munmap(mapping, size) }

    /// The compressed bytes of the entry whose content has `hash`, ready to write again.
    func entry(hash: String, size expected: Int64) -> PreparedEntry? {
        guard let known = index.entries[hash], Int64(known.uncompressedSize) == expected,
              known.dataOffset + UInt64(known.compressedSize) <= UInt64(size) else { return nil }
        let bytes = MappedBytes(base: UnsafeRawPointer(mapping + Int(known.dataOffset)), count: Int(known.compressedSize))
        return PreparedEntry(method: known.method, crc32: known.crc32, bytes: .mapped(bytes), contentHash: hash, reused: true)
    }
}

/// Appends to a new file through a 1 MiB buffer, hashing everything written, so the archive's
/// SHA-256 is known the moment it is complete without reading it back. Each chunk is hashed on
/// another thread while this one writes it: both only read the chunk.
final class HashingFileWriter: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var hasher: SHA256Hasher? = SHA256Hasher()
    private(set) var offset: UInt64 = 0
    private let bufferSize = 1 << 20
    private let hashing = DispatchQueue(label: "agentcore.zip.sha256")

    init(creating url: URL) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        path = url.path
        guard fd >= 0 else {
            throw PackagingError.io("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(bufferSize)
    }

    deinit { close(fd) }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        offset += UInt64(bytes.count)
        if buffer.count + bytes.count > bufferSize { try flush() }
        if bytes.count >= bufferSize {
            try writeOut(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func finish() throws -> (digest: [UInt8], bytes: UInt64) {
        try flush()
        let digest = hasher.take()!.finalize()
        return (digest, offset)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeOut($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeOut(_ raw: UnsafeRawBufferPointer) throws {
        let hashed = DispatchGroup()
        let chunk = MappedBytes(base: raw.baseAddress!, count: raw.count)
        hashing.async(group: hashed) { self.hasher!.update(UnsafeRawBufferPointer(start: chunk.base, count: chunk.count)) }
        defer { hashed.wait() }  // the chunk must outlive the hashing, and the next chunk follows it
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            guard n > 0 else {
                throw PackagingError.io("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
