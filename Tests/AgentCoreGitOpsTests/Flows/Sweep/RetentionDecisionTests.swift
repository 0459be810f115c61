import Foundation
import Testing
@testable import AgentCoreGitOps

/// Old versions and the GitHub deployments that record promotions, in-process over the in-memory
/// AgentCore and GitHub: prod-deploy prunes after each deploy, approvals and rollbacks record
/// production deployments, and the pruner never deletes what an endpoint holds.
@Suite("retention and GitHub deployments, in memory")
struct RetentionDecisionTests {
    let flows: InMemoryFlows
    static let production = SetupParameters.defaultProductionEnvironment

    init() throws {
        flows = try InMemoryFlows()
        flows.environment["AGENTCORE_KEEP_VERSIONS"] = "3"
        flows.environment["AGENTCORE_KEEP_PROMOTED"] = "2"
    }

    /// A merged pull request deployed to prod with an agent of its own: its merge commit and issue.
    private func merge(_ index: Int) async throws -> (commit: String, issue: Int, prodID: String) {
        try flows.writeAgent("Release \(index)")
        let merged = try await flows.deployedMerge()
        #expect(merged.deployment.version == String(index))
        let commit = try #require(flows.github.pullRequest(merged.pullRequest)?.mergeCommitSHA)
        return (commit, merged.issue, merged.deployment.runtimeID)
    }

    /// The production environment's deployments, oldest first: each one's commit and latest state.
    private func production() -> [(sha: String, state: String?)] {
        flows.github.deploymentRecords(in: Self.production).map { ($0.deployment.sha, $0.states.last) }
    }

    @Test("8 merges with N=3, K=2: prod keeps the newest 3, the endpoints' and the last 2 promoted; a rollback to the oldest kept works")
    func eightMerges() async throws {
        var merges: [(commit: String, issue: Int, prodID: String)] = []
        for index in 1...8 {
            merges.append(try await merge(index))
            if index == 1 {
                // An endpoint of someone's own on the oldest version: it must never lose it.
                flows.agentCore.seedEndpoint(runtimeID: merges[0].prodID, name: "canary", version: "1")
            }
            if [2, 4, 6].contains(index) {
                guard case .promoted = try await flows.promote(issue: merges[index - 1].issue) else {
                    throw InMemoryFlowsError("version \(index) was not promoted")
                }
            }
        }
        let prodID = merges[0].prodID
        // Newest 3 (6, 7, 8), the endpoints' (prod 6, DEFAULT 8, canary 1), the last 2 promoted (6, 4).
        #expect(flows.agentCore.versionNumbers(of: prodID) == ["1", "4", "6", "7", "8"])
        #expect(Set(flows.agentCore.calls("DeleteAgentRuntimeVersion").map(\.target)) == Set(["2", "3", "5"].map { "\(prodID) v\($0)" }))
        #expect(flows.agentCore.endpoint(of: prodID, named: "canary")?.liveVersion == "1")

        // One production deployment per approval, of the version's commit; only the newest is live.
        #expect(production().map(\.sha) == [merges[1].commit, merges[3].commit, merges[5].commit])
        #expect(production().map(\.state) == ["inactive", "inactive", "success"])

        let rollback = try await flows.rollback(["prod_runtime_version": "4"])
        guard case .moved = rollback else { throw InMemoryFlowsError("the rollback did not move prod: \(rollback)") }
        #expect(flows.agentCore.endpoint(of: prodID, named: "prod")?.liveVersion == "4")
        #expect(production().map(\.sha) == [merges[1].commit, merges[3].commit, merges[5].commit, merges[3].commit])
        #expect(production().map(\.state) == ["inactive", "inactive", "inactive", "success"])
        // A rerun of the rollback records nothing new.
        let deploymentWrites = flows.github.calls.filter { $0.operation.hasPrefix("createDeployment") }.count
        _ = try await flows.rollback(["prod_runtime_version": "4"])
        #expect(flows.github.calls.filter { $0.operation.hasPrefix("createDeployment") }.count == deploymentWrites)
    }

