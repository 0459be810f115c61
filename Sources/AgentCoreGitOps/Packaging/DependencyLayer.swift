import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The dependency set's share of every package built on it, compressed once and kept in the
/// cache as a zip of its own: `<cache>/layers/<key>.zip`, keyed by the dependency hash, deflate
/// level, timestamp and bytecode setting. A package is that zip's entries copied as they are,
/// then the agent's entries, then one central directory listing all of them in path order.
///
/// So a build after an agent change neither walks nor compresses the thousands of dependency
/// files, and the first build for a new runtime name is as quick as a rebuild. Zip readers list
/// entries from the central directory, which stays sorted; only the bytes are laid out
/// dependencies first.
struct DependencyLayer: Sendable {
    /// One entry of the layer's central directory.
    struct Entry: Sendable {
        /// Where the entry's name and its whole central record sit in `centralDirectory`.
        var name: Range<Int>
        var record: Range<Int>
        var isDirectory: Bool
        var uncompressedSize: Int64
        /// Local header and compressed bytes: what the entry adds to the archive.
        var storedSize: Int64
        var localHeaderOffset: Int
    }

    let archive: URL
    /// The layer file as it was read: the bytes copied are those the central directory describes,
    /// even if another build swaps a new copy into place meanwhile.
    let file: MappedFile
    /// Bytes of local headers and entry data at the front of the layer: the part every package copies.
    let prefixLength: Int64
    let centralDirectory: [UInt8]
    let entries: [Entry]

    var fileCount: Int { entries.filter { !$0.isDirectory }.count }
    var uncompressedBytes: Int64 { entries.reduce(0) { $0 + $1.uncompressedSize } }

    func name(of entry: Entry) -> String {
        String(decoding: centralDirectory[entry.isDirectory ? entry.name.dropLast() : entry.name], as: UTF8.self)
    }

    /// The cached layer's file for these inputs.
    static func location(
        cache: URL, dependencyHash: String, level: Int32, timestamp: DOSTimestamp, bytecodeFor python: PythonVersion?
    ) -> URL {
        let inputs = "agentcore-layer 2\ndependencies \(dependencyHash)\nlevel \(level)\n"
            + "time \(timestamp.date) \(timestamp.time)\nbytecode \(python.map { "\($0)" } ?? "none")\n"
        let key = SHA256Hasher.hash(Data(inputs.utf8)).hexString
        return cache.appendingPathComponent("layers", isDirectory: true).appendingPathComponent("\(key).zip")
    }

    /// How many layers the cache keeps: the dependency sets of a few branches at once, about
    /// 30 MB each for the sample agent.
    static let layersKept = 4

    /// Marks a layer as just used: pruning keeps the most recently used ones.
    static func markUsed(_ archive: URL) {
        utimes(archive.path, nil)
    }

