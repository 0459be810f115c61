import Foundation
import Testing
@testable import AgentCoreGitOps

/// The real install: uv resolves and installs the sample agent's dependencies.
extension DependencyInstallerTests {
    /// The real dependency set, installed once into the shared cache: the second call must come
    /// from the cache, and the tree must hold ARM64 extension modules only.
    @Test(.heavy, .tags(.process)) func theAgentsRequirementsInstallAsARM64WheelsOnce() async throws {
        let installer = DependencyInstaller(cacheDirectory: TestCache.directory)
        let requirements = RepositoryPaths.root.appendingPathComponent("agent/requirements.txt")
        let first = try await installer.install(.requirements(requirements), python: .default, platform: .agentCore)
        let second = try await installer.install(.requirements(requirements), python: .default, platform: .agentCore)
        #expect(second.fromCache)
        #expect(second.directory == first.directory)
        #expect(DependencyPlatform.agentCorePlatforms.contains(second.platform))
        let files = FileManager.default.enumerator(atPath: second.directory.path)?.compactMap { $0 as? String } ?? []
        let extensions = files.filter { $0.hasSuffix(".so") && $0.contains("cpython-311") }
        #expect(!extensions.isEmpty)
        #expect(extensions.allSatisfy { $0.contains("aarch64") }, "\(extensions.filter { !$0.contains("aarch64") })")
        #expect(files.contains("strands/__init__.py") && files.contains("bedrock_agentcore/runtime/__init__.py"))
        // Every distribution with its wheel's hash, and nothing native for another machine.
        #expect(second.distributions.contains { $0.name == "strands-agents" && $0.version == "1.62.0" })
        #expect(second.distributions.allSatisfy { $0.sha256?.count == 64 && $0.wheel?.hasSuffix(".whl") == true })
        #expect(second.owners["strands"] == "strands-agents 1.62.0")
        var installed = ArchiveContents()
        try installed.addTree(second.directory, rules: .installedDependencies)
        #expect(NativeCodeCheck.problems(in: installed.sortedItems, python: .default) == [])
    }
}
