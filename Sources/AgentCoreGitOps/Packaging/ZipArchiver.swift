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
    /// Files whose content was read: new or changed since the previous build, or too recently
    /// written for their fingerprint to be trusted.
    public var filesRead: Int
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
    /// The wall clock in nanoseconds; tests move it on to make fresh files look settled.
    var now: @Sendable () -> Int64 = ZipArchiver.realTimeNanoseconds
    var memoryBudget: Int64 = 128 << 20

    public init(reuse: Bool = true, limits: PackageLimits? = nil) {
        self.reuse = reuse
        self.limits = limits
    }

    public func write(_ items: [ArchiveItem], to output: URL) async throws -> ZipArchiveResult {
        try await write(items, to: output, after: nil)
    }

    /// With a dependency layer: its entries first, copied as they are, then `items`, then one
    /// central directory listing both in path order.
    func write(_ items: [ArchiveItem], to output: URL, after layer: DependencyLayer?) async throws -> ZipArchiveResult {
        let items = try layer?.itemsToAdd(items) ?? items
        let layerEntries = layer?.entries.count ?? 0
        guard items.count + layerEntries <= ZipFormat.maxClassicEntries else {
            throw PackagingError.beyondZipLimits("\(items.count + layerEntries) entries, more than 65,535")
        }
        if let big = items.first(where: { UInt64($0.size) >= ZipFormat.maxClassicValue }) {
            throw PackagingError.beyondZipLimits("'\(big.path)' is 4 GiB or more")
        }
        // Files changed after this moment may keep their times; their fingerprints are not kept.
        let readStarted = now()
        let previous = reuse ? PreviousArchive(output, level: level) : nil
        let directory = output.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Written beside the target and renamed over it at the end: a failed build leaves the
        // previous archive (and its index) as they were.
        let partial = directory.appendingPathComponent(".\(output.lastPathComponent).\(UUID().uuidString).partial")
        defer { unlink(partial.path) }

        let sink = try HashingFileWriter(creating: partial)
        if let layer {
            try sink.append(copyOf: layer.file, length: Int(layer.prefixLength))
        }
        var records: [ZipFormat.EntryRecord] = []
        records.reserveCapacity(items.count)
        var newIndex = ReuseIndex(level: level)
        var paths: [String] = []
        paths.reserveCapacity(items.count)
        var reused = layerEntries
        var read = 0
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
            if let source = prepared.previous, let previous, previous.hasHeader(header, of: source) {
                // Header and bytes exactly as they are in the previous archive: runs of such
                // entries are written in one piece, straight from its mapping.
                try sink.append(stable: previous.bytes(of: source), owner: previous)
            } else {
                try sink.append(header)
                switch prepared.bytes {
                case .owned(let bytes): try sink.append(bytes)
                case .mapped(let bytes): try sink.append(stable: bytes, owner: previous!)
                }
            }
            if let digest = prepared.digest {
                newIndex.append(ReuseIndex.Record(
                    digest: digest, fingerprint: item.fingerprint.flatMap { $0.isTrustworthy(readStartedAt: readStarted) ? $0 : nil },
                    crc32: prepared.crc32, method: prepared.method, headerLength: UInt16(header.count),
                    compressedSize: record.compressedSize, uncompressedSize: record.uncompressedSize,
                    headerOffset: UInt64(offset)))
            }
            records.append(record)
            paths.append(item.path)
            if prepared.previous != nil { reused += 1 }
            if prepared.wasRead { read += 1 }
            byTopLevel[item.topLevelName, default: 0] += Int64(header.count + prepared.bytes.count)
        }

        let centralStart = try Self.checkedOffset(sink.offset, "the central directory")
        try writeCentralDirectory(records, paths: paths, layer: layer, to: sink)
        let centralSize = UInt32(sink.offset - UInt64(centralStart))
        try sink.append(ZipFormat.endOfCentralDirectory(
            entryCount: records.count + layerEntries, size: centralSize, offset: centralStart))
        let (digest, total) = try sink.finish()
        if let layer {
            for entry in layer.entries { byTopLevel[Self.topLevelName(layer.name(of: entry)), default: 0] += entry.storedSize }
        }
        let result = ZipArchiveResult(
            path: output, sha256: digest.hexString, compressedBytes: Int64(total),
            uncompressedBytes: items.reduce(layer?.uncompressedBytes ?? 0) { $0 + $1.size },
            fileCount: items.filter { !$0.isDirectory }.count + (layer?.fileCount ?? 0),
            reusedEntries: reused, filesRead: read, compressedByTopLevel: byTopLevel)
        try limits?.checkArchive(result)

        try FilePlacement.move(partial.path, to: output.path)
        if reuse {
            try newIndex.save(for: output)
        } else {
            try? FileManager.default.removeItem(at: ReuseIndex.url(for: output))
        }
        return result
    }

    /// The layer's records and ours merged by path: the order a build without a layer would have.
    private func writeCentralDirectory(
        _ records: [ZipFormat.EntryRecord], paths: [String], layer: DependencyLayer?, to sink: HashingFileWriter
    ) throws {
        let layerEntries = layer?.entries ?? []
        let layerCentral = layer?.centralDirectory ?? []
        var next = 0
        // Runs of the layer's records are contiguous in its central directory: one append each.
        func appendLayerRecords(before path: String?) throws {
            let start = next
            while next < layerEntries.count,
                  path.map({ DependencyLayer.precedes(layerEntries[next], in: layerCentral, $0) }) ?? true {
                next += 1
            }
            guard next > start else { return }
            let range = layerEntries[start].record.lowerBound..<layerEntries[next - 1].record.upperBound
            try layerCentral.withUnsafeBytes { try sink.append(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
        for (record, path) in zip(records, paths) {
            try appendLayerRecords(before: path)
            try sink.append(ZipFormat.centralHeader(for: record, time: timestamp))
        }
        try appendLayerRecords(before: nil)
    }

    private static func topLevelName(_ path: String) -> String {
        String(path.split(separator: "/", maxSplits: 1).first ?? "")
    }

    static func realTimeNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
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
                    if ready.previous == nil && !items[nextToWrite].isDirectory { bytesHeld -= items[nextToWrite].size }
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
    var digest: ContentDigest?
    /// The previous archive's entry with this content, when its bytes are being reused.
    var previous: ReuseIndex.Record?
    var wasRead = false

    /// Directories, and files unchanged since the previous archive (same fingerprint, entry
    /// still there): ready at once, without reading the file.
    static func withoutWork(_ item: ArchiveItem, previous: PreviousArchive?) -> PreparedEntry? {
        if item.isDirectory {
            return PreparedEntry(method: .stored, crc32: 0, bytes: .owned([]), digest: nil, previous: nil)
        }
        guard let previous, let fingerprint = item.fingerprint,
              let record = previous.index.record(for: fingerprint) else { return nil }
        return previous.entry(record, size: item.size)
    }

    /// Reads, hashes and deflates one file, unless its content is already in the previous archive.
    static func prepare(_ item: ArchiveItem, level: Int32, previous: PreviousArchive?) throws -> PreparedEntry {
        if let ready = withoutWork(item, previous: previous) { return ready }
        guard let diskPath = item.diskPath else { preconditionFailure("directories need no work") }
        let content = try readFile(diskPath, expectedSize: item.size, archivePath: item.path)
        return try content.withUnsafeBytes { bytes in
            var hasher = SHA256Hasher()
            hasher.update(bytes)
            let digest = ContentDigest(hasher.finalize())
            if let previous, let record = previous.index.record(for: digest),
               var reused = previous.entry(record, size: item.size) {
                reused.wasRead = true
                return reused
            }
            let crc = Deflate.crc32(bytes)
            if let deflated = try Deflate.compress(bytes, level: level) {
                return PreparedEntry(method: .deflated, crc32: crc, bytes: .owned(deflated), digest: digest, previous: nil, wasRead: true)
            }
            return PreparedEntry(method: .stored, crc32: crc, bytes: .owned(content), digest: digest, previous: nil, wasRead: true)
        }
    }

    /// The whole file, checked against the size seen when the tree was walked: a file that
    /// changes during the build would otherwise give a package that does not match its manifest.
    private static func readFile(_ path: String, expectedSize: Int64, archivePath: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw PackagingError.unreadable(path: path, reason: String(cString: strerror(errno)))
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
        if failure != 0 { throw PackagingError.unreadable(path: path, reason: String(cString: strerror(failure))) }
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
}

/// A range of memory that is only read: of the previous archive's mapping, valid while the
/// `PreviousArchive` that made it is alive.
struct MappedBytes: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int

    var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// A whole file mapped read-only, unmapped and closed when its last user lets go.
final class MappedFile: @unchecked Sendable {
    let descriptor: Int32
    let bytes: UnsafeRawBufferPointer

    init?(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0,
              let mapping = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else {
            close(fd)
            return nil
        }
        descriptor = fd
        bytes = UnsafeRawBufferPointer(start: mapping, count: Int(info.st_size))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count)
        close(descriptor)
    }
}

/// The archive being replaced, mapped read-only so its compressed entries are written again
/// straight from the page cache: no read call and no copy of our own.
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
        guard fstat(fd, &info) == 0, info.st_size > 0,
              let mapping = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0),
              mapping != MAP_FAILED else { return nil }
        self.index = index
        self.mapping = mapping
        self.size = Int(info.st_size)
    }

    deinit { munmap(mapping, size) }

    /// The compressed bytes of an entry of the previous archive, ready to write again.
    func entry(_ record: ReuseIndex.Record, size expected: Int64) -> PreparedEntry? {
        // The index was checked against the archive's size when it was loaded.
        guard Int64(record.uncompressedSize) == expected else { return nil }
        let bytes = MappedBytes(base: UnsafeRawPointer(mapping + Int(record.dataOffset)), count: Int(record.compressedSize))
        return PreparedEntry(method: record.method, crc32: record.crc32, bytes: .mapped(bytes), digest: record.digest, previous: record)
    }

    /// Whether `header` is, byte for byte, the local header `record` has in the previous archive
    /// (same name, sizes, method and time): then header and data can be copied together.
    func hasHeader(_ header: [UInt8], of record: ReuseIndex.Record) -> Bool {
        guard header.count == Int(record.headerLength) else { return false }
        return header.withUnsafeBytes { memcmp($0.baseAddress!, mapping + Int(record.headerOffset), header.count) == 0 }
    }

    /// An entry's local header and compressed bytes, as one range.
    func bytes(of record: ReuseIndex.Record) -> MappedBytes {
        MappedBytes(base: UnsafeRawPointer(mapping + Int(record.headerOffset)), count: Int(record.end - record.headerOffset))
    }
}

