import Foundation

/// AgentCore Runtime's limits on a code zip, checked before anything is uploaded.
public struct PackageLimits: Sendable, Equatable {
    public var maxCompressedBytes: Int64 = 250_000_000
    public var maxUncompressedBytes: Int64 = 750_000_000
    /// How many of the largest contributors an over-limit error lists.
    public var contributorsShown = 10
    /// The distribution (`name version`) each top-level name of the dependencies belongs to: an
    /// over-limit error counts a distribution's package, data and dist-info directories together.
    public var owners: [String: String] = [:]

    public init() {}
    public init(maxCompressedBytes: Int64, maxUncompressedBytes: Int64) {
        self.maxCompressedBytes = maxCompressedBytes
        self.maxUncompressedBytes = maxUncompressedBytes
    }

    /// Before compressing: the entry point at the root and the uncompressed total.
    public func checkContents(_ items: [ArchiveItem], entryPoint: String) throws {
        try checkContents(items, entryPoint: entryPoint, alongside: nil)
    }

    /// The same for a package whose dependencies come as a layer.
    func checkContents(_ items: [ArchiveItem], entryPoint: String, alongside layer: DependencyLayer?) throws {
        guard items.contains(where: { $0.path == entryPoint && !$0.isDirectory }) else {
            throw PackagingError.missingEntryPoint(entryPoint)
        }
        let total = items.reduce(layer?.uncompressedBytes ?? 0) { $0 + $1.size }
        if total > maxUncompressedBytes {
            var byName: [String: Int64] = [:]
            for item in items { byName[contributor(item.path), default: 0] += item.size }
            for entry in layer?.entries ?? [] {
                byName[contributor(layer!.name(of: entry)), default: 0] += entry.uncompressedSize
            }
            throw PackagingError.tooLarge(
                what: "uncompressed", bytes: total, limit: maxUncompressedBytes, largest: largest(byName))
        }
    }

    /// After compressing: the size of the archive itself.
    public func checkArchive(_ result: ZipArchiveResult) throws {
        if result.compressedBytes > maxCompressedBytes {
            throw PackagingError.tooLarge(
                what: "compressed", bytes: result.compressedBytes, limit: maxCompressedBytes,
                largest: largest(result.compressedByTopLevel.reduce(into: [:]) { $0[contributor($1.key), default: 0] += $1.value }))
        }
    }

    /// A dependency's distribution, else the agent's top-level file or directory.
    func contributor(_ path: String) -> String {
        let top = ArchiveItem.topLevelName(of: path)
        return owners[top] ?? top
    }

    private func largest(_ sizes: [String: Int64]) -> [SizeContributor] {
        sizes.map { SizeContributor(name: $0.key, bytes: $0.value) }
            .sorted { ($0.bytes, $1.name) > ($1.bytes, $0.name) }
            .prefix(contributorsShown).map { $0 }
    }
}
