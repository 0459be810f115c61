import Foundation
import Testing
@testable import AgentCoreGitOps

/// Old names followed through the GitHub emulator, as GitHub redirects them.
extension RuntimeOwnershipTests {
    /// GitHub follows a renamed or transferred repository's old name to it, until another
    /// repository takes the name: a tag by an old name is ours only while it still leads to us.
    @Test(.heavy, .tags(.sandbox)) func oldNamesAreFollowedThroughTheEmulator() async throws {
        let github = try await GitHubEmulator.shared().ownRepository()
        let client = try github.client()
        let owner = try #require(github.repository.split(separator: "/").first)
        let renamed = "\(owner)/renamed-\(UUID().uuidString.prefix(8).lowercased())"
        let transferred = "elsewhere-\(UUID().uuidString.prefix(8).lowercased())/agent"
        try await github.control("PATCH", "/_sandbox/repos/\(github.repository)", json: ["full_name": renamed])
        try await github.control("PATCH", "/_sandbox/repos/\(renamed)", json: ["full_name": transferred])

        // After the moves: our id read from GitHub, as a local run without GITHUB_REPOSITORY_ID does.
        let moved = GitHubClient(configuration: try github.configuration().with(repository: transferred))
        let identity = OwningRepository(name: transferred, id: nil, github: moved)
        let id = try #require(try await identity.id())
        #expect(try await client.getRepository(GitHubRepository(github.repository)).id == id)
        for oldName in [github.repository, renamed] {
            #expect(try await identity.owns(.init(repository: oldName, repositoryID: nil, role: .production)), "\(oldName)")
        }
        #expect(try await !identity.owns(.init(repository: "\(owner)/never-existed", repositoryID: nil, role: .production)))

        // Another repository takes the first name: it no longer leads to us.
        try await github.control("POST", "/_sandbox/repos", json: ["full_name": github.repository])
        let fresh = OwningRepository(name: transferred, id: id, github: moved)
        #expect(try await !fresh.owns(.init(repository: github.repository, repositoryID: nil, role: .production)))
        #expect(try await fresh.owns(.init(repository: renamed, repositoryID: nil, role: .production)))
    }
}

extension GitHubConfiguration {
    func with(repository fullName: String) throws -> GitHubConfiguration {
        var copy = self
        copy.repository = try GitHubRepository(fullName)
        return copy
    }
}
