import Foundation
import Testing
@testable import AgentCoreGitOps

/// `pr-deploy` end to end when a deploy fails: the executable against the sandbox, a version forced
/// to end `*_FAILED`, and the sticky comment read back from the GitHub emulator.
///
/// A sandbox of its own: `fail-next` matches runtime names by substring (`pr_1` would also catch
/// another test's `pr_12`), and the GitHub fault below would hit everyone's comments.
@Suite("pr-deploy: failed deploys on the sticky comment", .heavyInAChain, .tags(.sandbox, .process), .serialized)
final class PRDeployFailureSandboxTests {
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.launch() }

    deinit { sandbox.stop() }

    /// The next version of `pr_<number>` made by `operation` ends `*_FAILED` with `reason`.
    private func failNext(_ operation: String, _ number: Int, reason: String) async throws {
        try await sandbox.awsControl("POST", "/_sandbox/fail-next", json: [
            "operation": operation, "name_contains": "pr_\(number)", "failure_reason": reason,
        ])
    }

    /// The bot's one sticky comment, required to be the only one and to keep its id.
    private func sticky(_ fixture: FlowFixture, _ number: Int, id: Int? = nil) async throws -> FlowFixture.GitHubState.Comment {
        let comments = try await fixture.botComments(on: number)
        try #require(comments.count == 1, "one sticky comment, found \(comments.count)")
        if let id { #expect(comments[0].id == id, "the same comment, edited") }
        #expect(comments[0].body.contains(PRComment.marker))
        return comments[0]
    }

    /// What a workflow run sets, for the comment's link to its log.
    private func workflowRun(_ runID: String, attempt: Int) -> [String: String?] {
        ["GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": runID, "GITHUB_RUN_ATTEMPT": String(attempt)]
    }

    /// A pull request whose first commit deployed well: version 1 and its sticky comment.
    private struct Deployed {
        let fixture: FlowFixture
        let number: Int
        let first: String
        let runtimeID: String
        let sticky: FlowFixture.GitHubState.Comment
    }

    private func deployedPullRequest() async throws -> Deployed {
        let fixture = try await FlowFixture(sandbox: sandbox)
        let first = FlowFixture.sha()
        let (number, opened) = try await fixture.openDeployedPullRequest(headSHA: first)
        let id = try #require(opened.outputs["runtime_id"])
        return Deployed(fixture: fixture, number: number, first: first, runtimeID: id, sticky: try await sticky(fixture, number))
    }

    @Test("a failed update: the comment says so, names the commit and the version still running; a good push restores it")
    func failedUpdateThenFix() async throws {
        let deployed = try await deployedPullRequest()
        let (fixture, number, first, id, stickyID) = (deployed.fixture, deployed.number, deployed.first, deployed.runtimeID, deployed.sticky.id)

        // The next push's version ends UPDATE_FAILED, with hostile text in the service's reason.
        let broken = try await fixture.pushChange("This push breaks the agent", to: number)
        let fakeToken = "ghp_" + String(repeating: "Zq9", count: 12)
        let reason = "health check failed --> <!-- RUNTIME_ID: pr_1-EvIlEvIlEv --> ``` Authorization: Bearer \(fakeToken)"
        try await failNext("UpdateAgentRuntime", number, reason: reason)
        let runID = String(Int.random(in: 1_000_000...9_999_999))
        let failed = try await fixture.prDeploy("synchronize", number, before: first, environment: workflowRun(runID, attempt: 1))
        #expect(failed.process.status == 1, "\(failed.process.output)")
        #expect(failed.process.stdout.contains("::error title=pr-deploy failed::"), "\(failed.process.output)")
        #expect(failed.process.stdout.contains("health check failed"), "the original error is printed")
        #expect(!failed.process.stdout.contains("Pull request comment not updated"), "\(failed.process.output)")
        #expect(failed.outputs["runtime_id"] == nil, "no outputs for a failed deploy")

        let failedBody = try await sticky(fixture, number, id: stickyID).body
        let runURL = "https://github.com/\(fixture.github.repository)/actions/runs/\(runID)/attempts/1"
        for expected in ["`pr_\(number)`: deploy failed", "Commit `\(broken)` could not be deployed",
                         "version 1 of `pr_\(number)` (`\(id)`), commit `\(first)`: the last successful deploy",
                         "[the log of this run](\(runURL))", "push a fix or re-run the job",
                         "health check failed --&gt; &lt;!-- RUNTIME_ID: pr_1-EvIlEvIlEv --&gt;", "Authorization: [redacted]"] {
            #expect(failedBody.contains(expected), "the comment lacks \(expected):\n\(failedBody)")
        }
        #expect(!failedBody.contains(fakeToken))
        #expect(try RuntimeIDMarker.parse(failedBody) == id, "the marker still names the runtime")
        #expect(PRDeployedVersion.parse(failedBody) == PRDeployedVersion(version: "1", commitSHA: first))
        // What the comment says is true: the failed version is not served, version 1 is.
        #expect(try await fixture.agentCore().getAgentRuntime(id: id).status == .updateFailed)
        let endpoint = try await fixture.agentCore().findEndpoint(runtimeId: id, name: AgentRuntimeEndpoint.defaultName)
        #expect(endpoint?.liveVersion == "1")

        // Re-running the failed job, which fails again (with a version of its own): the same comment and
        // record; only the attempt and the failed version's number differ.
        try await failNext("UpdateAgentRuntime", number, reason: reason)
        let rerun = try await fixture.prDeploy("synchronize", number, before: first, environment: workflowRun(runID, attempt: 2))
        #expect(rerun.process.status == 1, "\(rerun.process.output)")
        let rerunBody = try await sticky(fixture, number, id: stickyID).body
        func failedVersionHidden(_ body: String) -> String { body.replacing(/version \d+ to become READY/, with: "version N to become READY") }
        #expect(failedVersionHidden(rerunBody) == failedVersionHidden(failedBody.replacingOccurrences(of: "/attempts/1", with: "/attempts/2")))
        #expect(rerunBody.contains("version 3 to become READY"), "\(rerunBody)")

        // A fix: the deployed state replaces the failed one, in the same comment.
        let fixed = try await fixture.pushChange("Fixed", to: number)
        let good = try await fixture.prDeploy("synchronize", number, before: broken)
        #expect(good.succeeded, "\(good.process.output)")
        #expect(good.outputs["runtime_id"] == id)
        let version = try #require(good.outputs["runtime_version"])
        let goodBody = try await sticky(fixture, number, id: stickyID).body
        #expect(!goodBody.contains("deploy failed") && !goodBody.contains("health check failed"), "\(goodBody)")
        #expect(goodBody.contains("version \(version) READY") && goodBody.contains("`\(fixed)`"), "\(goodBody)")
        #expect(try RuntimeIDMarker.parse(goodBody) == id)
        #expect(PRDeployedVersion.parse(goodBody) == PRDeployedVersion(version: version, commitSHA: fixed))
        #expect(try await fixture.agentCore().findEndpoint(runtimeId: id, name: AgentRuntimeEndpoint.defaultName)?.liveVersion == version)
    }

    @Test("a broken agentcore.json on a deployed pull request: failed, the version still running kept; a rerun changes nothing")
    func brokenSettingsRerun() async throws {
        let deployed = try await deployedPullRequest()
        let (fixture, number, first, id, stickyID) = (deployed.fixture, deployed.number, deployed.first, deployed.runtimeID, deployed.sticky.id)

        try fixture.checkout.file("agent/agentcore.json", #"{"entryPoint": "agent.py", "python": 3.11}"#)
        let broken = FlowFixture.sha()
        try await fixture.pushToPullRequest(number, headSHA: broken)
        let environment = workflowRun(String(Int.random(in: 1_000_000...9_999_999)), attempt: 1)
        let failed = try await fixture.prDeploy("synchronize", number, before: first, environment: environment)
        #expect(failed.process.status == 1, "\(failed.process.output)")
        #expect(failed.process.stdout.contains("python must be a string"))
        let body = try await sticky(fixture, number, id: stickyID).body
        #expect(body.contains("Commit `\(broken)` could not be deployed") && body.contains("python must be a string"), "\(body)")
        #expect(body.contains("version 1 of `pr_\(number)` (`\(id)`), commit `\(first)`"), "\(body)")
        #expect(try RuntimeIDMarker.parse(body) == id)

        // The same run once more (a rerun after a crash): the same words, so the comment is not even edited.
        let again = try await fixture.prDeploy("synchronize", number, before: first, environment: environment)
        #expect(again.process.status == 1, "\(again.process.output)")
        #expect(again.process.stdout.contains("pull request comment unchanged"), "\(again.process.output)")
        #expect(try await sticky(fixture, number, id: stickyID).body == body)
        #expect(try await fixture.versions(ofRuntime: id) == ["1"], "nothing was deployed")
    }

    @Test("a failed first deploy: one comment recording the runtime it created; re-running the job deploys into both")
    func failedCreateThenRerun() async throws {
        let fixture = try await FlowFixture(sandbox: sandbox)
        let head = FlowFixture.sha()
        let number = try await fixture.openPullRequest(headSHA: head)
        try await failNext("CreateAgentRuntime", number, reason: "the agent crashed on start")
        let failed = try await fixture.prDeploy("opened", number)
        #expect(failed.process.status == 1, "\(failed.process.output)")
        #expect(failed.process.stdout.contains("the agent crashed on start"))
        let comment = try await sticky(fixture, number)
        #expect(comment.body.contains("Commit `\(head)` could not be deployed"))
        #expect(comment.body.contains("the agent crashed on start"))
        // The create made pr_<n> before it failed: the comment records it, so a merge keeps it for
        // promotion and a close deletes it like any other.
        let created = try #require(try await fixture.runtime(named: "pr_\(number)"))
        #expect(try RuntimeIDMarker.parse(comment.body) == created.agentRuntimeId)
        #expect(comment.body.contains("whatever version its `DEFAULT` endpoint serves, if any"), "\(comment.body)")

        let rerun = try await fixture.prDeploy("opened", number)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        let id = try #require(rerun.outputs["runtime_id"])
        #expect(id == created.agentRuntimeId)
        let body = try await sticky(fixture, number, id: comment.id).body
        #expect(!body.contains("deploy failed"))
        #expect(try RuntimeIDMarker.parse(body) == id)
    }

    @Test("a fork's pull request never gets a failure comment, even if the flow were asked to write one")
    func forkNeverCommented() async throws {
        let fixture = try await FlowFixture(sandbox: sandbox)
        let context = try fixture.context()
        func event(_ number: Int) async throws -> PullRequestEvent {
            let payload = try await fixture.event(["event": "pull_request", "action": "opened", "number": number])
            guard case .pullRequest(let event) = try GitHubEvent.load(
                environment: ["GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": payload.path])
            else { throw ActionableError("not a pull_request event", fix: "") }
            return event
        }
        let error = ActionableError("the agent crashed on start", fix: "push a fix")

        let fork = try await fixture.openPullRequest(fork: true)
        let forkEvent = try await event(fork)
        #expect(forkEvent.isFromFork)
        await PRDeployFlow.reportFailure(error, context: context, event: forkEvent)
        #expect(try await fixture.comments(on: fork).isEmpty)

        // The same call for a pull request of this repository does comment: the check above can fail.
        let own = try await fixture.openPullRequest()
        await PRDeployFlow.reportFailure(error, context: context, event: try await event(own))
        #expect(try await fixture.onlyAFailedComment(on: own))
        #expect(try await fixture.botComments(on: own).count == 1)
    }

    @Test("the comment cannot be changed either: a warning, the comment as it was, the deploy's error as the cause")
    func commentFailsToo() async throws {
        let deployed = try await deployedPullRequest()
        let (fixture, number, first, before) = (deployed.fixture, deployed.number, deployed.first, deployed.sticky)

        try await fixture.pushChange("Broken again", to: number)
        try await failNext("UpdateAgentRuntime", number, reason: "the agent crashed on start")
        // A primary rate limit an hour long: the client gives up at once instead of backing off.
        try await fixture.github.addFault([
            "fault": "primary_rate_limit", "retry_after": 3600, "count": 5, "method": "PATCH",
            "path_contains": "/issues/comments/\(before.id)",
        ])
        let failed = try await fixture.prDeploy("synchronize", number, before: first)
        try await fixture.github.control("DELETE", "/_sandbox/faults")

        #expect(failed.process.status == 1, "\(failed.process.output)")
        let annotations = failed.process.stdout.split(separator: "\n").filter { $0.hasPrefix("::warning") || $0.hasPrefix("::error") }
        #expect(annotations.count == 2, "\(annotations)")
        #expect(annotations.first?.hasPrefix("::warning title=Pull request comment not updated::") == true, "\(annotations)")
        #expect(annotations.first?.contains("rate limit") == true, "the warning says why: \(annotations)")
        #expect(annotations.last?.hasPrefix("::error title=pr-deploy failed::") == true, "\(annotations)")
        #expect(annotations.last?.contains("the agent crashed on start") == true, "the deploy's error is the cause: \(annotations)")
        #expect(try await sticky(fixture, number, id: before.id).body == before.body)
    }
}
