import Foundation

extension SweepFlow {
    /// This repository's runtimes the sweep keeps: its prod runtime (named as configured and
    /// tagged as this repository's prod) and the pull-request runtimes it did not delete.
    /// Ownership is the description's tag (`OwningRepository.owns`); nothing else is ever pruned.
    func ourRemainingRuntimes(_ runtimes: [AgentRuntimeSummary], entries: [SweepReport.Entry]) async throws -> [AgentRuntimeSummary] {
        let kept: Set<SweepReport.Entry.Action> = [.keptOpen, .keptUnknown, .keptForPromotion]
        let keptPullRequests = Set(entries.filter { kept.contains($0.action) }.map(\.runtimeID))
        var ours: [AgentRuntimeSummary] = []
        for runtime in runtimes {
            if keptPullRequests.contains(runtime.agentRuntimeId) {
                ours.append(runtime)
            } else if runtime.agentRuntimeName == prodRuntimeName,
                      let tag = RuntimeOwnership.owner(fromDescription: runtime.description), tag.role == .production,
                      try await identity.owns(tag) {
                ours.append(runtime)
            }
        }
        return ours.sorted { $0.agentRuntimeName < $1.agentRuntimeName }
    }

    /// Deletes old versions of `runtimes` by the pruning policy; nothing without one. The prod
    /// runtime's promotion history is read before anything is deleted, so a GitHub failure stops
    /// the pruning with nothing done. A runtime deleted since it was listed (pr-deploy cleans up
    /// a pull request closed meanwhile) has nothing left to prune and is skipped.
    func pruneVersions(_ runtimes: [AgentRuntimeSummary]) async throws -> [VersionPruner.Result] {
        guard let pruning else { return [] }
        var promoted: [String: Set<String>] = [:]
        for runtime in runtimes where runtime.agentRuntimeName == prodRuntimeName {
            promoted[runtime.agentRuntimeId] = try await PromotionHistory.load(
                runtimeID: runtime.agentRuntimeId, productionEnvironment: productionEnvironment, github: github
            ).lastPromoted(pruning.keepPromoted)
        }
        let pruner = VersionPruner(agentCore: agentCore, policy: pruning, dryRun: dryRun, log: reporter.info)
        var results: [VersionPruner.Result] = []
        for runtime in runtimes {
            do {
                results.append(try await pruner.prune(
                    runtimeID: runtime.agentRuntimeId, runtimeName: runtime.agentRuntimeName,
                    promoted: promoted[runtime.agentRuntimeId] ?? []))
            } catch let error as AWSError where error.isNotFound {
                reporter.info("\(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) was deleted meanwhile; no versions to prune")
            }
        }
        return results
    }
}
