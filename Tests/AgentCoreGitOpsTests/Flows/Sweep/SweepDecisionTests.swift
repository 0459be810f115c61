import Foundation
import Testing
@testable import AgentCoreGitOps

/// The scheduled sweep, in-process over the in-memory AgentCore and GitHub.
@Suite("sweep decisions, in memory")
struct SweepDecisionTests {
    let flows: InMemoryFlows
    init() throws { flows = try InMemoryFlows() }

    private func deployedRuntime(of number: Int) async throws -> String {
        guard case .deployed(let report) = try await flows.prDeploy("opened", number) else { throw InMemoryFlowsError("not deployed") }
        return report.runtimeID
    }

    @Test("deletes this repository's runtimes of closed pull requests; open, foreign, prod and awaiting-promotion runtimes stay")
    func deletesOnlyClosedPullRequestRuntimes() async throws {
        let closed = flows.github.openPullRequest()
        let open = flows.github.openPullRequest()
        let closedID = try await deployedRuntime(of: closed)
        let openID = try await deployedRuntime(of: open)
        flows.github.close(closed)  // the close event was missed
        let foreign = flows.agentCore.seedRuntime(name: "pr_\(closed + 100)", description: "made by hand")
        let prod = try await flows.deployedMerge()

        let dryRun = try await SweepFlow(context: try flows.context(), dryRun: true).run()
        #expect(dryRun.entries.first { $0.runtimeID == closedID }?.action == .wouldDelete)
        #expect(flows.agentCore.calls("DeleteAgentRuntime").isEmpty)

        let report = try await SweepFlow(context: try flows.context(), dryRun: false).run()
        #expect(report.entries.first { $0.runtimeID == closedID }?.action == .deleted)
        #expect(report.entries.first { $0.runtimeID == openID }?.action == .keptOpen)
        #expect(!report.entries.contains { $0.runtimeID == foreign.agentRuntimeId })
        #expect(!flows.agentCore.exists(closedID))
        // The merged pull request is closed, but its runtime waits for the promotion its open deployment issue names.
        #expect(report.entries.first { $0.runtimeID == prod.prRuntimeID }?.action == .keptForPromotion)
        for kept in [openID, foreign.agentRuntimeId, prod.deployment.runtimeID, prod.prRuntimeID] { #expect(flows.agentCore.exists(kept)) }
        #expect(flows.agentCore.calls("DeleteAgentRuntime").map(\.target) == [closedID])
    }

    @Test("a runtime tagged for a pull request GitHub does not know is kept, with a warning")
    func anUnknownPullRequestKeepsItsRuntime() async throws {
        let unknown = flows.agentCore.seedRuntime(
            name: "pr_4242", description: RuntimeOwnership.description(nil, repository: "octo/agent", role: .pullRequest(4242)))

        let report = try await SweepFlow(context: try flows.context(), dryRun: false).run()
        #expect(report.entries.map(\.action) == [.keptUnknown])
        #expect(flows.agentCore.exists(unknown.agentRuntimeId))
        #expect(flows.agentCore.calls("DeleteAgentRuntime").isEmpty)
        #expect(flows.log.values.contains { $0.contains("#4242 of octo/agent was not found") })
    }

    @Test("a second sweep finds nothing more to delete")
    func aSecondSweepDeletesNothing() async throws {
        let closed = flows.github.openPullRequest()
        let closedID = try await deployedRuntime(of: closed)
        flows.github.close(closed)
        _ = try await SweepFlow(context: try flows.context(), dryRun: false).run()
        #expect(!flows.agentCore.exists(closedID))
        let deletions = flows.agentCore.calls("DeleteAgentRuntime").count

        let again = try await SweepFlow(context: try flows.context(), dryRun: false).run()
        #expect(again.entries.isEmpty)
        #expect(flows.agentCore.calls("DeleteAgentRuntime").count == deletions)
    }
}

/// Pruning while pull requests close: pr-deploy deletes a closed pull request's runtime while the
/// sweep is still running, after the sweep found its pull request open.
@Suite("sweep pruning while runtimes go, in memory")
struct SweepPruningRaceTests {
    let flows: InMemoryFlows
    init() throws { flows = try InMemoryFlows() }

    @Test("a runtime deleted after the sweep listed it is skipped: the others are still pruned and the sweep succeeds")
    func aRuntimeDeletedMeanwhileIsSkipped() async throws {
        let prod = try await flows.deployedMerge()
        let prodID = prod.deployment.runtimeID
        var awaitingPromotion = [prod.prRuntimeID]
        for index in 2...4 {
            try flows.writeAgent("Release \(index)")
            awaitingPromotion.append(try await flows.deployedMerge().prRuntimeID)
        }
        let open = flows.github.openPullRequest()
        guard case .deployed(let report) = try await flows.prDeploy("opened", open) else { throw InMemoryFlowsError("not deployed") }
        flows.agentCore.looksUntilSettled = 0
        // pr-deploy deletes the runtime (its pull request closed) just before the sweep lists its versions.
        let agentCore = flows.agentCore
        let vanishing = InterceptingAgentCore(wrapped: agentCore, beforeListingVersions: { id in
            guard id == report.runtimeID, agentCore.exists(id) else { return }
            _ = try await agentCore.deleteAgentRuntime(id: id, clientToken: "pr-deploy-\(id)")
        })

        let context = try flows.context()
        let sweep = try await SweepFlow(
            agentCore: vanishing, waiter: context.waiter, github: context.github, identity: context.owningRepository,
            reporter: context.reporter,
            prodRuntimeName: "prod", dryRun: false, pruning: try RetentionPolicy(keepNewest: 1, keepPromoted: 0)
        ).run()

        #expect(!flows.agentCore.exists(report.runtimeID))
        // The merged pull requests' runtimes stay for their promotions, and are pruned like prod.
        #expect(Set(sweep.pruned.map(\.runtimeID)) == Set(awaitingPromotion + [prodID]))
        #expect(flows.agentCore.versionNumbers(of: prodID) == ["4"])
    }
}