    /// Deletes all but the `count` most recently used layers in `directory`. A build that is
    /// copying one of them keeps its open file; a build that finds one gone builds it again.
    static func prune(_ directory: URL, keeping count: Int) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        var layers: [(path: String, used: Int64)] = []
        for name in names where name.hasSuffix(".zip") && !name.hasPrefix(".") {
            let path = directory.appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            layers.append((path, FileFingerprint(info).modified))
        }
        for stale in layers.sorted(by: { $0.used > $1.used }).dropFirst(count) {
            unlink(stale.path)
        }
    }

    /// The layer at `archive` when it is there and whole; nil sends the caller to build it.
    static func load(_ archive: URL) -> DependencyLayer? {
        guard let file = MappedFile(archive) else { return nil }
        let bytes = file.bytes
        let endSize = 22
        guard bytes.count >= endSize else { return nil }
        // We write no archive comment: the end record is the last 22 bytes.
        var end = LittleEndianReader(UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - endSize)...]))
        guard end.u32() == ZipFormat.endOfCentralDirectorySignature else { return nil }
        end.skip(6)
        let count = Int(end.u16())
        let size = Int(end.u32())
        let offset = Int(end.u32())
        guard offset + size + endSize == bytes.count else { return nil }
        let central = Array(bytes[offset..<offset + size])
        guard let entries = parse(central, count: count, prefixLength: Int64(offset)),
              localHeadersMatch(entries, central: central, in: bytes) else { return nil }
        return DependencyLayer(
            archive: archive, file: file, prefixLength: Int64(offset), centralDirectory: central, entries: entries)
    }

    /// The central records, checked to describe exactly the bytes before the central directory.
    private static func parse(_ central: [UInt8], count: Int, prefixLength: Int64) -> [Entry]? {
        central.withUnsafeBytes { raw -> [Entry]? in
            var entries: [Entry] = []
            entries.reserveCapacity(count)
            var position = 0
            var expectedOffset: Int64 = 0
            for _ in 0..<count {
                guard position + 46 <= raw.count else { return nil }
                var reader = LittleEndianReader(UnsafeRawBufferPointer(rebasing: raw[position...]))
                guard reader.u32() == ZipFormat.centralHeaderSignature, reader.u16() == ZipFormat.versionMadeBy else { return nil }
                reader.skip(14)
                let compressed = Int64(reader.u32())
                let uncompressed = Int64(reader.u32())
                let nameLength = Int(reader.u16())
                let extraLength = Int(reader.u16())
                let commentLength = Int(reader.u16())
                reader.skip(8)
                let localOffset = Int64(reader.u32())
                let nameStart = position + 46
                let recordEnd = nameStart + nameLength + extraLength + commentLength
                guard nameLength > 0, recordEnd <= raw.count, localOffset == expectedOffset else { return nil }
                let stored = 30 + Int64(nameLength) + compressed
                expectedOffset += stored
                let entry = Entry(
                    name: nameStart..<nameStart + nameLength, record: position..<recordEnd,
                    isDirectory: raw[nameStart + nameLength - 1] == UInt8(ascii: "/"),
                    uncompressedSize: uncompressed, storedSize: stored, localHeaderOffset: Int(localOffset))
                // Merging with the agent's entries needs the layer in strict path order.
                if let last = entries.last, !pathBytes(last, raw).lexicographicallyPrecedes(pathBytes(entry, raw)) { return nil }
                entries.append(entry)
                position = recordEnd
            }
            // Entries written back to back, no gaps and nothing left over: the layout we write.
            return position == raw.count && expectedOffset == prefixLength ? entries : nil
        }
    }

    /// Each entry's local header says what its central record says (version, flags, method,
    /// time, CRC, sizes, name): a layer damaged in the cache is built again, not copied into a
    /// package. The compressed bytes themselves are the cache's to keep.
    private static func localHeadersMatch(_ entries: [Entry], central: [UInt8], in file: UnsafeRawBufferPointer) -> Bool {
        central.withUnsafeBytes { records in
            entries.allSatisfy { entry in
                let local = file.baseAddress! + entry.localHeaderOffset
                let record = records.baseAddress! + entry.record.lowerBound
                return local.loadUnaligned(as: UInt32.self) == ZipFormat.localHeaderSignature.littleEndian
                    && memcmp(local + 4, record + 6, 26) == 0
                    && memcmp(local + 30, records.baseAddress! + entry.name.lowerBound, entry.name.count) == 0
            }
        }
    }

    private static func pathBytes(_ entry: Entry, _ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: raw[entry.isDirectory ? entry.name.dropLast() : entry.name])
    }

    /// The agent's items minus the directories the layer already has; a file on both sides is
    /// an error (the agent would silently shadow, or be shadowed by, a dependency).
    func itemsToAdd(_ items: [ArchiveItem]) throws -> [ArchiveItem] {
        var kept: [ArchiveItem] = []
        kept.reserveCapacity(items.count)
        var next = 0
        for item in items {
            while next < entries.count, Self.precedes(entries[next], in: centralDirectory, item.path) { next += 1 }
            guard next < entries.count, Self.sameName(entries[next], in: centralDirectory, item.path) else {
                kept.append(item)
                continue
            }
            guard entries[next].isDirectory && item.isDirectory else { throw PackagingError.duplicateEntry(item.path) }
        }
        return kept
    }

    /// Whether the entry's path (without a directory's slash) sorts before `path`, by bytes.
    static func precedes(_ entry: Entry, in central: [UInt8], _ path: String) -> Bool {
        compare(entry, in: central, path) < 0
    }

    static func sameName(_ entry: Entry, in central: [UInt8], _ path: String) -> Bool {
        compare(entry, in: central, path) == 0
    }

    private static func compare(_ entry: Entry, in central: [UInt8], _ path: String) -> Int {
        let name = entry.isDirectory ? entry.name.dropLast() : entry.name
        var path = path
        return path.withUTF8 { other in
            central.withUnsafeBytes { raw in
                let order = memcmp(raw.baseAddress! + name.lowerBound, other.baseAddress!, min(name.count, other.count))
                if order != 0 { return Int(order) }
                return name.count - other.count
            }
        }
    }
}
