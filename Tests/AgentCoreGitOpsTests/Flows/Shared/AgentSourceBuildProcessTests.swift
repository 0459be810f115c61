import Foundation
import Testing
@testable import AgentCoreGitOps

/// Builds resolve the agent's dependencies through uv, a process.
@Suite("AgentSource builds", .heavy, .tags(.process))
struct AgentSourceBuildProcessTests {
    @Test("builds for the same name at once each keep their own bytes")
    func concurrentBuilds() async throws {
        let cache = try TempTree()
        let trees = try (0..<3).map { _ in try TempTree() }
        var sources: [AgentSource] = []
        for (index, tree) in trees.enumerated() {
            try tree.file("agent/agent.py", "print(\(index))\n")
            try tree.file("agent/requirements.txt", "")
            // uv comes from PATH (the project's .venv/bin under scripts/test).
            let path = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            var source = try AgentSource.fromEnvironment(path, workingDirectory: tree.root)
            source.cacheDirectory = cache.root
            sources.append(source)
        }
        let manifests = try await withThrowingTaskGroup(of: PackageManifest.self) { group in
            for source in sources { group.addTask { try await source.build(for: "pr_1", log: { _ in }) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(manifests.map(\.sha256)).count == 3)
        for manifest in manifests {
            #expect(try SHA256Hasher.hash(fileAt: URL(fileURLWithPath: manifest.path)).hexString == manifest.sha256)
        }
        withExtendedLifetime(trees) {}
    }
}
