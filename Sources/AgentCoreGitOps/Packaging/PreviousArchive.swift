import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry ready to be written: its bytes as they go into the archive.
struct PreparedEntry: Sendable {
    var method: ZipFormat.Method
    var crc32: UInt32
    var bytes: EntryBytes
    /// SHA-256 of the uncompressed content; nil for directories.
    var digest: ContentDigest?
    /// The previous archive's entry with this content, when its bytes are being reused.
    var reusedRecord: ReuseIndex.Record?
    var wasRead = false

    /// Directories, and files unchanged since the previous archive (same fingerprint, entry
    /// still there): ready at once, without reading the file.
    static func withoutWork(_ item: ArchiveItem, previous: PreviousArchive?) -> PreparedEntry? {
        if item.isDirectory {
            return PreparedEntry(method: .stored, crc32: 0, bytes: .owned([]), digest: nil, reusedRecord: nil)
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
                return PreparedEntry(method: .deflated, crc32: crc, bytes: .owned(deflated), digest: digest, reusedRecord: nil, wasRead: true)
            }
            return PreparedEntry(method: .stored, crc32: crc, bytes: .owned(content), digest: digest, reusedRecord: nil, wasRead: true)
        }
    }

    /// The whole file, checked against the size seen when the tree was walked: a file that
    /// changes during the build would otherwise give a package that does not match its manifest.
    private static func readFile(_ path: String, expectedSize: Int64, archivePath: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
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

/// The archive being replaced, mapped read-only so its compressed entries are written again
/// straight from the page cache: no read call and no copy of our own.
final class PreviousArchive: @unchecked Sendable {
    let index: ReuseIndex
    let file: MappedFile

    /// Nil when there is no archive, no index, or an index of another file: nothing is reused.
    init?(_ archive: URL, level: Int32) {
        // The index must describe the very file mapped here, not one swapped in meanwhile.
        guard let file = MappedFile(archive),
              let index = ReuseIndex.load(for: archive, level: level, describing: ArchiveIdentity(file.info)) else { return nil }
        self.index = index
        self.file = file
    }

    /// The compressed bytes of an entry of the previous archive, ready to write again.
    func entry(_ record: ReuseIndex.Record, size expected: Int64) -> PreparedEntry? {
        // The index was checked against the archive's size when it was loaded.
        guard Int64(record.uncompressedSize) == expected else { return nil }
        let bytes = MappedBytes(base: file.bytes.baseAddress! + Int(record.dataOffset), count: Int(record.compressedSize))
        return PreparedEntry(method: record.method, crc32: record.crc32, bytes: .mapped(bytes), digest: record.digest, reusedRecord: record)
    }

    /// Whether `header` is, byte for byte, the local header `record` has in the previous archive
    /// (same name, sizes, method and time): then header and data can be copied together.
    func hasHeader(_ header: [UInt8], of record: ReuseIndex.Record) -> Bool {
        guard header.count == Int(record.headerLength) else { return false }
        return header.withUnsafeBytes {
            memcmp($0.baseAddress!, file.bytes.baseAddress! + Int(record.headerOffset), header.count) == 0
        }
    }

    /// An entry's local header and compressed bytes, as one range.
    func bytes(of record: ReuseIndex.Record) -> MappedBytes {
        MappedBytes(base: file.bytes.baseAddress! + Int(record.headerOffset), count: Int(record.end - record.headerOffset))
    }
}
