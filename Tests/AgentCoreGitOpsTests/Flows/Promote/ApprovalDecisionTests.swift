import Foundation
import Testing
@testable import AgentCoreGitOps

/// prod-promote's approval decisions in-process over the in-memory AgentCore and GitHub, each
/// starting from a real pr-deploy and prod-deploy of a merge.
@Suite("approval decisions, in memory")
struct ApprovalDecisionTests {
    let flows: InMemoryFlows

    init() throws { flows = try InMemoryFlows() }

    private func promoted(_ outcome: ApprovalFlow.Outcome) throws -> PromotionResult {
        guard case .promoted(let result) = outcome else { throw InMemoryFlowsError("expected a promotion, got \(outcome)") }
        return result
    }

    @Test("approved by a maintainer: prod serves the version, the PR runtime goes, the issue is closed as promoted")
    func anApprovalPromotes() async throws {
        let merge = try await flows.deployedMerge()
        let prodID = merge.deployment.runtimeID

        let approval = try flows.labeledEvent(issue: merge.issue, label: "approved", by: FakeGitHub.maintainer)
        let result = try promoted(try await ApprovalFlow(context: try flows.context(), event: approval).run())
        #expect(result.version == "1" && result.endpointChanged)
        #expect(flows.agentCore.endpoint(of: prodID, named: "prod")?.liveVersion == "1")
        #expect(!flows.agentCore.exists(merge.prRuntimeID))
        #expect(flows.agentCore.calls("CreateAgentRuntimeEndpoint").count == 1)
        #expect(flows.agentCore.calls("DeleteAgentRuntime").map(\.target) == [merge.prRuntimeID])

        let issue = try #require(flows.github.issue(merge.issue))
        #expect(issue.state == "closed")
        let labels = Set(issue.labels.map(\.name))
        #expect(labels.contains(DeploymentLabels.promoted.name) && !labels.contains(DeploymentLabels.needsPromotion.name))
        let botComments = flows.github.comments(on: merge.issue).filter { $0.user?.login == flows.github.botLogin }
        #expect(botComments.count == 1)

        // A rerun of the same approval (the same event) does nothing twice.
        let changes = flows.agentCore.changes
        let rerun = try promoted(try await ApprovalFlow(context: try flows.context(), event: approval).run())
        #expect(!rerun.endpointChanged)
        #expect(flows.agentCore.changes == changes)
        #expect(flows.github.comments(on: merge.issue).filter { $0.user?.login == flows.github.botLogin }.count == 1)
    }

    @Test("the label from someone without the approver permission: refused on the issue, AWS untouched")
    func anUnpermittedApprovalIsRefused() async throws {
        let merge = try await flows.deployedMerge()
        flows.github.setRole("read", for: "visitor")
        try await flows.github.addLabels(issue: merge.issue, labels: [DeploymentLabels.approved.name])
        let changes = flows.agentCore.changes

        let outcome = try await flows.promote(issue: merge.issue, by: "visitor")
        guard case .refused(let refusal) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(refusal.description.contains("@visitor has the read role"))
        #expect(flows.agentCore.changes == changes)
        #expect(flows.agentCore.exists(merge.prRuntimeID))
        let issue = try #require(flows.github.issue(merge.issue))
        #expect(issue.state == "open")
        #expect(!issue.labels.contains { $0.name == DeploymentLabels.approved.name }, "the approval is taken back")
        #expect(flows.github.comments(on: merge.issue).contains { ($0.body ?? "").contains("@visitor has the read role") })
    }

    @Test("an issue a person opened with copied metadata is no deployment issue: ignored, nothing called")
    func markersFromAPersonAreNotTrusted() async throws {
        let merge = try await flows.deployedMerge()
        let real = try #require(flows.github.issue(merge.issue))
        let copy = flows.github.seedIssue(
            title: real.title, body: real.body ?? "", labels: real.labels.map(\.name) + ["approved"], by: "mallory")
        let agentCoreCalls = flows.agentCore.calls.count

        let outcome = try await flows.promote(issue: copy.number)
        guard case .ignored(let reason) = outcome else {
            Issue.record("expected the issue to be ignored, got \(outcome)")
            return
        }
        #expect(reason.contains("was not opened by"))
        #expect(flows.agentCore.calls.count == agentCoreCalls)
        #expect(flows.github.comments(on: copy.number).isEmpty)
    }

