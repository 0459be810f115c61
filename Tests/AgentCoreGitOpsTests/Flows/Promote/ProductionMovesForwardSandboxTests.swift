import Foundation
import Testing
@testable import AgentCoreGitOps

/// Production only moves forward, on purpose, to the code a person reviewed: each way the wrong
/// version could go live, driven through `prod-promote` and `prod-deploy` against the sandbox.
@Suite(.heavy, .tags(.sandbox, .process)) struct ProductionMovesForwardSandboxTests {
    /// Two approvals at once: while one holds the prod lease and moves prod to 3, the approval of 2
    /// waits, then reads the live version again and refuses instead of moving prod back.
    @Test func anApprovalThatWaitedForAnotherReadsTheLiveVersionAgain() async throws {
        let stage = try await PromoteStage.make(versions: 3, endpointAt: "1")
        let (issue, payload) = try await stage.approvedIssue(body: stage.metadataBody(version: "2", prRuntimeID: nil, prNumber: nil))

        // Another promotion holds the lease, as a concurrent prod-promote run would.
        let s3 = S3Client(client: try stage.sandbox.awsClient())
        let location = ProdLease.location(bucket: stage.sandbox.info.s3Bucket, runtimeName: stage.prodName, endpointName: PromoteStage.endpointName)
        let other = S3Lease(s3: s3, location: location, holder: LeaseHolder(key: "github-run:other", description: "the approval of version 3"))
        let held = try await other.acquire()

        async let run = stage.runPromote(eventName: "issues", payload: payload, runID: PromoteStage.newRunID())
        try await eventually("the approval of 2 waits for the lease", every: .milliseconds(100), attempts: 600) {
            try await stage.sandbox.loggedRequests().contains { $0.method == "PUT" && $0.path.hasSuffix(location.key) && $0.status == 412 }
        }
        _ = try await stage.control.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(
            agentRuntimeId: stage.prodID, endpointName: PromoteStage.endpointName, agentRuntimeVersion: "3"))
        try await stage.waiter.endpointReady(runtimeId: stage.prodID, name: PromoteStage.endpointName, version: "3")
        await other.release(held)

        let finished = try await run
        #expect(finished.status == 0, "\(finished)")
        #expect(finished.outputs["outcome"] == "refused")
        #expect(finished.output.contains("Waiting for the approval of version 3"))
        #expect(try await stage.liveVersion() == "3")
        let refusal = try #require(try await stage.botComments(issue, containing: "<!-- PROMOTION_REFUSED").first?.body)
        #expect(refusal.contains("older than version 3"))
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION:").isEmpty)
    }

    /// Someone who can edit the bot's issue changes the hidden version; the title and table still
    /// say 2. The approval of "version 2" must not put 3 live.
    @Test func editedHiddenMetadataIsRefusedNamingTheField() async throws {
        let stage = try await PromoteStage.make(versions: 3, endpointAt: "1")
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "2", prRuntimeID: nil, prNumber: nil))
        let original = try #require(try await stage.issue(issue).body)
        _ = try await stage.github.client("maintainer").updateIssue(
            number: issue, GitHubIssueUpdate(body: original.replacingOccurrences(of: "VERSION: 2", with: "VERSION: 3")))

        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.status == 0, "\(run)")
        #expect(run.outputs["outcome"] == "refused")
        #expect(try await stage.liveVersion() == "1")
        let refusal = try #require(try await stage.botComments(issue, containing: "<!-- PROMOTION_REFUSED").first?.body)
        #expect(refusal.contains("version: the hidden metadata says 3, the title says 2"))
    }

    /// The metadata agrees with the title and table, but not with what prod-deploy recorded for
    /// the commit: the issue was rewritten consistently, and still promotes nothing.
    @Test func metadataThatDisagreesWithTheRecordIsRefused() async throws {
        let stage = try await PromoteStage.make(versions: 3, endpointAt: "1")
        let body = try stage.metadataBody(version: "3", prRuntimeID: nil, prNumber: nil)
            .replacingOccurrences(of: stage.commits[2], with: stage.commits[1])  // version 3 claiming version 2's commit
        let issue = try await stage.deploymentIssue(body: body)
        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.outputs["outcome"] == "refused", "\(run)")
        #expect(try await stage.liveVersion() == "1")
        let refusal = try #require(try await stage.botComments(issue, containing: "<!-- PROMOTION_REFUSED").first?.body)
        #expect(refusal.contains("was deployed as version 2, the metadata says 3"))
    }

    /// Issue, title, table and record all agree, but the zip version 3 runs was replaced in S3
    /// after it was deployed: S3's checksum of the artifact (HeadObject) no longer matches the
    /// package the issue names, so nothing moves.
    @Test func anApprovalWhoseArtifactWasReplacedIsRefused() async throws {
        let stage = try await PromoteStage.make(versions: 3, endpointAt: "1")
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "3", prRuntimeID: nil, prNumber: nil))
        let code = try #require(try await stage.control.getAgentRuntime(id: stage.prodID, version: "3")
            .agentRuntimeArtifact?.codeConfiguration?.code.s3)
        let replacement = Data("PK\u{5}\u{6}".utf8 + Data(repeating: 1, count: 18))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("replaced-\(UUID().uuidString).zip")
        try replacement.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await S3Client(client: try stage.sandbox.awsClient()).putObject(bucket: code.bucket, key: code.prefix, fileURL: file)

        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.outputs["outcome"] == "refused", "\(run)")
        #expect(try await stage.liveVersion() == "1")
        let refusal = try #require(try await stage.botComments(issue, containing: "<!-- PROMOTION_REFUSED").first?.body)
        #expect(refusal.contains(
            "package SHA-256: version 3 runs code with SHA-256 \(SHA256Hasher.hash(replacement).hexString), the metadata says \(stage.packageSHA256)"),
            "\(refusal)")
    }

    /// GitHub keeps the original payload and sender in a re-run: the person who pressed re-run
    /// (`GITHUB_TRIGGERING_ACTOR`) must be allowed too.
    @Test func aReRunBySomeoneWithoutPermissionIsRefused() async throws {
        let stage = try await PromoteStage.make(versions: 2, endpointAt: "1")
        let (issue, payload) = try await stage.approvedIssue(body: stage.metadataBody(version: "2", prRuntimeID: nil, prNumber: nil))
        let run = try await stage.runPromote(
            eventName: "issues", payload: payload, runID: PromoteStage.newRunID(),
            environment: ["GITHUB_TRIGGERING_ACTOR": try stage.github.login("outsider")])
        #expect(run.outputs["outcome"] == "refused", "\(run)")
        #expect(try await stage.liveVersion() == "1")
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION_REFUSED").first?.body?.contains("re-running this run") == true)
    }

    /// A rollback or promotion must come from a person, never from a bot or app account.
    @Test func aDispatchSentByABotMovesNothing() async throws {
        let stage = try await PromoteStage.make(versions: 2, endpointAt: "2")
        let dispatch = try await stage.dispatchEvent(inputs: ["prod_runtime_version": "1"], sender: try stage.github.login("bot"))
        let run = try await stage.runPromote(eventName: "workflow_dispatch", payload: dispatch, runID: PromoteStage.newRunID())
        #expect(run.status != 0)
        #expect(run.output.contains("is a bot or app account"))
        #expect(try await stage.liveVersion() == "2")
    }

    /// A version built from a commit that does not descend from the live version's commit is not
    /// "newer", whatever its number: approving it would put older or unrelated code live.
    @Test func anApprovalMovesOnlyForwardInCommitOrder() async throws {
        let stage = try await PromoteStage.make(versions: 2, endpointAt: "2")
        // Version 3, built from a commit on a side branch of version 1's commit.
        let side = GitHubEmulator.randomSHA()
        try await stage.github.push(side, branch: "side-\(UUID().uuidString.prefix(6))", parents: [stage.commits[0]])
        let current = try await stage.control.getAgentRuntime(id: stage.prodID)
        var configuration = try #require(current.configuration)
        configuration.environmentVariables = ["BUILD": "side"]
        _ = try await stage.control.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: stage.prodID, configuration: configuration))
        try await stage.waiter.runtimeReady(id: stage.prodID)
        let s3 = S3Client(client: try stage.sandbox.awsClient())
        try await DeploymentRecords(s3: s3, bucket: stage.sandbox.info.s3Bucket, runtimeName: stage.prodName).record(DeploymentRecord(
            runtimeName: stage.prodName, version: "3", commitSHA: side, packageSHA256: stage.packageSHA256, pullRequest: nil,
            recordedAt: Date()))
        try await stage.recordSmokeTestPass(version: "3", commit: side)
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "3", prRuntimeID: nil, prNumber: nil, commit: side))
        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.outputs["outcome"] == "refused", "\(run)")
        #expect(try await stage.liveVersion() == "2")
        let refusal = try #require(try await stage.botComments(issue, containing: "<!-- PROMOTION_REFUSED").first?.body)
        #expect(refusal.contains("does not descend from version 2"))
    }
}