/// Appends to a new file, hashing everything written, so the archive's SHA-256 is known the
/// moment it is complete without reading it back. Hashing runs on its own thread, behind the
/// writes. Small pieces are gathered in a 1 MiB buffer; runs of bytes that stay put (the previous
/// archive's mapping) are joined while they are contiguous and written without a copy.
final class HashingFileWriter: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var run: MappedBytes?
    /// Keeps the memory of every run alive until it has been hashed.
    private var owners: [AnyObject] = []
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

    deinit {
        hashing.sync {}  // a failed build may leave hashing of a run behind; it reads `owners`' memory
        close(fd)
    }

    func append(_ bytes: [UInt8]) throws {
        guard bytes.count >= bufferSize else { return try bytes.withUnsafeBytes { try append($0) } }
        try flushRun()
        offset += UInt64(bytes.count)
        try flushBuffer()
        try writeWhole(bytes)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try flushRun()
        offset += UInt64(bytes.count)
        try buffered(bytes)
    }

    /// Bytes that stay valid while `owner` lives; joined to the run before them when contiguous.
    /// The first `length` bytes of a file: copied inside the kernel, hashed from the mapping.
    func append(copyOf file: MappedFile, length: Int) throws {
        try flushRun()
        try flushBuffer()
        offset += UInt64(length)
        owners.append(file)
        let region = MappedBytes(base: file.bytes.baseAddress!, count: length)
        hashing.async { self.hasher!.update(region.raw) }
        if let failure = FilePlacement.copy(from: file.descriptor, offset: 0, length: length, to: fd, mapped: region.raw) {
            throw PackagingError.io("cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }

    /// Kept as the current run until something else is appended, so a neighbour can join it.
    func append(stable bytes: MappedBytes, owner: AnyObject) throws {
        offset += UInt64(bytes.count)
        if owners.last !== owner { owners.append(owner) }
        if let current = run, current.base + current.count == bytes.base {
            run = MappedBytes(base: current.base, count: current.count + bytes.count)
            return
        }
        try flushRun()
        run = bytes
    }

    func finish() throws -> (digest: [UInt8], bytes: UInt64) {
        try flushRun()
        try flushBuffer()
        let digest = hashing.sync { hasher.take()!.finalize() }
        return (digest, offset)
    }

    /// A short run is copied into the buffer; a long one is written where it is.
    private func flushRun() throws {
        guard let current = run else { return }
        run = nil
        if current.count < 64 << 10 {
            try buffered(current.raw)
            return
        }
        try flushBuffer()
        hashing.async { self.hasher!.update(current.raw) }
        try writeOut(current.raw)
    }

    private func buffered(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > bufferSize { try flushBuffer() }
        if bytes.count >= bufferSize {
            try writeWhole(Array(bytes))
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// The array is shared with the hashing thread, not copied; the caller has flushed the buffer.
    private func writeWhole(_ bytes: [UInt8]) throws {
        hashing.async { bytes.withUnsafeBytes { self.hasher!.update($0) } }
        try bytes.withUnsafeBytes { try writeOut($0) }
    }

    /// Hands the buffer to the hashing thread as it is and starts a new one: no waiting, no copy.
    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer = []
        buffer.reserveCapacity(bufferSize)
        try writeWhole(chunk)
    }

    private func writeOut(_ raw: UnsafeRawBufferPointer) throws {
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