    @Test("approving an older deployment after a newer one was promoted never moves prod back")
    func prodNeverMovesBack() async throws {
        let older = try await flows.deployedMerge()
        try flows.writeAgent("The newer agent")
        let newer = try await flows.deployedMerge()
        let prodID = newer.deployment.runtimeID
        _ = try promoted(try await flows.promote(issue: newer.issue))
        #expect(flows.agentCore.endpoint(of: prodID, named: "prod")?.liveVersion == "2")
        let changes = flows.agentCore.changes

        let outcome = try await flows.promote(issue: older.issue)
        guard case .refused(let refusal) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(refusal.description.contains("version 1 (commit") && refusal.description.contains("is older than version 2"))
        #expect(flows.agentCore.endpoint(of: prodID, named: "prod")?.liveVersion == "2")
        #expect(flows.agentCore.changes == changes)
    }

    @Test("a label other than approved is none of promote's business: nothing is called")
    func otherLabelsAreIgnored() async throws {
        let merge = try await flows.deployedMerge()
        let calls = (flows.agentCore.calls.count, flows.github.calls.count)
        let outcome = try await flows.promote(issue: merge.issue, label: "bug")
        guard case .ignored = outcome else {
            Issue.record("expected the label to be ignored, got \(outcome)")
            return
        }
        #expect(flows.agentCore.calls.count == calls.0 && flows.github.calls.count == calls.1)
    }

    @Test("AgentCore busy when the endpoint is created: waited out on the clock, retried with the same token")
    func aBusyEndpointIsRetriedWithTheSameToken() async throws {
        let merge = try await flows.deployedMerge()
        flows.agentCore.failNext("CreateAgentRuntimeEndpoint", with: FakeAgentCore.error(
            "ConflictException", 409, "CreateAgentRuntimeEndpoint", "the runtime is being updated"))
        let sleepsBefore = flows.clock.sleeps.count

        let result = try promoted(try await flows.promote(issue: merge.issue))
        #expect(result.endpointChanged)
        let creates = flows.agentCore.calls("CreateAgentRuntimeEndpoint")
        #expect(creates.count == 2 && Set(creates.map(\.clientToken)).count == 1)
        #expect(flows.clock.sleeps.count > sleepsBefore, "the pause ran on the test clock")
        #expect(flows.agentCore.endpoint(of: merge.deployment.runtimeID, named: "prod")?.liveVersion == "1")
    }

    @Test("an approval of a closed deployment issue is refused, prod untouched")
    func aClosedIssueIsRefused() async throws {
        let merge = try await flows.deployedMerge()
        let approval = try flows.labeledEvent(issue: merge.issue, label: "approved", by: FakeGitHub.maintainer)
        _ = try await flows.github.closeIssue(number: merge.issue)
        let changes = flows.agentCore.changes

        let outcome = try await ApprovalFlow(context: try flows.context(), event: approval).run()
        guard case .refused(let refusal) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(refusal.description.contains("is closed"))
        #expect(flows.agentCore.changes == changes)
        #expect(flows.agentCore.endpoint(of: merge.deployment.runtimeID, named: "prod") == nil)
    }

    @Test("the pull request's runtime already gone (a sweep got there first): promoted all the same")
    func aPullRequestRuntimeAlreadyGoneIsFine() async throws {
        let merge = try await flows.deployedMerge()
        _ = try await flows.agentCore.deleteAgentRuntime(id: merge.prRuntimeID, clientToken: String(repeating: "s", count: 40))
        while flows.agentCore.exists(merge.prRuntimeID) { _ = try? await flows.agentCore.getAgentRuntime(id: merge.prRuntimeID) }

        let result = try promoted(try await flows.promote(issue: merge.issue))
        #expect(result.prRuntime?.removal == .alreadyGone)
        #expect(flows.agentCore.endpoint(of: merge.deployment.runtimeID, named: "prod")?.liveVersion == "1")
    }
}
