import Foundation

/// A small text file kept next to an archive: for each entry's content hash, where its compressed
/// bytes sit in that archive. A rebuild in which only `agent.py` changed copies every other entry's
/// bytes from the previous archive instead of deflating them again.
///
/// Format: a header line `agentcore-zip-index 1 level=<n> size=<zip bytes> mtime=<ns>` binding the
/// index to exactly one archive file, then one line per entry:
/// `<sha256 hex> <crc32> <method> <compressed> <uncompressed> <data offset>`.
struct ReuseIndex: Sendable {
    struct Entry: Sendable, Equatable {
        var crc32: UInt32
        var method: ZipFormat.Method
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        var dataOffset: UInt64
    }

    private static let magic = "agentcore-zip-index 1"

    var level: Int32
    var entries: [String: Entry] = [:]

    static func url(for archive: URL) -> URL {
        archive.deletingLastPathComponent().appendingPathComponent(archive.lastPathComponent + ".index")
    }

    /// The index of `archive`, or nil when there is none or it describes another file (the zip
    /// was rebuilt by something else, or the level changed): then nothing is reused.
    static func load(for archive: URL, level: Int32) -> ReuseIndex? {
        guard let identity = identity(of: archive),
              let text = try? String(contentsOf: url(for: archive), encoding: .utf8) else { return nil }
        var lines = text.split(separator: "\n")[...]
        guard lines.popFirst() == Substring("\(magic) level=\(level) \(identity)") else { return nil }
        var index = ReuseIndex(level: level)
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count == 6, let crc = UInt32(fields[1]), let raw = UInt16(fields[2]),
                  let method = ZipFormat.Method(rawValue: raw), let compressed = UInt32(fields[3]),
                  let size = UInt32(fields[4]), let offset = UInt64(fields[5]) else { return nil }
            index.entries[String(fields[0])] = Entry(
                crc32: crc, method: method, compressedSize: compressed, uncompressedSize: size, dataOffset: offset)
        }
        return index
    }

    /// Writes the index for `archive`, which must already be in its final place.
    func save(for archive: URL) throws {
        guard let identity = Self.identity(of: archive) else { return }
        var text = "\(Self.magic) level=\(level) \(identity)\n"
        for (hash, entry) in entries.sorted(by: { $0.key < $1.key }) {
            text += "\(hash) \(entry.crc32) \(entry.method.rawValue) \(entry.compressedSize) \(entry.uncompressedSize) \(entry.dataOffset)\n"
        }
        try Data(text.utf8).write(to: Self.url(for: archive), options: .atomic)
    }

    /// Size and modification time to the nanosecond: cheap to check, and any rewrite changes them.
    private static func identity(of archive: URL) -> String? {
        var info = stat()
        guard stat(archive.path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        let nanoseconds = Int64(modified.tv_sec) * 1_000_000_000 + Int64(modified.tv_nsec)
        return "size=\(info.st_size) mtime=\(nanoseconds)"
    }
}
