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
}
