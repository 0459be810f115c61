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
        // Written beside the target and swapped into place at the end: a failed build leaves the
        // previous archive (and its index) as they were.
        FilePlacement.removeStalePartials(of: output)
        let partial = FilePlacement.partialPath(for: output)
        defer { unlink(partial.path) }

        let sink = try HashingFileWriter(creating: partial)
        if let layer {
            do {
                try sink.append(copyOf: layer.file, length: Int(layer.prefixLength))
            } catch {
                throw PackagingError.io("cannot copy the dependency layer \(layer.archive.path) (\(error)); delete"
                    + " \(layer.archive.deletingLastPathComponent().path) and run the build again")
            }
        }
        var written = WrittenEntries(level: level, capacity: items.count)
        written.reused = layerEntries
        try await compressInOrder(items, previous: previous) { item, prepared in
            try writeEntry(item, prepared, to: sink, previous: previous, readStarted: readStarted, into: &written)
        }

        let centralStart = try Self.checkedOffset(sink.offset, "the central directory")
        try writeCentralDirectory(written.records, paths: written.paths, layer: layer, to: sink)
        let centralSize = UInt32(sink.offset - UInt64(centralStart))
        try sink.append(ZipFormat.endOfCentralDirectory(
            entryCount: written.records.count + layerEntries, size: centralSize, offset: centralStart))
        let (digest, total) = try sink.finish()
        if let layer {
            for entry in layer.entries {
                written.byTopLevel[ArchiveItem.topLevelName(of: layer.name(of: entry)), default: 0] += entry.storedSize
            }
        }
        let result = ZipArchiveResult(
            path: output, sha256: digest.hexString, compressedBytes: Int64(total),
            uncompressedBytes: items.reduce(layer?.uncompressedBytes ?? 0) { $0 + $1.size },
            fileCount: items.filter { !$0.isDirectory }.count + (layer?.fileCount ?? 0),
            reusedEntries: written.reused, filesRead: written.read, compressedByTopLevel: written.byTopLevel)
        try limits?.checkArchive(result)

        // Taken from the file we wrote, not from whatever is at the output path once it is there:
        // a concurrent build may put its own archive there, and our offsets describe ours.
        let identity = try sink.identity()
        try FilePlacement.move(partial.path, to: output.path)
        if reuse {
            // The archive is complete; without its index the next build is simply a full one.
            try? written.index.save(for: output, describing: identity)
        } else {
            try? FileManager.default.removeItem(at: ReuseIndex.url(for: output))
        }
        return result
    }

    /// What has been written so far: records for the central directory, the next build's index,
    /// and the counts the result reports.
    private struct WrittenEntries {
        var records: [ZipFormat.EntryRecord] = []
        var paths: [String] = []
        var index: ReuseIndex
        var reused = 0
        var read = 0
        var byTopLevel: [String: Int64] = [:]

        init(level: Int32, capacity: Int) {
            index = ReuseIndex(level: level)
            records.reserveCapacity(capacity)
            paths.reserveCapacity(capacity)
        }
    }

    /// One entry's local header and bytes, in the order given.
    private func writeEntry(
        _ item: ArchiveItem, _ prepared: PreparedEntry, to sink: HashingFileWriter, previous: PreviousArchive?,
        readStarted: Int64, into written: inout WrittenEntries
    ) throws {
        let offset = try Self.checkedOffset(sink.offset, item.path)
        let record = ZipFormat.EntryRecord(
            name: Array((item.isDirectory ? item.path + "/" : item.path).utf8),
            method: prepared.method, crc32: prepared.crc32,
            compressedSize: UInt32(prepared.bytes.count), uncompressedSize: UInt32(item.size),
            externalAttributes: ZipFormat.externalAttributes(mode: item.mode, isDirectory: item.isDirectory),
            localHeaderOffset: offset, isDirectory: item.isDirectory)
        let header = ZipFormat.localHeader(for: record, time: timestamp)
        if let source = prepared.reusedRecord, let previous, previous.hasHeader(header, of: source) {
            // Header and bytes exactly as they are in the previous archive: runs of such entries
            // are written in one piece, straight from its mapping.
            try sink.append(stable: previous.bytes(of: source), owner: previous)
        } else {
            try sink.append(header)
            switch prepared.bytes {
            case .owned(let bytes): try sink.append(bytes)
            case .mapped(let bytes): try sink.append(stable: bytes, owner: previous!)
            }
        }
        if let digest = prepared.digest {
            written.index.append(ReuseIndex.Record(
                digest: digest, fingerprint: item.fingerprint.flatMap { $0.isTrustworthy(readStartedAt: readStarted) ? $0 : nil },
                crc32: prepared.crc32, method: prepared.method, headerLength: UInt16(header.count),
                compressedSize: record.compressedSize, uncompressedSize: record.uncompressedSize,
                headerOffset: UInt64(offset)))
        }
        written.records.append(record)
        written.paths.append(item.path)
        if prepared.reusedRecord != nil { written.reused += 1 }
        if prepared.wasRead { written.read += 1 }
        written.byTopLevel[item.topLevelName, default: 0] += Int64(header.count + prepared.bytes.count)
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
                    if ready.reusedRecord == nil && !items[nextToWrite].isDirectory { bytesHeld -= items[nextToWrite].size }
                    nextToWrite += 1
                }
                if running > 0, let (index, prepared) = try await group.next() {
                    running -= 1
                    // Found in the previous archive by its content: nothing of it stays in memory.
                    if prepared.reusedRecord != nil { bytesHeld -= items[index].size }
                    waiting[index] = prepared
                }
            }
        }
    }
}
