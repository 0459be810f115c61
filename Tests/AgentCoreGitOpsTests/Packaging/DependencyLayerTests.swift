import Foundation
import Testing
@testable import AgentCoreGitOps

/// Packages written as a cached dependency layer plus the agent's entries, read back with unzip
/// and Python's zipfile, and compared with the same files archived in one piece.
@Suite struct DependencyLayerTests {
    /// A dependency tree (packages, a dist-info, a console script, a root module) and an agent.
    static func trees() throws -> TempTree {
        let tree = try TempTree()
        try tree.file("deps/requests/__init__.py", String(repeating: "import os\n", count: 300))
        try tree.file("deps/requests/api.py", "def get(url): pass\n")
        try tree.file("deps/requests-2.0.dist-info/RECORD", "requests/__init__.py,,\n")
        try tree.file("deps/bin/normalizer", "#!/usr/bin/python\n")
        try tree.file("deps/six.py", "X = 6\n")
        try tree.file("deps/zz_last/mod.py", "Z = 1\n")
        try tree.file("agent/agent.py", "import requests\nprint('agent')\n")
        try tree.file("agent/system_prompt.txt", "Be brief.\n")
        try tree.file("agent/bin/agent-tool", "#!/bin/sh\n")
        try tree.file("agent/tools/search.py", "def search(): pass\n")
        return tree
    }

    static func items(_ directory: URL) throws -> [ArchiveItem] {
        var contents = ArchiveContents()
        try contents.addTree(directory)
        return contents.sortedItems
    }

    static func layer(from tree: TempTree) async throws -> DependencyLayer {
        let location = tree.url("cache/layers/deps.zip")
        _ = try await ZipArchiver(reuse: false).write(try items(tree.url("deps")), to: location)
        return try #require(DependencyLayer.load(location))
    }

    @Test func layeredPackagesAreByteIdenticalWhateverTheOutputAndHistory() async throws {
        let tree = try Self.trees()
        let layer = try await Self.layer(from: tree)
        let agent = try Self.items(tree.url("agent"))
        let first = try await ZipArchiver().write(agent, to: tree.url("one.zip"), after: layer)
        let second = try await ZipArchiver().write(agent, to: tree.url("two.zip"), after: layer)
        // A rebuild that reuses one.zip's own entries gives the same bytes again.
        let rebuilt = try await ZipArchiver().write(agent, to: tree.url("one.zip"), after: layer)
        #expect(first.sha256 == second.sha256 && rebuilt.sha256 == first.sha256)
    }

    @Test func aFileOnBothSidesIsRefusedBeforeAnythingIsWritten() async throws {
        let tree = try Self.trees()
        let layer = try await Self.layer(from: tree)
        try tree.file("agent/six.py", "X = 'mine'\n")
        await #expect(throws: PackagingError.duplicateEntry("six.py")) {
            _ = try await ZipArchiver().write(try Self.items(tree.url("agent")), to: tree.url("clash.zip"), after: layer)
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("clash.zip").path))
    }

    @Test func theUncompressedLimitCountsTheLayerAndNamesItsBiggestParts() async throws {
        let tree = try Self.trees()
        let layer = try await Self.layer(from: tree)
        let limits = PackageLimits(maxCompressedBytes: 250_000_000, maxUncompressedBytes: 3_000)
        let agent = try Self.items(tree.url("agent"))
        #expect(agent.reduce(0) { $0 + $1.size } < 3_000, "the agent alone fits")
        #expect {
            try limits.checkContents(agent, entryPoint: "agent.py", alongside: layer)
        } throws: { error in
            guard case PackagingError.tooLarge(let what, _, _, let largest) = error else { return false }
            return what == "uncompressed" && largest.first?.name == "requests"
        }
    }

    @Test func theCacheKeepsTheMostRecentlyUsedLayers() throws {
        let tree = try TempTree()
        let layers = tree.url("cache/layers")
        var paths: [URL] = []
        for age in 0..<6 {
            let path = try tree.file("cache/layers/layer\(age).zip", "layer \(age)")
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-3600 * Double(age + 1))], ofItemAtPath: path.path)
            paths.append(path)
        }
        let building = try tree.file("cache/layers/.layer9.zip.ABC.partial", "a build in progress")
        DependencyLayer.markUsed(paths[5])  // the oldest, used just now
        DependencyLayer.prune(layers, keeping: 4)
        let left = try FileManager.default.contentsOfDirectory(atPath: layers.path).sorted()
        #expect(left == [".layer9.zip.ABC.partial", "layer0.zip", "layer1.zip", "layer2.zip", "layer5.zip"])
        #expect(FileManager.default.fileExists(atPath: building.path))
    }
}
