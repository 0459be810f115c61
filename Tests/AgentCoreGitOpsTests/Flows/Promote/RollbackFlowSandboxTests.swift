import Foundation
import Testing
@testable import AgentCoreGitOps

/// `prod-promote` on `workflow_dispatch`: rollback and roll-forward by hand, as a process against
/// the sandbox.
@Suite(.heavy, .tags(.sandbox, .process)) struct RollbackFlowSandboxTests {
    /// The shared sandbox, started by the first suite that needs it.
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.shared() }

    @Test func dispatchRollsBackAndForwardCommentingOnce() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 3, endpointAt: "3")
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "3", prRuntimeID: nil, prNumber: nil))

        let back = try await stage.dispatchEvent(inputs: ["prod_runtime_version": "1", "issue_number": String(issue)])
        let backRun = PromoteStage.newRunID()
        for _ in 0..<2 {  // the run, then a rerun of it
            let run = try await stage.runPromote(eventName: "workflow_dispatch", payload: back, runID: backRun)
            #expect(run.status == 0, "\(run)")
            #expect(try await stage.liveVersion() == "1")
            let comments = try await stage.botComments(issue, containing: "<!-- ROLLBACK: version 1 run \(backRun) -->")
            #expect(comments.count == 1)
            #expect(comments.first?.body?.contains("Rolled back") == true)
        }
        #expect(try await stage.botComments(issue, containing: "| From version | 3 |").count == 1)

        // Forward again; the environment's INPUT_* are only a fallback to the payload's inputs.
        let forward = try await stage.dispatchEvent(inputs: ["prod_runtime_version": "3", "issue_number": String(issue)])
        let run = try await stage.runPromote(
            eventName: "workflow_dispatch", payload: forward, runID: PromoteStage.newRunID(),
            environment: ["INPUT_PROD_RUNTIME_VERSION": "2"])
        #expect(run.status == 0, "\(run)")
        #expect(try await stage.liveVersion() == "3")
        #expect(try await stage.botComments(issue, containing: "Rolled forward").count == 1)
        #expect(try await stage.botComments(issue, containing: "<!-- ROLLBACK:").count == 2)
        #expect(run.summary.contains("serves version 3"))
        // A dispatch changes no labels and leaves the issue open.
        #expect(try await stage.issue(issue).state == "open")
    }

    @Test func inputsFromTheEnvironmentWhenThePayloadHasNone() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "2")
        let payload = try await stage.dispatchEvent(inputs: [:])
        let run = try await stage.runPromote(
            eventName: "workflow_dispatch", payload: payload, runID: PromoteStage.newRunID(),
            environment: ["INPUT_PROD_RUNTIME_VERSION": "1"])
        #expect(run.status == 0, "\(run)")
        #expect(try await stage.liveVersion() == "1")
    }

    @Test func dryRunChangesNothing() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "2")
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "2", prRuntimeID: nil, prNumber: nil))
        let payload = try await stage.dispatchEvent(
            inputs: ["prod_runtime_version": "1", "issue_number": String(issue), "dry_run": "true"])
        let run = try await stage.runPromote(eventName: "workflow_dispatch", payload: payload, runID: PromoteStage.newRunID())
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("from version 2 to 1"))
        #expect(try await stage.liveVersion() == "2")
        #expect(try await stage.allComments(issue).isEmpty)
    }

    @Test func badDispatchesFailWithNothingChanged() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "2")
        let personal = try await stage.deploymentIssue(
            body: stage.metadataBody(version: "1", prRuntimeID: nil, prNumber: nil), author: "maintainer")
        let cases: [(inputs: [String: String], sender: String?, expected: String)] = [
            (["prod_runtime_version": "0"], nil, "is not a runtime version"),
            (["prod_runtime_version": "abc"], nil, "is not a runtime version"),
            (["prod_runtime_version": "100000"], nil, "is not a runtime version"),
            (["prod_runtime_version": "9"], nil, "has no version 9"),
            ([:], nil, "prod_runtime_version is missing"),
            (["prod_runtime_version": "1", "issue_number": "x1"], nil, "is not an issue number"),
            (["prod_runtime_version": "1", "issue_number": String(personal)], nil, "is not a deployment issue"),
            (["prod_runtime_version": "1", "dry_run": "maybe"], nil, "is not true or false"),
            (["prod_runtime_version": "1"], try stage.github.login("triage"), "needs at least write"),
        ]
        for (inputs, sender, expected) in cases {
            let payload = try await stage.dispatchEvent(inputs: inputs, sender: sender)
            let run = try await stage.runPromote(eventName: "workflow_dispatch", payload: payload, runID: PromoteStage.newRunID())
            #expect(run.status == 1, "\(inputs): \(run)")
            #expect(run.output.contains("::error title=prod-promote failed::") && run.output.contains(expected), "\(inputs): \(run)")
        }
        #expect(try await stage.liveVersion() == "2")
        #expect(try await stage.allComments(personal).isEmpty)
        #expect(try await stage.clientTokens("UpdateAgentRuntimeEndpoint").isEmpty)
    }

    @Test(.readsTestVectors) func githubsRecordedDispatchPayloadLacksTheVersion() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 1, endpointAt: "1")
        let payload = try PromoteStage.recordedPayload("workflow_dispatch")
        let run = try await stage.runPromote(eventName: "workflow_dispatch", payload: payload, runID: PromoteStage.newRunID())
        #expect(run.status == 1, "\(run)")
        #expect(run.output.contains("::error title=prod-promote failed::the input prod_runtime_version is missing"))
        #expect(try await stage.liveVersion() == "1")
    }

    @Test func unsupportedEventFails() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 1, endpointAt: "1")
        let payload = try await stage.github.control("POST", "/_sandbox/repos/\(stage.repository)/events", json: [
            "event": "push", "after": GitHubEmulator.randomSHA()])
        let run = try await stage.runPromote(eventName: "push", payload: payload, runID: PromoteStage.newRunID())
        #expect(run.status == 1, "\(run)")
        #expect(run.output.contains("runs on `issues` (labeled) and `workflow_dispatch` events only"))
    }
}
