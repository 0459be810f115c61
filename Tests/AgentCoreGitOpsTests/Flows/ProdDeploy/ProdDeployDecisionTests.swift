import Foundation
import Testing
@testable import AgentCoreGitOps

/// prod-deploy's decisions in-process over the in-memory AgentCore, S3 and GitHub.
@Suite("prod-deploy decisions, in memory")
struct ProdDeployDecisionTests {
    let flows: InMemoryFlows

    init() throws { flows = try InMemoryFlows() }

    @Test("a merge: a new prod version and one deployment issue whose metadata names it and the PR runtime")
    func aMergeMakesAVersionAndAnIssue() async throws {
        let merge = try await flows.deployedMerge()

        let prodIDs = flows.agentCore.runtimeIDs(named: "prod")
        #expect(prodIDs == [merge.deployment.runtimeID])
        #expect(merge.deployment.version == "1")
        let prod = try #require(flows.agentCore.latest(of: merge.deployment.runtimeID))
        #expect(RuntimeOwnership.owner(fromDescription: prod.description)?.role == .production)
        #expect(flows.agentCore.endpoint(of: prod.agentRuntimeId, named: "prod") == nil, "prod-deploy does not move the prod endpoint")

        let issues = flows.github.allIssues
        #expect(issues.map(\.number) == [merge.issue])
        let issue = try #require(issues.first)
        #expect(Set(issue.labels.map(\.name)) == Set(DeploymentLabels.newDeployment.map(\.name)))
        let metadata = try #require(try flows.github.trustedMarkers.deploymentMetadata(in: issue))
        #expect(metadata.runtimeID == prod.agentRuntimeId && metadata.version == "1")
        #expect(metadata.prRuntimeID == merge.prRuntimeID && metadata.prNumber == merge.pullRequest)
        #expect(flows.github.calls("createIssue").count == 1)
    }

    @Test("a rerun of the same commit finds its issue: no version, no second issue")
    func aRerunAddsNothing() async throws {
        let number = flows.github.openPullRequest()
        let merge = flows.github.merge(number)
        guard case .deployed(let issue, _) = try await flows.prodDeploy(after: merge) else {
            Issue.record("the first run did not deploy")
            return
        }
        let changesBefore = flows.agentCore.changes

        #expect(try await flows.prodDeploy(after: merge) == .alreadyDeployed(issue: issue))
        #expect(flows.agentCore.changes == changesBefore)
        #expect(flows.github.calls("createIssue").count == 1)
        #expect(flows.github.allIssues.count == 1)
    }

    @Test("the next merge with a changed agent: version 2 of the same runtime, with an issue of its own")
    func theNextMergeMakesVersionTwo() async throws {
        let first = try await flows.deployedMerge()
        try flows.writeAgent("A changed agent")
        let second = try await flows.deployedMerge()

        #expect(second.deployment.runtimeID == first.deployment.runtimeID)
        #expect(second.deployment.version == "2" && second.deployment.previousVersion == "1")
        #expect(flows.agentCore.versionNumbers(of: first.deployment.runtimeID) == ["1", "2"])
        #expect(flows.github.allIssues.map(\.number) == [first.issue, second.issue])
    }

    @Test("a direct push to main: a version and an issue that names no pull-request runtime")
    func aDirectPushHasNoPullRequestRuntime() async throws {
        guard case .deployed(let number, let deployment) = try await flows.prodDeploy(after: flows.github.pushToMain(), message: "Fix a typo") else {
            Issue.record("the push was not deployed")
            return
        }
        #expect(deployment.version == "1")
        let issue = try #require(flows.github.issue(number))
        let metadata = try #require(try flows.github.trustedMarkers.deploymentMetadata(in: issue))
        #expect(metadata.prRuntimeID == nil && metadata.prNumber == nil)
        #expect(flows.github.calls("pullRequestsForCommit").count == 1)
    }

    @Test("a person's comment that copies the runtime marker is not trusted: the issue names no PR runtime")
    func aCopiedMarkerIsNotTrusted() async throws {
        let number = flows.github.openPullRequest()
        flows.github.seedComment(
            on: number, body: "\(PRComment.marker)\n<!-- RUNTIME_ID: pr_\(number)-AbCdEfGhIj -->", by: "mallory")
        let merge = flows.github.merge(number)

        guard case .deployed(let issueNumber, _) = try await flows.prodDeploy(after: merge) else {
            Issue.record("the merge was not deployed")
            return
        }
        let issue = try #require(flows.github.issue(issueNumber))
        let metadata = try #require(try flows.github.trustedMarkers.deploymentMetadata(in: issue))
        #expect(metadata.prNumber == number)
        #expect(metadata.prRuntimeID == nil)
    }

