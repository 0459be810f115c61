import Foundation

/// What a package contains, stored inside it as `.agentcore/manifest.json`: every distribution
/// (name, version, wheel SHA-256), the runtime it was built for and the ignore patterns its files
/// were chosen with. The same inputs give the same bytes. Read it back from any package (say the
/// one prod serves) and compare with `DependencyChange.between(old.distributions, new.distributions)`.
public struct PackageContents: Codable, Sendable, Equatable {
    public static let path = ".agentcore/manifest.json"

    public var format = 1
    public var entryPoint: String
    public var pythonVersion: String
    /// AgentCore's `codeConfiguration.runtime`, e.g. `PYTHON_3_11`.
    public var runtime: String
    /// The wheels' platform tag, e.g. `aarch64-manylinux2014`; `any` without dependencies.
    public var platform: String
    /// The install key of the dependency set (`InstalledDependencies.hash`).
    public var dependencyHash: String?
    public var distributions: [Distribution]
    /// The `.agentcoreignore` patterns, as written.
    public var ignorePatterns: [String]

    public init(
        entryPoint: String, python: PythonVersion, platform: String, dependencyHash: String?,
        distributions: [Distribution], ignorePatterns: [String]
    ) {
        self.entryPoint = entryPoint
        pythonVersion = python.description
        runtime = python.runtimeIdentifier
        self.platform = platform
        self.dependencyHash = dependencyHash
        self.distributions = distributions
        self.ignorePatterns = ignorePatterns
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Written once per content into `<cache>/manifests/`, where the archive takes it from: the
    /// file stays put between builds, so the reuse index copies its entry like any other.
    func file(in cache: URL) throws -> URL {
        let data = try encoded()
        let directory = cache.appendingPathComponent("manifests", isDirectory: true)
        let file = directory.appendingPathComponent("\(SHA256Hasher.hash(data).hexString).json")
        if FileManager.default.fileExists(atPath: file.path) {
            utimes(file.path, nil)
            return file
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FilePlacement.replace(file, with: [UInt8](data))
        DependencyInstaller.prune(directory, keeping: 64)
        return file
    }

    /// The manifest inside the package at `archive`; nil for a package built without one.
    public static func read(fromArchive archive: URL) throws -> PackageContents? {
        guard let bytes = try ZipEntryReader(archive).read(path) else { return nil }
        do {
            return try JSONDecoder().decode(PackageContents.self, from: Data(bytes))
        } catch {
            throw PackagingError.unreadable(path: "\(archive.path):\(path)", reason: "not a package manifest (\(error))")
        }
    }
}

/// Reads one entry of a zip through its central directory, without reading the rest.
struct ZipEntryReader {
    let url: URL

    init(_ url: URL) { self.url = url }

    func read(_ name: String) throws -> [UInt8]? {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw PackagingError.unreadable(path: url.path, reason: "cannot open the package")
        }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard size >= 22 else { throw PackagingError.unreadable(path: url.path, reason: "not a zip archive (too short)") }
        // The end record is in the last 22 bytes plus a comment of at most 64 KiB.
        let tailLength = min(size, 22 + 65_535)
        let tail = try bytes(handle, at: size - tailLength, count: Int(tailLength))
        guard let end = (0...tail.count - 22).reversed().first(where: { Self.u32(tail, $0) == ZipFormat.endOfCentralDirectorySignature }) else {
            throw PackagingError.unreadable(path: url.path, reason: "not a zip archive (no end of central directory)")
        }
        let count = Int(Self.u16(tail, end + 10))
        let centralSize = Int(Self.u32(tail, end + 12))
        let centralOffset = UInt64(Self.u32(tail, end + 16))
        let central = try bytes(handle, at: centralOffset, count: centralSize)
        var position = 0
        let wanted = Array(name.utf8)
        for _ in 0..<count {
            guard position + 46 <= central.count, Self.u32(central, position) == ZipFormat.centralHeaderSignature else { break }
            let method = Self.u16(central, position + 10)
            let compressed = Int(Self.u32(central, position + 20))
            let uncompressed = Int(Self.u32(central, position + 24))
            let nameLength = Int(Self.u16(central, position + 28))
            let extraLength = Int(Self.u16(central, position + 30))
            let commentLength = Int(Self.u16(central, position + 32))
            let localOffset = UInt64(Self.u32(central, position + 42))
            guard position + 46 + nameLength <= central.count else { break }
            if Array(central[position + 46..<position + 46 + nameLength]) == wanted {
                let local = try bytes(handle, at: localOffset, count: 30)
                guard Self.u32(local, 0) == ZipFormat.localHeaderSignature else { break }
                let dataOffset = localOffset + 30 + UInt64(Self.u16(local, 26)) + UInt64(Self.u16(local, 28))
                let data = try bytes(handle, at: dataOffset, count: compressed)
                switch method {
                case 0: return data
                case 8: return try Deflate.inflate(data, size: uncompressed)
                default: throw PackagingError.unreadable(path: url.path, reason: "\(name) uses compression method \(method)")
                }
            }
            position += 46 + nameLength + extraLength + commentLength
        }
        return nil
    }

    private func bytes(_ handle: FileHandle, at offset: UInt64, count: Int) throws -> [UInt8] {
        try handle.seek(toOffset: offset)
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else { throw PackagingError.unreadable(path: url.path, reason: "the zip is cut short") }
        return [UInt8](data)
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
