import Foundation

/// The byte layout of a PKZIP archive (APPNOTE 6.3.x, sections 4.3.7, 4.3.12 and 4.3.16), only as
/// much of it as a deterministic, Unix-permissioned package needs: no data descriptors, no extra
/// fields, no comments, no Zip64.
enum ZipFormat {
    static let localHeaderSignature: UInt32 = 0x0403_4b50
    static let centralHeaderSignature: UInt32 = 0x0201_4b50
    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4b50

    /// "Version made by": upper byte 3 = Unix, so extractors honour the mode in the external
    /// attributes; lower byte 20 = spec 2.0.
    static let versionMadeBy: UInt16 = 3 << 8 | 20
    /// General purpose flag bit 11: names are UTF-8.
    static let utf8Flag: UInt16 = 1 << 11
    static let maxClassicValue = UInt64(UInt32.max)
    static let maxClassicEntries = Int(UInt16.max)

    enum Method: UInt16, Sendable {
        case stored = 0
        case deflated = 8

        /// Version needed to extract: 1.0 for stored entries, 2.0 for deflate and directories.
        var versionNeeded: UInt16 { self == .stored ? 10 : 20 }
    }

    /// What the central directory needs to know about one entry already written.
    struct EntryRecord: Sendable {
        var name: [UInt8]
        var method: Method
        var crc32: UInt32
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        var externalAttributes: UInt32
        var localHeaderOffset: UInt32
        var isDirectory: Bool
    }

    static func localHeader(for entry: EntryRecord, time: DOSTimestamp) -> [UInt8] {
        var bytes = ByteWriter()
        bytes.u32(localHeaderSignature)
        appendSharedFields(of: entry, time: time, to: &bytes)
        bytes.append(entry.name)
        return bytes.bytes
    }

    static func centralHeader(for entry: EntryRecord, time: DOSTimestamp) -> [UInt8] {
        var bytes = ByteWriter()
        bytes.u32(centralHeaderSignature)
        bytes.u16(versionMadeBy)
        appendSharedFields(of: entry, time: time, to: &bytes)
        bytes.u16(0)  // comment length
        bytes.u16(0)  // disk number start
        bytes.u16(0)  // internal attributes
        bytes.u32(entry.externalAttributes)
        bytes.u32(entry.localHeaderOffset)
        bytes.append(entry.name)
        return bytes.bytes
    }

    /// The run of fields the local and central headers have in common, from "version needed"
    /// to "extra field length".
    private static func appendSharedFields(of entry: EntryRecord, time: DOSTimestamp, to bytes: inout ByteWriter) {
        bytes.u16(entry.isDirectory ? 20 : entry.method.versionNeeded)
        bytes.u16(utf8Flag)
        bytes.u16(entry.method.rawValue)
        bytes.u16(time.time)
        bytes.u16(time.date)
        bytes.u32(entry.crc32)
        bytes.u32(entry.compressedSize)
        bytes.u32(entry.uncompressedSize)
        bytes.u16(UInt16(entry.name.count))
        bytes.u16(0)  // extra field length
    }

    static func endOfCentralDirectory(entryCount: Int, size: UInt32, offset: UInt32) -> [UInt8] {
        var bytes = ByteWriter()
        bytes.u32(endOfCentralDirectorySignature)
        bytes.u16(0)  // this disk
        bytes.u16(0)  // disk with the central directory
        bytes.u16(UInt16(entryCount))
        bytes.u16(UInt16(entryCount))
        bytes.u32(size)
        bytes.u32(offset)
        bytes.u16(0)  // comment length
        return bytes.bytes
    }

    /// Unix mode in the high 16 bits; MS-DOS directory bit for directories so Windows tools agree.
    static func externalAttributes(mode: UInt32, isDirectory: Bool) -> UInt32 {
        let type: UInt32 = isDirectory ? 0o040000 : 0o100000
        return (type | mode) << 16 | (isDirectory ? 0x10 : 0)
    }
}

/// An MS-DOS date and time as zip stores them: local-time fields with 2-second resolution,
/// years 1980-2107. We always write one fixed value so that builds are reproducible.
public struct DOSTimestamp: Sendable, Equatable {
    var date: UInt16
    var time: UInt16

    /// 1980-01-01 00:00:00, the earliest time a zip can hold.
    public static let epoch = DOSTimestamp(date: 1 << 5 | 1, time: 0)

    /// The UTC calendar time of `secondsSince1970`, clamped to the range zip can represent.
    public init(secondsSince1970: Int64) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: TimeInterval(secondsSince1970)))
        let year = parts.year ?? 1980
        if year < 1980 {
            self = .epoch
            return
        }
        if year > 2107 {
            self = DOSTimestamp(date: 127 << 9 | 12 << 5 | 31, time: 23 << 11 | 59 << 5 | 29)
            return
        }
        date = UInt16(year - 1980) << 9 | UInt16(parts.month ?? 1) << 5 | UInt16(parts.day ?? 1)
        time = UInt16(parts.hour ?? 0) << 11 | UInt16(parts.minute ?? 0) << 5 | UInt16((parts.second ?? 0) / 2)
    }

    init(date: UInt16, time: UInt16) {
        self.date = date
        self.time = time
    }

    /// `SOURCE_DATE_EPOCH` when it is set and numeric (reproducible-builds.org), else 1980-01-01.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> DOSTimestamp {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int64(text.trimmingCharacters(in: .whitespaces)) {
            return DOSTimestamp(secondsSince1970: seconds)
        }
        return .epoch
    }
}

/// Little-endian integers into a byte array, the only byte order zip knows.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func reserve(_ count: Int) { bytes.reserveCapacity(count) }
}
