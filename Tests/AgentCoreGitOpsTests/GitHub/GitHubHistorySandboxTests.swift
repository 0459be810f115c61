import Foundation
import Testing
@testable import AgentCoreGitOps

/// Commit order, branch tips and repository identity, against the emulator's commit graph.
@Suite(.heavy, .tags(.sandbox)) struct GitHubHistorySandboxTests {
    @Test func commitsCompareByAncestryNotByAge() async throws {
        let emulator = try await GitHubEmulator.shared()
        let github = try emulator.client()
        let branch = "history-\(UUID().uuidString.prefix(8))"
        let (a, b, c) = (GitHubEmulator.randomSHA(), GitHubEmulator.randomSHA(), GitHubEmulator.randomSHA())
        try await emulator.push(a, branch: branch)
        try await emulator.push(b, branch: branch)
        // c is a sibling of b: neither descends from the other.
        try await emulator.push(c, branch: branch + "-side", parents: [a])

        #expect(try await github.compareCommits(base: a, head: b).status == .ahead)
        #expect(try await github.compareCommits(base: b, head: a).status == .behind)
        #expect(try await github.compareCommits(base: b, head: b).status == .identical)
        #expect(try await github.compareCommits(base: b, head: c).status == .diverged)
        #expect(try await github.branchTip(branch) == b)
    }

}

extension GitHubEmulator {
    /// Pushes `sha` to `branch` (a new branch starts from the default branch's tip).
    func push(_ sha: String, branch: String, parents: [String]? = nil) async throws {
        var body: [String: Any] = ["sha": sha, "branch": branch]
        if let parents { body["parents"] = parents }
        try await control("POST", "/_sandbox/repos/\(repository)/push", json: body)
    }
}