    @Test("a pruning that fails fails prod-deploy after the deploy and its issue; a rerun of the push prunes again")
    func aFailedPruningFailsTheRunAndARerunPrunes() async throws {
        flows.environment["AGENTCORE_KEEP_VERSIONS"] = "1"
        flows.environment["AGENTCORE_KEEP_PROMOTED"] = "0"
        let first = try await merge(1)
        try flows.writeAgent("Release 2")
        let number = flows.github.openPullRequest()
        try await flows.prDeploy("opened", number)
        let commit = flows.github.merge(number)
        flows.agentCore.failNext(
            "DeleteAgentRuntimeVersion", with: FakeAgentCore.error("InternalServerException", 500, "DeleteAgentRuntime", "try again"))

        await #expect { try await flows.prodDeploy(after: commit) } throws: { "\($0)".contains("some old versions of prod could not be deleted") }
        #expect(flows.agentCore.versionNumbers(of: first.prodID) == ["1", "2"])
        #expect(flows.github.allIssues.map(\.state) == ["open", "open"], "the version's deployment issue is open")

        guard case .alreadyDeployed = try await flows.prodDeploy(after: commit) else { throw InMemoryFlowsError("the rerun deployed again") }
        #expect(flows.agentCore.versionNumbers(of: first.prodID) == ["2"])
        #expect(flows.github.allIssues.count == 2)
    }

    @Test("deployments GitHub Actions or a person made in the production environment are neither promotions nor touched")
    func othersDeploymentsAreIgnored() async throws {
        let first = try await merge(1)
        _ = try await flows.promote(issue: first.issue)
        let second = try await merge(2)
        // What a workflow job naming the environment without `deployment: false` leaves: GitHub's
        // own deployment of the run's commit, by the same bot, with the default task.
        let actions = flows.github.seedDeployment(
            sha: second.commit, environment: Self.production, by: flows.github.botLogin, state: .success)
        let person = flows.github.seedDeployment(
            sha: second.commit, environment: Self.production, task: GitHubDeploymentRecorder.task, by: "mallory", state: .success)

        let history = try await PromotionHistory.load(
            runtimeID: first.prodID, productionEnvironment: Self.production, github: flows.github)
        #expect(history.fromDeployments == ["1"])
        _ = try await flows.promote(issue: second.issue)
        let records = flows.github.deploymentRecords(in: Self.production)
        #expect(records.first { $0.deployment.id == actions.id }?.states == ["success"])
        #expect(records.first { $0.deployment.id == person.id }?.states == ["success"])
        let ours = records.filter { $0.deployment.task == GitHubDeploymentRecorder.task && $0.deployment.creator?.login == flows.github.botLogin }
        #expect(ours.map(\.deployment.sha) == [first.commit, second.commit])
        #expect(ours.map(\.states.last) == ["inactive", "success"])
    }

    @Test("pr-deploy records each push in pr-<n>, in_progress then success; closing the pull request makes them inactive")
    func pullRequestDeployments() async throws {
        let number = flows.github.openPullRequest()
        try await flows.prDeploy("opened", number)
        let environment = GitHubDeploymentRecorder.pullRequestEnvironment(number)
        let firstHead = try #require(flows.github.pullRequest(number)?.head.sha)
        #expect(flows.github.deploymentRecords(in: environment).map(\.states) == [["in_progress", "success"]])

        flows.github.pushToPullRequest(number)
        try flows.writeAgent("A second push")
        try await flows.prDeploy("synchronize", number)
        let records = flows.github.deploymentRecords(in: environment)
        let secondHead = try #require(flows.github.pullRequest(number)?.head.sha)
        #expect(records.map(\.deployment.sha) == [firstHead, secondHead])
        #expect(records.map(\.states.last) == ["inactive", "success"])
        #expect(records.allSatisfy { $0.deployment.transientEnvironment == true && $0.deployment.productionEnvironment == false })

        flows.github.close(number)
        try await flows.prDeploy("closed", number)
        #expect(flows.github.deploymentRecords(in: environment).map(\.states.last) == ["inactive", "inactive"])
    }

