import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore sweep` as a process. It looks at every runtime in the account, so it runs in a
/// sandbox of its own: on the shared one it would clean up after other tests' closed pull requests.
@Suite(.heavy, .tags(.sandbox, .process)) struct SweepFlowSandboxTests {
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

    @Test("a merged PR's runtime stays while the bot's deployment issue naming it is open; people's issues, comments and labels change nothing")
    func keepsRuntimesAwaitingPromotion() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 1, endpointAt: nil)
        let bot = try stage.github.client()
        let maintainer = try stage.github.client("maintainer")
        func mergedRuntime() async throws -> (Int, String) {
            let (number, id) = try await stage.makePullRequestRuntime()
            try await stage.github.mergePullRequest(number, mergeSHA: GitHubEmulator.randomSHA())
            return (number, id)
        }
        func metadata(_ pull: (Int, String)) throws -> String {
            try stage.metadataBody(version: "1", prRuntimeID: pull.1, prNumber: pull.0)
        }

        // Named by the bot's open deployment issue, whose labels a person has taken off.
        let awaiting = try await mergedRuntime()
        let open = try await stage.deploymentIssue(body: try metadata(awaiting))
        for label in DeploymentLabels.newDeployment { try await maintainer.removeLabel(issue: open, label: label.name) }
        // Named only by people: an issue with a copied metadata block, a comment on the bot's issue.
        let copied = try await mergedRuntime()
        _ = try await stage.deploymentIssue(body: try metadata(copied), author: "maintainer")
        let commented = try await mergedRuntime()
        _ = try await maintainer.createComment(issue: open, body: try metadata(commented))
        // Its deployment issue was closed (superseded, or the version will not be promoted).
        let superseded = try await mergedRuntime()
        _ = try await bot.closeIssue(number: try await stage.deploymentIssue(body: try metadata(superseded)), reason: .notPlanned)

        let run = try await Self.sweep(stage, [])
        #expect(run.status == 0, "\(run)")
        #expect(try await stage.runtimeExists(awaiting.1))
        #expect(run.summary.contains("| `pr_\(awaiting.0)` (`\(awaiting.1)`) | #\(awaiting.0) | kept: its deployment issue is open |"))
        #expect(run.output.contains("the open deployment issue #\(open) deletes it at promotion"))
        for (number, id) in [copied, commented, superseded] {
            #expect(try await !stage.runtimeExists(id), "pr_\(number) must be deleted")
        }

        // Metadata of the bot's that cannot be read may name a runtime: nothing is deleted.
        let later = try await mergedRuntime()
        let broken = try await stage.deploymentIssue(body: try metadata(later) + "\n\n" + (try metadata(awaiting)))
        let refused = try await Self.sweep(stage, [])
        #expect(refused.status != 0)
        #expect(refused.output.contains("the open issue #\(broken) cannot be read") && refused.output.contains("Ambiguous"))
        #expect(try await stage.runtimeExists(later.1))

        // Once the issues are closed (promoted), the runtimes go.
        for issue in [broken, open] { _ = try await bot.closeIssue(number: issue) }
        let after = try await Self.sweep(stage, [])
        #expect(after.status == 0, "\(after)")
        for id in [awaiting.1, later.1] { #expect(try await !stage.runtimeExists(id)) }
    }

    @Test("after a rename, runtimes tagged by the old name are still swept; a tag with another id is not ours")
    func renamedRepository() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let before = try await PromoteStage.make(sandbox: sandbox, versions: 1, endpointAt: nil)
        let oldName = before.repository
        let id = try #require(try await before.github.client().getRepository(GitHubRepository(oldName)).id)
        let renamed = "\(try #require(oldName.split(separator: "/").first))/renamed-\(UUID().uuidString.prefix(8).lowercased())"
        try await before.github.control("PATCH", "/_sandbox/repos/\(oldName)", json: ["full_name": renamed])
        let github = before.github
        let stage = PromoteStage(
            sandbox: sandbox, github: GitHubEmulator(sandbox: sandbox, apiURL: github.apiURL, repository: renamed,
                                                     tokens: github.tokens, logins: github.logins),
            control: before.control, waiter: before.waiter, prodName: before.prodName, prodID: before.prodID,
            commits: before.commits, packageSHA256: before.packageSHA256)

        // Closed pull requests: one runtime tagged by the old name alone, one by another repository's id.
        let (oldPR, oldTagged) = try await stage.makePullRequestRuntime(owner: oldName)
        try await stage.github.control("POST", "/_sandbox/repos/\(renamed)/pulls/\(oldPR)/close")
        let otherPR = try await stage.openPullRequest()
        try await stage.github.control("POST", "/_sandbox/repos/\(renamed)/pulls/\(otherPR)/close")
        let foreign = try await PromoteStage.makeRuntime(
            name: RuntimeOwnership.prRuntimeName(otherPR), versions: 1,
            description: RuntimeOwnership.description(nil, repository: renamed, repositoryID: id + 1, role: .pullRequest(otherPR)),
            sandbox: sandbox, control: stage.control, waiter: stage.waiter)

        let run = try await Self.sweep(stage, [], environment: ["GITHUB_REPOSITORY_ID": String(id)])
        #expect(run.status == 0, "\(run)")
        #expect(try await !stage.runtimeExists(oldTagged))
        #expect(try await stage.runtimeExists(foreign))
        #expect(!run.summary.contains(foreign))
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
