import Foundation

/// The packages of a PEP 751 lock file (`pylock.toml`) as `uv pip compile --format pylock.toml`
/// writes it for one platform: each package with the one artifact uv chose and its SHA-256.
struct PyLock: Equatable {
    struct Package: Equatable {
        var name: String
        var version: String
        var marker: String?
        /// A wheel or archive: where to fetch it and the hash it must have.
        var location: String
        var sha256: String
        var fileName: String { String(location.split(separator: "/").last ?? "") }
    }

    var packages: [Package]

    /// Parses uv's output. `baseDirectory` resolves relative `path` entries (PEP 751: relative to
    /// the lock file; uv writes them relative to its working directory when printing to stdout).
    init(parsing text: String, baseDirectory: URL) throws {
        var parser = TOMLSubset(text)
        let tables = try parser.packageTables()
        packages = try tables.map { try Self.package(from: $0, baseDirectory: baseDirectory) }
    }

    private static func package(from table: [String: TOMLSubset.Value], baseDirectory: URL) throws -> Package {
        guard case .string(let name)? = table["name"] else { throw PackagingError.unreadableResolution("a package without a name") }
        guard case .string(let version)? = table["version"] else {
            throw PackagingError.unreadableResolution("\(name) has no version (uv resolved it to a directory or VCS source; AgentCore needs wheels)")
        }
        var marker: String?
        if case .string(let text)? = table["marker"] { marker = text }
        // The wheel uv chose for the platform (the first it lists), else a single archive.
        var artifact: [String: TOMLSubset.Value]?
        if case .array(let wheels)? = table["wheels"], case .table(let first)? = wheels.first { artifact = first }
        else if case .table(let archive)? = table["archive"] { artifact = archive }
        guard let artifact else {
            throw PackagingError.unreadableResolution("\(name) \(version) has no wheel for the platform (only a source distribution)")
        }
        guard case .table(let hashes)? = artifact["hashes"], case .string(let sha256)? = hashes["sha256"],
              sha256.count == 64 else {
            throw PackagingError.unreadableResolution("\(name) \(version) has no SHA-256")
        }
        let location: String
        if case .string(let url)? = artifact["url"] {
            location = url
        } else if case .string(let path)? = artifact["path"] {
            let file = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
            location = file.standardizedFileURL.absoluteString
        } else {
            throw PackagingError.unreadableResolution("\(name) \(version) names neither a URL nor a path")
        }
        return Package(name: Distribution.normalize(name), version: version, marker: marker, location: location, sha256: sha256)
    }

    /// The requirements that install exactly these artifacts, each checked against its hash:
    /// `name @ URL --hash=sha256:…`. No index is asked again, so the install matches the resolution.
    var installRequirements: String {
        packages.map { package in
            let marker = package.marker.map { " ; \($0)" } ?? ""
            return "\(package.name) @ \(package.location)\(marker) --hash=sha256:\(package.sha256)\n"
        }.joined()
    }

    var distributions: [Distribution] {
        packages.map { Distribution(name: $0.name, version: $0.version, sha256: $0.sha256, wheel: $0.fileName) }
            .sorted { $0.name < $1.name }
    }
}

