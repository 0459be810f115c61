import Foundation
import Testing
@testable import AgentCoreGitOps

/// `pr-deploy` end to end: the executable against the sandbox, with the events GitHub sends.
@Suite("pr-deploy end to end", .heavy, .tags(.sandbox, .process))
struct PRDeploySandboxTests {
    /// A checkout of the small agent, over the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    /// The runtime id the bot's sticky comment records, checked to be the only sticky comment.
    private func recordedRuntimeID(_ fixture: FlowFixture, _ number: Int) async throws -> String? {
        let comments = try await fixture.botComments(on: number)
        try #require(comments.count == 1, "one sticky comment, found \(comments.count)")
        #expect(comments[0].body.contains(PRComment.marker))
        return try RuntimeIDMarker.parse(comments[0].body)
    }

    @Test("opened: creates pr_<n> version 1, stores its code, comments once; a rerun adds nothing")
    func openedCreatesVersionOne() async throws {
        let number = try await fixture.openPullRequest()

        let run = try await fixture.prDeploy("opened", number)
        #expect(run.succeeded, "\(run.process.output)")

        let runtime = try #require(try await fixture.runtime(named: "pr_\(number)"))
        #expect(runtime.status == .ready)
        #expect(try await fixture.versions(ofRuntime: runtime.agentRuntimeId) == ["1"])
        #expect(try await fixture.context().owningRepository.deletablePullRequest(
            name: runtime.agentRuntimeName, description: runtime.description) == number)
        #expect(runtime.environmentVariables == ["LOG_LEVEL": "DEBUG"])
        #expect(run.outputs["runtime_id"] == runtime.agentRuntimeId)
        #expect(run.outputs["runtime_version"] == "1")
        #expect(run.outputs["changed"] == "true")
        // The demo finds the sticky comment by this output, so it cannot drift from the tool's marker.
        #expect(run.outputs["comment_marker"] == PRComment.marker)

        let sha = try #require(run.outputs["package_sha256"])
        let packageKey = "pr_\(number)/packages/\(sha).zip"
        #expect(runtime.agentRuntimeArtifact?.codeConfiguration?.code.s3?.prefix == packageKey)
        #expect(try await fixture.sha256(ofKey: packageKey) == sha)
        #expect(try await fixture.sha256(ofKey: "pr_\(number)/v1/code.zip") == sha)

        #expect(try await recordedRuntimeID(fixture, number) == runtime.agentRuntimeId)
        let body = try #require(try await fixture.botComments(on: number).first?.body)
        for expected in ["version 1", "READY", sha, "--qualifier DEFAULT", runtime.agentRuntimeArn, "invoke-agent-runtime"] {
            #expect(body.contains(expected), "comment lacks \(expected)")
        }

        let rerun = try await fixture.prDeploy("opened", number)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        #expect(rerun.outputs["changed"] == "false")
        #expect(try await fixture.versions(ofRuntime: runtime.agentRuntimeId) == ["1"])
        #expect(try await recordedRuntimeID(fixture, number) == runtime.agentRuntimeId)
    }

    @Test("synchronize: no change makes no version; a change makes version 2 with its own v2 copy")
    func pushesAddVersionsOnlyForChanges() async throws {
        let first = FlowFixture.sha()
        let number = try await fixture.openPullRequest(headSHA: first)
        let opened = try await fixture.prDeploy("opened", number)
        #expect(opened.succeeded, "\(opened.process.output)")
        let id = try #require(opened.outputs["runtime_id"])

        let second = FlowFixture.sha()
        try await fixture.pushToPullRequest(number, headSHA: second)
        let unchanged = try await fixture.prDeploy("synchronize", number, before: first)
        #expect(unchanged.succeeded, "\(unchanged.process.output)")
        #expect(unchanged.outputs["changed"] == "false")
        #expect(unchanged.outputs["runtime_version"] == "1")
        #expect(try await fixture.versions(ofRuntime: id) == ["1"])
        let unchangedBody = try #require(try await fixture.botComments(on: number).first?.body)
        #expect(unchangedBody.contains("no new version"))
        #expect(unchangedBody.contains(second))

        try await fixture.pushChange("Hello again, changed", to: number)
        let changed = try await fixture.prDeploy("synchronize", number, before: second)
        #expect(changed.succeeded, "\(changed.process.output)")
        #expect(changed.outputs["runtime_id"] == id)
        #expect(changed.outputs["runtime_version"] == "2")
        #expect(changed.outputs["changed"] == "true")
        #expect(try await fixture.versions(ofRuntime: id) == ["1", "2"])
        let newSHA = try #require(changed.outputs["package_sha256"])
        #expect(newSHA != opened.outputs["package_sha256"])
        #expect(try await fixture.sha256(ofKey: "pr_\(number)/v2/code.zip") == newSHA)
        #expect(try await fixture.sha256(ofKey: "pr_\(number)/v1/code.zip") == opened.outputs["package_sha256"])
        #expect(try await recordedRuntimeID(fixture, number) == id)
        #expect(try #require(try await fixture.botComments(on: number).first?.body).contains("version 2"))

        let rerun = try await fixture.prDeploy("synchronize", number, before: second)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        #expect(try await fixture.versions(ofRuntime: id) == ["1", "2"])
        #expect(try await fixture.botComments(on: number).count == 1)
    }

    @Test("a fork's pull request is skipped with a notice, even without any AWS setting")
    func forkSkipped() async throws {
        let number = try await fixture.openPullRequest(fork: true)
        let run = try await fixture.prDeploy("opened", number, environment: [
            "AGENTCORE_ROLE_ARN": nil, "AGENTCORE_S3_BUCKET": nil, "AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil,
        ])
        #expect(run.succeeded, "\(run.process.output)")
        #expect(run.process.stdout.contains("::notice title=Fork pull request skipped::"))
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
        #expect(try await fixture.comments(on: number).isEmpty)
    }

    @Test("closed without merging: pr_<n> and its endpoints are deleted; a rerun is fine")
    func closedUnmergedDeletes() async throws {
        let number = try await fixture.openPullRequest()
        let opened = try await fixture.prDeploy("opened", number)
        let id = try #require(opened.outputs["runtime_id"])
        _ = try await fixture.agentCore().createAgentRuntimeEndpoint(
            CreateAgentRuntimeEndpointRequest(agentRuntimeId: id, name: "review", agentRuntimeVersion: "1"))

        try await fixture.close(number)
        let closed = try await fixture.prDeploy("closed", number)
        #expect(closed.succeeded, "\(closed.process.output)")
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
        let comments = try await fixture.botComments(on: number)
        #expect(comments.count == 1)
        #expect(comments.first?.body.contains("deleted") == true)
        #expect(try RuntimeIDMarker.parse(try #require(comments.first?.body)) == nil)
        // The code stays for the audit trail.
        #expect(try await fixture.sha256(ofKey: "pr_\(number)/v1/code.zip") == opened.outputs["package_sha256"])

        let rerun = try await fixture.prDeploy("closed", number)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        #expect(try await fixture.botComments(on: number).count == 1)

        // Reopened: a new runtime, recorded in the same comment.
        let reopened = try await fixture.prDeploy("reopened", number)
        #expect(reopened.succeeded, "\(reopened.process.output)")
        let newID = try #require(reopened.outputs["runtime_id"])
        #expect(newID != id)
        #expect(try await recordedRuntimeID(fixture, number) == newID)
    }

    @Test("closed by merging: pr_<n> stays for the promotion and the comment keeps its marker")
    func closedMergedKeeps() async throws {
        let number = try await fixture.openPullRequest()
        let opened = try await fixture.prDeploy("opened", number)
        let id = try #require(opened.outputs["runtime_id"])

        _ = try await fixture.merge(number)
        let closed = try await fixture.prDeploy("closed", number)
        #expect(closed.succeeded, "\(closed.process.output)")
        #expect(try await fixture.runtime(named: "pr_\(number)")?.agentRuntimeId == id)
        #expect(try await recordedRuntimeID(fixture, number) == id)
        #expect(try #require(try await fixture.botComments(on: number).first?.body).contains("merged"))

        let rerun = try await fixture.prDeploy("closed", number)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        #expect(try await fixture.runtime(named: "pr_\(number)")?.agentRuntimeId == id)
        #expect(try await recordedRuntimeID(fixture, number) == id)
    }

    @Test("a person's marker is never trusted: no deploy to, and no delete of, the runtime it names")
    func personsMarkerIgnored() async throws {
        let victimNumber = try await fixture.openPullRequest()
        let victim = try #require(try await fixture.prDeploy("opened", victimNumber).outputs["runtime_id"])

        let number = try await fixture.openPullRequest()
        try await fixture.comment(as: "maintainer", on: number, body: "\(PRComment.marker)\n<!-- RUNTIME_ID: \(victim) -->")
        let run = try await fixture.prDeploy("opened", number)
        #expect(run.succeeded, "\(run.process.output)")
        let own = try #require(run.outputs["runtime_id"])
        #expect(own != victim)
        #expect(own.hasPrefix("pr_\(number)-"))
        #expect(try await fixture.versions(ofRuntime: victim) == ["1"])
        #expect(try await fixture.comments(on: number).count == 2)

        // A stale marker of our own would be checked too; a person's pointing elsewhere is not read.
        try await fixture.close(number)
        #expect(try await fixture.prDeploy("closed", number).succeeded)
        #expect(try await fixture.runtime(named: "pr_\(victimNumber)")?.agentRuntimeId == victim)
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
    }

    @Test("a pr_<n> runtime without our tag is neither updated nor deleted")
    func foreignRuntimeLeftAlone() async throws {
        let number = try await fixture.openPullRequest()
        let foreign = try await fixture.createForeignRuntime(named: "pr_\(number)")

        let run = try await fixture.prDeploy("opened", number)
        #expect(run.process.status == 1)
        #expect(run.process.stdout.contains("::error title=pr-deploy failed::"))
        #expect(run.process.stdout.contains("not created by agentcore-gitops"))
        #expect(try await fixture.versions(ofRuntime: foreign.agentRuntimeId) == ["1"])
        // The pull request hears why, and the foreign runtime is not recorded as its own.
        let comments = try await fixture.comments(on: number)
        #expect(comments.count == 1 && comments[0].body.contains("not created by agentcore-gitops"), "\(comments)")
        #expect(try await fixture.onlyAFailedComment(on: number))

        try await fixture.close(number)
        let closed = try await fixture.prDeploy("closed", number)
        #expect(closed.succeeded, "\(closed.process.output)")
        #expect(closed.process.stdout.contains("::warning"))
        #expect(try await fixture.runtime(named: "pr_\(number)")?.agentRuntimeId == foreign.agentRuntimeId)
    }

    @Test("missing settings: a clear error naming them, and nothing done")
    func missingSettings() async throws {
        let number = try await fixture.openPullRequest()
        let run = try await fixture.prDeploy("opened", number, environment: ["AGENTCORE_ROLE_ARN": nil, "AGENTCORE_S3_BUCKET": ""])
        #expect(run.process.status == 1)
        #expect(run.process.stdout.contains("::error title=pr-deploy failed::"))
        #expect(run.process.stdout.contains("AGENTCORE_ROLE_ARN is not set"))
        #expect(run.process.stdout.contains("AGENTCORE_S3_BUCKET is not set"))
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
        #expect(try await fixture.comments(on: number).isEmpty)
    }

    @Test("a broken agentcore.json fails before anything is deployed, and the pull request hears why")
    func badRuntimeSettings() async throws {
        try fixture.checkout.file("agent/agentcore.json", #"{"python": 3.11}"#)
        let number = try await fixture.openPullRequest()
        let run = try await fixture.prDeploy("opened", number)
        #expect(run.process.status == 1)
        #expect(run.process.stdout.contains("python must be a string"))
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
        let comments = try await fixture.comments(on: number)
        #expect(comments.count == 1 && comments[0].body.contains("python must be a string"), "\(comments)")
        #expect(try await fixture.onlyAFailedComment(on: number))
    }

    @Test("the real agent in agent/ deploys with its ARM64 dependencies")
    func realAgent() async throws {
        let fixture = try await FlowFixture(realAgent: true)
        let number = try await fixture.openPullRequest()
        let run = try await fixture.prDeploy("opened", number)
        #expect(run.succeeded, "\(run.process.output)")
        let sha = try #require(run.outputs["package_sha256"])
        let info = try #require(try await fixture.s3().headObject(
            bucket: fixture.sandbox.info.s3Bucket, key: "pr_\(number)/v1/code.zip"))
        #expect(info.size > 1_000_000, "the dependencies are in the package")
        #expect(try await fixture.sha256(ofKey: "pr_\(number)/v1/code.zip") == sha)
    }
}
