import Foundation
import Testing
@testable import AgentCoreGitOps

/// A promotion records that prod moved before it cleans up: a clean-up that fails afterwards
/// (here the role lacks DeleteAgentRuntime) fails the run but never hides that prod moved.
@Suite(.heavy, .tags(.sandbox, .process)) struct PromotionCleanupFailureSandboxTests {
    @Test func aCleanUpFailureAfterTheMoveLeavesAnIssueThatSaysProdMoved() async throws {
        let sandbox = try await Sandbox.launch()  // the deny rule is sandbox-wide
        defer { sandbox.stop() }
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        let (_, prRuntime, issue, payload) = try await stage.approvedDeployment(version: "2")
        let runID = PromoteStage.newRunID()

        try await sandbox.awsControl("POST", "/_sandbox/deny", json: ["actions": ["bedrock-agentcore:DeleteAgentRuntime"]])
        let failed = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID)
        #expect(failed.status != 0, "\(failed)")
        #expect(try await stage.liveVersion() == "2")
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION: version 2 -->").count == 1)
        #expect(try await stage.labels(issue).contains(DeploymentLabels.promoted.name))
        #expect(try await stage.issue(issue).state == "closed")
        #expect(try await stage.runtimeExists(prRuntime))

        // With the permission back, a re-run of the same run finishes the clean-up only.
        try await sandbox.awsControl("DELETE", "/_sandbox/deny")
        let rerun = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(try await !stage.runtimeExists(prRuntime))
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION:").count == 1)
        #expect(try await stage.liveVersion() == "2")
    }
}
