import Foundation

/// A small text file kept next to an archive: for each entry's content hash, where its compressed
/// bytes sit in that archive. A rebuild in which only `agent.py` changed copies every other entry's
/// bytes from the previous archive instead of deflating them again.
///
/// Format: a header line `agentcore-zip-index 1 level=<n> size=<zip bytes> mtime=<ns>` binding the
/// index to exactly one archive file, then one line per entry:
/// `<sha256 hex> <crc32> <method> <compressed> <uncompressed> <data offset>`; then, like git's
/// index, one line per source file `F <sha256 hex> <fingerprint>` so that a file whose size,
/// times and inode are unchanged is not even read to learn its hash.
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
    /// Source file fingerprint → content hash.
    var hashes: [String: String] = [:]

    static func url(for archive: URL) -> URL {
        archive.deletingLastPathComponent().appendingPathComponent(archive.lastPathComponent + ".index")
    }

    /// The index of `archive`, or nil when there is none or it describes another file (the zip
    /// was rebuilt by something else, or the level changed): then nothing is reused.
    static func load(for archive: URL, level: Int32) -> ReuseIndex? {
        guard let identity = identity(of: archive),
              let data = try? Data(contentsOf: url(for: archive)) else { return nil }
        // Parsed as raw bytes: thousands of lines, read on every rebuild, which must stay fast.
        return data.withUnsafeBytes { bytes -> ReuseIndex? in
            var lines = ByteLines(bytes)
            guard let header = lines.next(),
                  String(decoding: header, as: UTF8.self) == "\(magic) level=\(level) \(identity)" else { return nil }
            var index = ReuseIndex(level: level)
            // About 100 bytes per entry line and 200 per file line: room for all, no rehashing.
            index.entries.reserveCapacity(bytes.count / 300)
            index.hashes.reserveCapacity(bytes.count / 300)
            while let line = lines.next() {
                if line.first == UInt8(ascii: "F") {
                    let fields = ByteLines.fields(line, limit: 3)
                    guard fields.count == 3 else { return nil }
                    index.hashes[String(decoding: fields[2], as: UTF8.self)] = String(decoding: fields[1], as: UTF8.self)
                    continue
                }
                let fields = ByteLines.fields(line, limit: 6)
                guard fields.count == 6, let crc = UInt32(exactly: ByteLines.number(fields[1]) ?? .max),
                      let raw = UInt16(exactly: ByteLines.number(fields[2]) ?? .max),
                      let method = ZipFormat.Method(rawValue: raw),
                      let compressed = UInt32(exactly: ByteLines.number(fields[3]) ?? .max),
                      let size = UInt32(exactly: ByteLines.number(fields[4]) ?? .max),
                      let offset = ByteLines.number(fields[5]) else { return nil }
                index.entries[String(decoding: fields[0], as: UTF8.self)] = Entry(
                    crc32: crc, method: method, compressedSize: compressed, uncompressedSize: size, dataOffset: offset)
            }
            return index
        }
    }

    /// Writes the index for `archive`, which must already be in its final place.
    func save(for archive: URL) throws {
        guard let identity = Self.identity(of: archive) else { return }
        // Built as bytes in one buffer, numbers written by hand: it is rewritten after every build.
        var bytes = Array("\(Self.magic) level=\(level) \(identity)\n".utf8)
        bytes.reserveCapacity(entries.count * 110 + hashes.count * 200)
        let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n")
        for (hash, entry) in entries {
            bytes += hash.utf8
            for number in [UInt64(entry.crc32), UInt64(entry.method.rawValue), UInt64(entry.compressedSize),
                           UInt64(entry.uncompressedSize), entry.dataOffset] {
                bytes.append(space)
                Self.appendDecimal(number, to: &bytes)
            }
            bytes.append(newline)
        }
        for (fingerprint, hash) in hashes {
            bytes += "F ".utf8
            bytes += hash.utf8
            bytes.append(space)
            bytes += fingerprint.utf8
            bytes.append(newline)
        }
        try Data(bytes).write(to: Self.url(for: archive), options: .atomic)
    }

    private static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
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

/// Lines and space-separated fields of a byte buffer, without building intermediate strings.
struct ByteLines {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func next() -> UnsafeRawBufferPointer.SubSequence? {
        guard position < bytes.count else { return nil }
        let start = position
        while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
        let line = bytes[start..<position]
        position += 1
        return line
    }

    /// At most `limit` fields; the last one takes the rest of the line, spaces included.
    static func fields(_ line: UnsafeRawBufferPointer.SubSequence, limit: Int) -> [UnsafeRawBufferPointer.SubSequence] {
        var fields: [UnsafeRawBufferPointer.SubSequence] = []
        var start = line.startIndex
        var index = line.startIndex
        while index < line.endIndex && fields.count < limit - 1 {
            if line[index] == UInt8(ascii: " ") {
                fields.append(line[start..<index])
                start = index + 1
            }
            index += 1
        }
        fields.append(line[start..<line.endIndex])
        return fields
    }

    static func number(_ digits: UnsafeRawBufferPointer.SubSequence) -> UInt64? {
        guard !digits.isEmpty, digits.count < 20 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