    /// A run that stops once AWS made version 2 but before writing its declared-settings record,
    /// and a newer merge that deploys before anyone reruns it: version 2 must still get its
    /// record, or every pull request's plan says "no settings record" once prod serves it.
    @Test("a version whose run stopped before recording it: the next deploy records it, and a pull request plans against it")
    func aVersionLeftWithoutItsRecordGetsIt() async throws {
        let secret = "prod-secret-value-9Xw4"
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt", "tags": {"team": "jokes"},
             "environments": {"prod": {"environmentVariables": {"API_KEY": "${PROD_API_KEY}"}}}}
            """)
        flows.environment["PROD_API_KEY"] = secret
        let prodID = try await flows.deployedMerge().deployment.runtimeID

        let recordKey = "prod/deployed/versions/2.json"
        try flows.writeAgent("Version two")
        let second = flows.github.merge(flows.github.openPullRequest())
        flows.s3.denyAccess { operation, key in operation == "PutObject" && key == recordKey }
        await #expect(throws: AWSError.self) { try await flows.prodDeploy(after: second) }
        flows.s3.denyAccess { _, _ in false }
        #expect(flows.agentCore.versionNumbers(of: prodID) == ["1", "2"])
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: recordKey) == nil)

        try flows.writeAgent("Version three")
        let third = flows.github.merge(flows.github.openPullRequest())
        guard case .deployed(_, let deployment) = try await flows.prodDeploy(after: third) else {
            Issue.record("the newer merge was not deployed")
            return
        }
        #expect(deployment.version == "3")

        let stored = try #require(flows.s3.object(bucket: InMemoryFlows.bucket, key: recordKey), "version 2 has no record")
        #expect(!String(decoding: stored.bytes, as: UTF8.self).contains(secret), "the record is the pull-request role's to read")
        let record = try AgentCoreJSON.decoder.decode(DeclaredSettingsRecord.Record.self, from: stored.bytes)
        let versionTwo = try #require(try await flows.agentCore.getAgentRuntime(id: prodID, version: "2").configuration)
        #expect(record.version == "2" && record.tags == ["team": "jokes"])
        #expect(record.configuration.agentRuntimeArtifact == versionTwo.agentRuntimeArtifact)
        #expect(record.configuration.environmentVariables == ["API_KEY": "${PROD_API_KEY}"])

        // Someone rolls prod back to version 2; a pull request's plan compares with its record.
        flows.agentCore.seedEndpoint(runtimeID: prodID, name: "prod", version: "2")
        flows.environment["PROD_API_KEY"] = nil
        guard case .deployed(let report) = try await flows.prDeploy("opened", flows.github.openPullRequest()) else {
            Issue.record("the pull request was not deployed")
            return
        }
        #expect(report.noPlanReason == nil && report.plan?.liveVersion == "2", "\(report.noPlanReason ?? "")")
    }

    /// A version made by hand from the stopped run's one, adding a setting this tool never sends
    /// (`metadataConfiguration` in the console), sends what the declaration sent and more: no record.
    @Test("a hand-made version with settings the tool never sends gets no record from the declaration it otherwise matches")
    func aVersionWithHandMadeSettingsGetsNoRecordFromADeclaration() async throws {
        let prodID = try await flows.deployedMerge().deployment.runtimeID
        try flows.writeAgent("Version two")
        let second = flows.github.merge(flows.github.openPullRequest())
        flows.s3.denyAccess { operation, key in operation == "PutObject" && key == "prod/deployed/versions/2.json" }
        await #expect(throws: AWSError.self) { try await flows.prodDeploy(after: second) }
        flows.s3.denyAccess { _, _ in false }
        for _ in 0..<5 where try await flows.agentCore.getAgentRuntime(id: prodID).status != .ready {}  // version 2 settles

        let same = try #require(flows.agentCore.latest(of: prodID)?.configuration)
        _ = try await flows.agentCore.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: prodID, configuration: same))
        flows.agentCore.settleLatest(of: prodID, as: .ready)
        flows.agentCore.setUnmanagedSettings(["metadataConfiguration"], onLatestOf: prodID)

        try flows.writeAgent("Version four")
        _ = try await flows.prodDeploy(after: flows.github.merge(flows.github.openPullRequest()))
        #expect(flows.agentCore.versionNumbers(of: prodID) == ["1", "2", "3", "4"])
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/deployed/versions/3.json") == nil)
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/deployed/versions/4.json") != nil)
    }

    /// A run's declaration left behind is no record for a version it did not make: one made by
    /// hand since must stay without one rather than claim settings it does not run.
    @Test("a version the left-behind declaration did not make gets no record from it")
    func aHandMadeVersionGetsNoRecordFromADeclaration() async throws {
        let prodID = try await flows.deployedMerge().deployment.runtimeID
        try flows.writeAgent("Version two")
        let second = flows.github.merge(flows.github.openPullRequest())
        flows.agentCore.failNext("UpdateAgentRuntime", with: FakeAgentCore.error(
            "ValidationException", 400, "UpdateAgentRuntime", "refused"))
        await #expect(throws: AWSError.self) { try await flows.prodDeploy(after: second) }
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/deployed/pending-declaration.json") != nil)

        var byHand = try #require(flows.agentCore.latest(of: prodID)?.configuration)
        byHand.lifecycleConfiguration = LifecycleConfiguration(idleRuntimeSessionTimeout: 300, maxLifetime: 28800)
        _ = try await flows.agentCore.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: prodID, configuration: byHand))
        flows.agentCore.settleLatest(of: prodID, as: .ready)

        try flows.writeAgent("Version three")
        _ = try await flows.prodDeploy(after: flows.github.merge(flows.github.openPullRequest()))
        #expect(flows.agentCore.versionNumbers(of: prodID) == ["1", "2", "3"])
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/deployed/versions/2.json") == nil)
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/deployed/versions/3.json") != nil)
    }
}
