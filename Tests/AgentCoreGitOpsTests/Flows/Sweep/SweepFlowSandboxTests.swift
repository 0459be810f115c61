import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore sweep` as a process. It looks at every runtime in the account, so it runs in a
/// sandbox of its own: on the shared one it would clean up after other tests' closed pull requests.
@Suite(.tags(.sandbox, .process)) struct SweepFlowSandboxTests {
    @Test func deletesOnlyThisRepositorysRuntimesOfClosedPullRequests() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        let github = stage.github

        let (closedPR, closed) = try await stage.makePullRequestRuntime()
        try await github.control("POST", "/_sandbox/repos/\(stage.repository)/pulls/\(closedPR)/close")
        let (mergedPR, merged) = try await stage.makePullRequestRuntime()
        try await github.mergePullRequest(mergedPR, mergeSHA: GitHubEmulator.randomSHA())
        let (_, open) = try await stage.makePullRequestRuntime()
        // Another repository's pr_<n> for a number that is a closed PR here.
        let foreignPR = try await stage.openPullRequest()
        try await github.control("POST", "/_sandbox/repos/\(stage.repository)/pulls/\(foreignPR)/close")
        let (_, foreign) = try await stage.makePullRequestRuntime(owner: "someone/else", number: foreignPR)
        // Ours by tag, but GitHub knows no such pull request.
        let (unknownPR, unknown) = try await stage.makePullRequestRuntime(number: PromoteStage.foreignNumber())

        let dryRun = try await Self.sweep(stage, ["--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun)")
        #expect(dryRun.output.contains("pr_\(closedPR) (\(closed)), PR #\(closedPR): would delete"))
        #expect(dryRun.output.contains("PR #\(mergedPR): would delete"))
        #expect(dryRun.output.contains("::warning::") && dryRun.output.contains("#\(unknownPR) of \(stage.repository) was not found"))
        #expect(dryRun.summary.contains("dry run: nothing deleted"))
        for id in [closed, merged, open, foreign, unknown] { #expect(try await stage.runtimeExists(id), "\(id)") }

        let run = try await Self.sweep(stage, [])
        #expect(run.status == 0, "\(run)")
        #expect(try await !stage.runtimeExists(closed))
        #expect(try await !stage.runtimeExists(merged))
        for id in [open, foreign, unknown] { #expect(try await stage.runtimeExists(id), "\(id) must be kept") }
        #expect(run.summary.contains("| `pr_\(closedPR)` (`\(closed)`) | #\(closedPR) | deleted |"))
        #expect(run.summary.contains("kept: pull request open"))
        #expect(!run.summary.contains(foreign))
        #expect(run.summary.contains("| Versions of \(stage.prodName) | 2 | 1,000 | 998 |"))
        #expect(run.summary.contains("| Endpoints of \(stage.prodName) | 2 | 10 | 8 |"))
        #expect(run.summary.contains(", the fullest PR runtime | 2 | 10 | 8 |"))
        // prod, open, foreign and unknown remain.
        #expect(run.summary.contains("| Runtimes in this account and region | 4 | 1,000 | 996 |"))
        #expect(run.result.stdout.contains("Versions of \(stage.prodName): 2 of 1,000 used, 998 left"))

        let again = try await Self.sweep(stage, [])
        #expect(again.status == 0, "\(again)")
        #expect(!again.output.contains("deleted"))
    }

    @Test func missingGitHubSettingsFailBeforeAnything() async throws {
        let sandbox = try await Sandbox.shared()
        var environment = sandbox.awsEnvironment
        environment["GITHUB_REPOSITORY"] = "owner/repo"
        let result = try await runProcess(RepositoryPaths.executable("agentcore"), ["sweep"], environment: environment)
        #expect(result.status != 0)
        #expect(result.stderr.contains("GITHUB_TOKEN"))
    }

    /// `agentcore sweep` on the stage's repository as the scheduled workflow runs it; `extra` is
    /// added to the environment.
    static func sweep(_ stage: PromoteStage, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> PromoteRun {
        let summaryFile = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: summaryFile) }
        var environment = stage.sandbox.awsEnvironment
        environment.merge([
            "AGENTCORE_PROD_RUNTIME": stage.prodName,
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": stage.repository,
            "GITHUB_API_URL": stage.github.apiURL,
            "GITHUB_TOKEN": try #require(stage.github.tokens["bot"]),
            "GITHUB_STEP_SUMMARY": summaryFile.path,
        ]) { _, new in new }
        environment.merge(extra) { _, new in new }
        let result = try await runProcess(
            RepositoryPaths.executable("agentcore"), ["sweep", "--poll-interval", "0.1"] + arguments, environment: environment)
        return PromoteRun(result: result, summary: (try? String(contentsOf: summaryFile, encoding: .utf8)) ?? "")
    }
}
