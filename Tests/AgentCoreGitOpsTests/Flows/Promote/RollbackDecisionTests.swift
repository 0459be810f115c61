import Foundation
import Testing
@testable import AgentCoreGitOps

/// Rollback by dispatch, in-process over the in-memory AgentCore and GitHub.
@Suite("rollback decisions, in memory")
struct RollbackDecisionTests {
    let flows: InMemoryFlows
    init() throws { flows = try InMemoryFlows() }

    /// Two prod versions, the prod endpoint serving version 2.
    private func prodAtVersionTwo() async throws -> (runtimeID: String, issue: Int) {
        _ = try await flows.deployedMerge()
        try flows.writeAgent("The second agent")
        let second = try await flows.deployedMerge()
        guard case .promoted = try await flows.promote(issue: second.issue) else { throw InMemoryFlowsError("not promoted") }
        return (second.deployment.runtimeID, second.issue)
    }

    /// A refused or no-op dispatch: AgentCore saw no change since `changes`, and prod still serves version 2.
    private func expectProdUnchanged(
        _ prod: (runtimeID: String, issue: Int), since changes: [FakeAgentCore.Call], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(flows.agentCore.changes == changes, sourceLocation: sourceLocation)
        #expect(flows.agentCore.endpoint(of: prod.runtimeID, named: "prod")?.liveVersion == "2", sourceLocation: sourceLocation)
    }

    @Test("a dispatch with a version moves the prod endpoint there and comments on the issue")
    func aDispatchMovesTheEndpoint() async throws {
        let prod = try await prodAtVersionTwo()
        let updatesBefore = flows.agentCore.calls("UpdateAgentRuntimeEndpoint").count

        let outcome = try await flows.rollback(["prod_runtime_version": "1", "issue_number": "\(prod.issue)"])
        guard case .moved(let move) = outcome else {
            Issue.record("expected a move, got \(outcome)")
            return
        }
        #expect(move.fromVersion == "2" && move.toVersion == "1" && move.changed)
        #expect(flows.agentCore.endpoint(of: prod.runtimeID, named: "prod")?.liveVersion == "1")
        #expect(flows.agentCore.calls("UpdateAgentRuntimeEndpoint").count == updatesBefore + 1)
        #expect(flows.github.comments(on: prod.issue).contains { ($0.body ?? "").contains("version 1") })
    }

    @Test("a dry run says what would move and changes nothing")
    func aDryRunChangesNothing() async throws {
        let prod = try await prodAtVersionTwo()
        let changes = flows.agentCore.changes
        let githubChanges = flows.github.changes

        let outcome = try await flows.rollback(["prod_runtime_version": "1", "dry_run": "true"])
        #expect(outcome == .planned(runtimeID: prod.runtimeID, from: "2", to: "1"))
        #expect(flows.github.changes == githubChanges)
        expectProdUnchanged(prod, since: changes)
    }

    @Test("a version that is no number, or that does not exist, is refused before anything changes")
    func badVersionsAreRefused() async throws {
        let prod = try await prodAtVersionTwo()
        let changes = flows.agentCore.changes

        await #expect(throws: ActionableError.self) { try await flows.rollback(["prod_runtime_version": "latest"]) }
        await #expect(throws: (any Error).self) { try await flows.rollback(["prod_runtime_version": "7"]) }
        expectProdUnchanged(prod, since: changes)
    }

    @Test("a dispatch by someone without the approver permission is refused, prod untouched")
    func anUnpermittedDispatchIsRefused() async throws {
        let prod = try await prodAtVersionTwo()
        flows.github.setRole("triage", for: "helper")
        let changes = flows.agentCore.changes

        await #expect { try await flows.rollback(["prod_runtime_version": "1"], by: "helper") } throws: { error in
            "\(error)".contains("@helper has the triage role")
        }
        expectProdUnchanged(prod, since: changes)
    }

    @Test("pointing prod at the version it already serves changes nothing and says so")
    func theLiveVersionIsNoChange() async throws {
        let prod = try await prodAtVersionTwo()
        let changes = flows.agentCore.changes

        let outcome = try await flows.rollback(["prod_runtime_version": "2"])
        guard case .moved(let move) = outcome else {
            Issue.record("expected a move, got \(outcome)")
            return
        }
        #expect(!move.changed && move.toVersion == "2")
        expectProdUnchanged(prod, since: changes)
    }
}