/// The part of TOML uv's pylock output uses: `[[packages]]` and `[packages.x]` headers, `key =
/// value` lines, strings, inline tables, arrays (over several lines), and bare scalars (numbers,
/// dates, booleans) kept as text.
struct TOMLSubset {
    indirect enum Value: Equatable {
        case string(String)
        case bare(String)
        case array([Value])
        case table([String: Value])
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Every `[[packages]]` table, with `[packages.x]` sub-tables folded in as nested tables.
    mutating func packageTables() throws -> [[String: Value]] {
        var packages: [[String: Value]] = []
        var subTable: String?
        var inPackages = false
        while true {
            skipBlankAndComments()
            guard position < bytes.count else { break }
            if bytes[position] == UInt8(ascii: "[") {
                let header = try readHeader()
                inPackages = header == "[[packages]]" || header.hasPrefix("[packages.")
                subTable = nil
                if header == "[[packages]]" { packages.append([:]) }
                else if header.hasPrefix("[packages.") { subTable = String(header.dropFirst(10).dropLast()) }
                continue
            }
            let key = try readKey()
            skipSpaces()
            try expect("=")
            skipSpaces()
            let value = try readValue()
            guard inPackages, !packages.isEmpty else { continue }
            if let subTable {
                var nested: [String: Value] = [:]
                if case .table(let existing)? = packages[packages.count - 1][subTable] { nested = existing }
                nested[key] = value
                packages[packages.count - 1][subTable] = .table(nested)
            } else {
                packages[packages.count - 1][key] = value
            }
        }
        return packages
    }

    private mutating func readHeader() throws -> String {
        let start = position
        while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
        var header = String(decoding: bytes[start..<position], as: UTF8.self)
        if let comment = header.firstIndex(of: "#") { header = String(header[..<comment]) }
        return header.trimmingCharacters(in: .whitespaces)
    }

    private mutating func readKey() throws -> String {
        if position < bytes.count && (bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'")) {
            guard case .string(let key) = try readValue() else { throw error("a key") }
            return key
        }
        let start = position
        while position < bytes.count, Self.isBareKeyByte(bytes[position]) { position += 1 }
        guard position > start else { throw error("a key") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    private mutating func readValue() throws -> Value {
        guard position < bytes.count else { throw error("a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""): return .string(try readBasicString())
        case UInt8(ascii: "'"): return .string(try readLiteralString())
        case UInt8(ascii: "["):
            position += 1
            var items: [Value] = []
            while true {
                skipBlankAndComments()
                guard position < bytes.count else { throw error("]") }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                items.append(try readValue())
                skipBlankAndComments()
                if position < bytes.count && bytes[position] == UInt8(ascii: ",") { position += 1 }
            }
        case UInt8(ascii: "{"):
            position += 1
            var table: [String: Value] = [:]
            while true {
                skipSpaces()
                guard position < bytes.count else { throw error("}") }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .table(table) }
                let key = try readKey()
                skipSpaces()
                try expect("=")
                skipSpaces()
                table[key] = try readValue()
                skipSpaces()
                if position < bytes.count && bytes[position] == UInt8(ascii: ",") { position += 1 }
            }
        default:
            let start = position
            while position < bytes.count, !",]}\n#".utf8.contains(bytes[position]) { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { throw error("a value") }
            return .bare(text)
        }
    }

    private mutating func readBasicString() throws -> String {
        position += 1
        var result: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: result, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw error("an escape") }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): result.append(0x0a)
                case UInt8(ascii: "t"): result.append(0x09)
                case UInt8(ascii: "r"): result.append(0x0d)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let length = escaped == UInt8(ascii: "u") ? 4 : 8
                    guard position + length <= bytes.count,
                          let scalar = UInt32(String(decoding: bytes[position..<position + length], as: UTF8.self), radix: 16)
                            .flatMap(Unicode.Scalar.init) else { throw error("a unicode escape") }
                    result.append(contentsOf: Array(String(Character(scalar)).utf8))
                    position += length
                default: result.append(escaped)
                }
            case 0x0a: throw error("the end of a string")
            default: result.append(byte)
            }
        }
        throw error("the end of a string")
    }

    private mutating func readLiteralString() throws -> String {
        position += 1
        let start = position
        while position < bytes.count && bytes[position] != UInt8(ascii: "'") {
            if bytes[position] == 0x0a { throw error("the end of a string") }
            position += 1
        }
        guard position < bytes.count else { throw error("the end of a string") }
        defer { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func skipSpaces() {
        while position < bytes.count && (bytes[position] == 0x20 || bytes[position] == 0x09) { position += 1 }
    }

    private mutating func skipBlankAndComments() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0a, 0x0d: position += 1
            case UInt8(ascii: "#"): while position < bytes.count && bytes[position] != 0x0a { position += 1 }
            default: return
            }
        }
    }

    private mutating func expect(_ character: Character) throws {
        guard position < bytes.count, bytes[position] == character.asciiValue else { throw error("'\(character)'") }
        position += 1
    }

    private func error(_ expected: String) -> PackagingError {
        let line = bytes[..<min(position, bytes.count)].filter { $0 == 0x0a }.count + 1
        return .unreadableResolution("expected \(expected) at line \(line) of uv's pylock.toml")
    }
}
