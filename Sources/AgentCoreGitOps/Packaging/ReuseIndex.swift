import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SHA-256 of an entry's uncompressed content, as four words: a cheap dictionary key.
struct ContentDigest: Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        words = bytes.withUnsafeBytes { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    static func == (left: ContentDigest, right: ContentDigest) -> Bool { left.words == right.words }

    func hash(into hasher: inout Hasher) {
        // Already uniformly distributed: one word is as good a hash as all four.
        hasher.combine(words.0)
    }
}

/// A small binary file kept next to an archive: for each entry, the hash of its content, where
/// its local header and compressed bytes sit in that archive, and (like git's index) the
/// fingerprint of the source file it came from. A rebuild in which only `agent.py` changed then
/// reads no other file, compresses nothing else, and copies the unchanged runs of the previous
/// archive as they are.
///
/// Layout, little-endian: a 48-byte header (magic `ACZIPIX2`, deflate level, record count, and
/// the size, modification time and inode of the one archive file it describes), then one
/// 96-byte record per file entry, in archive order.
struct ReuseIndex: Sendable {
    struct Record: Sendable, Equatable {
        var digest: ContentDigest
        /// Of the source file, when it was old enough to be trusted (see `FileFingerprint`).
        var fingerprint: FileFingerprint?
        var crc32: UInt32
        var method: ZipFormat.Method
        /// 30 bytes plus the entry's name: the compressed bytes start this far after the header.
        var headerLength: UInt16
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        var headerOffset: UInt64

        var dataOffset: UInt64 { headerOffset + UInt64(headerLength) }
        var end: UInt64 { dataOffset + UInt64(compressedSize) }
    }

    private static let magic = Array("ACZIPIX2".utf8)
    private static let headerSize = 48
    private static let recordSize = 96

    var level: Int32
    private(set) var records: [Record] = []
    private var byFingerprint: [FileFingerprint: Int] = [:]
    private var byContent: [ContentDigest: Int] = [:]

    init(level: Int32) { self.level = level }

    mutating func append(_ record: Record) {
        if let fingerprint = record.fingerprint { byFingerprint[fingerprint] = records.count }
        if byContent[record.digest] == nil { byContent[record.digest] = records.count }
        records.append(record)
    }

    func record(for fingerprint: FileFingerprint) -> Record? { byFingerprint[fingerprint].map { records[$0] } }
    func record(for digest: ContentDigest) -> Record? { byContent[digest].map { records[$0] } }

    static func url(for archive: URL) -> URL {
        archive.deletingLastPathComponent().appendingPathComponent(archive.lastPathComponent + ".index")
    }

    /// The index of `archive`, or nil when there is none, it is damaged, or it describes another
    /// file (the zip was rebuilt by something else, or the level changed): then nothing is reused.
    static func load(for archive: URL, level: Int32, describing identity: ArchiveIdentity) -> ReuseIndex? {
        guard let data = try? Data(contentsOf: url(for: archive)), data.count >= headerSize else { return nil }
        return data.withUnsafeBytes { raw -> ReuseIndex? in
            var reader = LittleEndianReader(raw)
            guard Array(raw.prefix(8)) == magic else { return nil }
            reader.skip(8)
            guard reader.u32() == UInt32(level) else { return nil }
            let count = Int(reader.u32())
            guard ArchiveIdentity(size: reader.u64(), modified: Int64(bitPattern: reader.u64()), inode: reader.u64()) == identity,
                  raw.count == headerSize + count * recordSize else { return nil }
            reader.skip(8)  // reserved
            var index = ReuseIndex(level: level)
            index.records.reserveCapacity(count)
            index.byFingerprint.reserveCapacity(count)
            index.byContent.reserveCapacity(count)
            for _ in 0..<count {
                let digest = ContentDigest(words: (reader.u64(), reader.u64(), reader.u64(), reader.u64()))
                let fingerprint = FileFingerprint(
                    device: reader.u64(), inode: reader.u64(), size: Int64(bitPattern: reader.u64()),
                    modified: Int64(bitPattern: reader.u64()), changed: Int64(bitPattern: reader.u64()))
                let crc = reader.u32()
                guard let method = ZipFormat.Method(rawValue: reader.u16()) else { return nil }
                let record = Record(
                    digest: digest, fingerprint: fingerprint.inode == 0 && fingerprint.device == 0 ? nil : fingerprint,
                    crc32: crc, method: method, headerLength: reader.u16(), compressedSize: reader.u32(),
                    uncompressedSize: reader.u32(), headerOffset: reader.u64())
                guard record.headerLength >= 30, record.headerOffset <= identity.size,
                      UInt64(record.headerLength) + UInt64(record.compressedSize) <= identity.size - record.headerOffset
                else { return nil }
                index.append(record)
            }
            return index
        }
    }

    /// Writes the index beside `archive`, bound to the archive file `identity` describes.
    func save(for archive: URL, describing identity: ArchiveIdentity) throws {
        var writer = ByteWriter()
        writer.reserve(Self.headerSize + records.count * Self.recordSize)
        writer.append(Self.magic)
        writer.u32(UInt32(level))
        writer.u32(UInt32(records.count))
        writer.u64(identity.size)
        writer.u64(UInt64(bitPattern: identity.modified))
        writer.u64(identity.inode)
        writer.u64(0)  // reserved
        for record in records {
            let (a, b, c, d) = record.digest.words
            for word in [a, b, c, d] { writer.u64(word) }
            let fingerprint = record.fingerprint ?? FileFingerprint(device: 0, inode: 0, size: 0, modified: 0, changed: 0)
            writer.u64(fingerprint.device)
            writer.u64(fingerprint.inode)
            writer.u64(UInt64(bitPattern: fingerprint.size))
            writer.u64(UInt64(bitPattern: fingerprint.modified))
            writer.u64(UInt64(bitPattern: fingerprint.changed))
            writer.u32(record.crc32)
            writer.u16(record.method.rawValue)
            writer.u16(record.headerLength)
            writer.u32(record.compressedSize)
            writer.u32(record.uncompressedSize)
            writer.u64(record.headerOffset)
        }
        try FilePlacement.replace(Self.url(for: archive), with: writer.bytes)
    }
}

/// Which archive file an index describes: any rewrite changes the inode, size or time.
struct ArchiveIdentity: Equatable {
    var size: UInt64
    var modified: Int64
    var inode: UInt64

    init(size: UInt64, modified: Int64, inode: UInt64) {
        (self.size, self.modified, self.inode) = (size, modified, inode)
    }

    init(_ info: stat) {
        let fingerprint = FileFingerprint(info)
        self.init(size: UInt64(fingerprint.size), modified: fingerprint.modified, inode: fingerprint.inode)
    }
}

/// Reads little-endian integers from a buffer whose length the caller has checked.
struct LittleEndianReader {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func skip(_ count: Int) { position += count }

    mutating func u16() -> UInt16 { read(UInt16.self) }
    mutating func u32() -> UInt32 { read(UInt32.self) }
    mutating func u64() -> UInt64 { read(UInt64.self) }

    private mutating func read<T: FixedWidthInteger>(_: T.Type) -> T {
        defer { position += MemoryLayout<T>.size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }
}
