import Foundation
import Testing
@testable import AgentCoreGitOps

/// `createCommitStatus` against the GitHub emulator: the smoke test's status on a commit, as
/// branch protection reads it back.
@Suite(.heavy, .tags(.sandbox)) struct CommitStatusSandboxTests {
    struct State: Decodable { let statuses: [Status] }
    struct Status: Decodable {
        let sha: String
        let state: String
        let context: String
        let description: String?
        let target_url: String?
        let creator: GitHubUser?
    }

    @Test func aSmokeTestResultBecomesTheCommitsStatus() async throws {
        let emulator = try await GitHubEmulator.shared()
        let sha = GitHubEmulator.randomSHA()
        _ = try await emulator.openPullRequest(headSHA: sha)
        let github = try emulator.client()
        let failed = SmokeTestResult(
            passed: false, runtimeARN: SmokeTestTests.arn, endpoint: "DEFAULT", latency: .seconds(3),
            reason: "InvokeAgentRuntime on runtime pr_7 (pr_7-AbCdEfGhIj), endpoint DEFAULT: the agent failed "
                + String(repeating: "because ", count: 30))
        let passed = SmokeTestResult(passed: true, runtimeARN: SmokeTestTests.arn, endpoint: "DEFAULT", latency: .milliseconds(1250))
        let run = "https://github.com/\(emulator.repository)/actions/runs/42"

        for result in [failed, passed] {
            let created = try await github.reportSmokeTest(result, sha: sha, targetURL: run)
            #expect(created.state == result.commitState && created.context == "agentcore/smoke-test")
            #expect(created.creator?.login == "github-actions[bot]")
        }

        let state = try JSONDecoder().decode(State.self, from: try await emulator.control("GET", "/_sandbox/state"))
        let statuses = state.statuses.filter { $0.sha == sha }
        #expect(statuses.map(\.state) == ["failure", "success"], "in the order reported")
        #expect(statuses.allSatisfy { $0.context == "agentcore/smoke-test" && $0.target_url == run })
        #expect(statuses.last?.description == "Endpoint DEFAULT answered in 1.25 s")
        #expect(statuses.first?.description?.unicodeScalars.count == GitHubCommitStatus.maxDescriptionLength)
    }

    @Test func aTokenThatMayNotWriteStatusesIsToldWhichPermissionToAdd() async throws {
        let emulator = try await GitHubEmulator.shared()
        let sha = GitHubEmulator.randomSHA()
        _ = try await emulator.openPullRequest(headSHA: sha)

        let error = try await #require(throws: GitHubError.self) {
            try await emulator.client("triage").createCommitStatus(
                sha: sha, state: .pending, context: SmokeTest.statusContext, description: nil, targetURL: nil)
        }
        #expect(error.apiFailure?.status == 403)
        #expect(error.description.contains("could not create a commit status"))
        #expect(error.description.contains("add `statuses: write` to the workflow's `permissions:` block"), "\(error)")
    }
}