    @Test("a version promoted through a later issue that names it again (no new version) stays a rollback target")
    func promotedThroughASecondIssueOfTheSameVersion() async throws {
        flows.environment["AGENTCORE_KEEP_VERSIONS"] = "1"
        let first = try await merge(1)
        // A merge that leaves the agent as it was: no new version, a second issue naming version 1.
        let unchanged = try await flows.deployedMerge()
        #expect(unchanged.deployment.version == "1" && !unchanged.deployment.changed)
        guard case .promoted = try await flows.promote(issue: unchanged.issue) else { throw InMemoryFlowsError("version 1 was not promoted") }
        let second = try await merge(2)
        guard case .promoted = try await flows.promote(issue: second.issue) else { throw InMemoryFlowsError("version 2 was not promoted") }
        // A person deletes the inactive production deployment of version 1: the promoted issue alone must keep it.
        let inactive = try #require(flows.github.deploymentRecords(in: Self.production).first { $0.states.last == "inactive" })
        flows.github.deleteDeployment(id: inactive.deployment.id)

        _ = try await merge(3)
        #expect(flows.agentCore.versionNumbers(of: first.prodID) == ["1", "2", "3"])
        let history = try await PromotionHistory.load(runtimeID: first.prodID, productionEnvironment: Self.production, github: flows.github)
        #expect(history.fromIssues == ["2", "1"])
    }

    @Test("a version an endpoint moves onto while the pruner runs is skipped, not deleted")
    func endpointMovesMeanwhile() async throws {
        let runtime = flows.agentCore.seedRuntime(name: "prod", versions: 5)
        let id = runtime.agentRuntimeId
        flows.agentCore.seedEndpoint(runtimeID: id, name: "canary", version: "5")
        flows.agentCore.looksUntilSettled = 0
        // Just before version 2 is deleted, the canary endpoint moves onto it: a promotion racing the pruner.
        let agentCore = flows.agentCore
        let moving = InterceptingAgentCore(wrapped: agentCore, beforeDeletingVersion: { id, version in
            guard version == "2" else { return }
            _ = try await agentCore.updateAgentRuntimeEndpoint(
                UpdateAgentRuntimeEndpointRequest(agentRuntimeId: id, endpointName: "canary", agentRuntimeVersion: version))
        })
        let result = try await VersionPruner(
            agentCore: moving, policy: try RetentionPolicy(keepNewest: 1, keepPromoted: 0), dryRun: false, log: { _ in }
        ).prune(runtimeID: id, runtimeName: "prod", promoted: [])
        #expect(result.plan.delete == ["4", "3", "2", "1"])
        #expect(result.deleted.sorted() == ["1", "3", "4"])
        #expect(result.skipped.map(\.version) == ["2"])
        #expect(result.failed.isEmpty)
        #expect(flows.agentCore.versionNumbers(of: id) == ["2", "5"])
    }

    @Test("an approval that finishes after a newer one moved prod on leaves GitHub showing the newer version")
    func aSlowApprovalDoesNotRecordAVersionProdNoLongerServes() async throws {
        try flows.writeAgent("Release 1")
        let first = try await flows.deployedMerge()
        try flows.writeAgent("Release 2")
        let second = try await flows.deployedMerge()
        let firstCommit = try #require(flows.github.pullRequest(first.pullRequest)?.mergeCommitSHA)
        let secondCommit = try #require(flows.github.pullRequest(second.pullRequest)?.mergeCommitSHA)
        // Version 1's run has moved prod and is deleting its PR runtime when version 2 is approved and promoted.
        let flows = flows
        var context = try flows.context()
        context.agentCore = InterceptingAgentCore(wrapped: flows.agentCore, beforeDeletingRuntime: { id in
            guard id == first.prRuntimeID else { return }
            guard case .promoted = try await flows.promote(issue: second.issue) else { throw InMemoryFlowsError("version 2 was not promoted") }
        })
        let slow = try await ApprovalFlow(
            context: context, event: try flows.labeledEvent(issue: first.issue, label: "approved", by: FakeGitHub.maintainer)).run()
        guard case .promoted = slow else { throw InMemoryFlowsError("version 1 was not promoted: \(slow)") }

        #expect(flows.agentCore.endpoint(of: second.deployment.runtimeID, named: "prod")?.liveVersion == "2")
        // GitHub's current production deployment is the version prod serves.
        #expect(production().map(\.sha) == [firstCommit, secondCommit])
        #expect(production().map(\.state) == ["inactive", "success"])
    }
}
