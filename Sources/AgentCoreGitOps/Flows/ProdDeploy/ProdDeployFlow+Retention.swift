import Foundation

extension ProdDeployFlow {
    /// Once the version is deployed and its issue open, old versions of the prod runtime go by
    /// the retention rule (`AGENTCORE_KEEP_VERSIONS`, `AGENTCORE_KEEP_PROMOTED`), so a busy
    /// repository never reaches the quota of 1,000 versions. A pruning that fails fails the run
    /// with the deploy done; a rerun finds the issue and prunes again. `deployed` is the prod
    /// runtime when this run deployed it; a rerun looks it up.
    func pruneOldVersions(of deployed: AgentRuntime?, policy: RetentionPolicy) async throws {
        let name = context.settings.prodRuntimeName
        let found = if let deployed { deployed } else { try await RuntimeLookup(context: context).runtime(named: name, role: .production) }
        guard let runtime = found else { return }
        let fix = "fix the cause and re-run the workflow (it prunes again), or let the daily sweep do it"
        let result: VersionPruner.Result
        do {
            let promoted = try await PromotionHistory.load(
                runtimeID: runtime.agentRuntimeId,
                productionEnvironment: GitHubDeploymentRecorder.productionEnvironment(context.environment),
                github: context.github
            ).lastPromoted(policy.keepPromoted)
            result = try await VersionPruner(agentCore: context.agentCore, policy: policy, dryRun: false, log: context.reporter.info)
                .prune(runtimeID: runtime.agentRuntimeId, runtimeName: name, promoted: promoted)
        } catch {
            throw ActionableError(
                "the version is deployed and its deployment issue open, but old versions of \(name) were not pruned: \(error)", fix: fix)
        }
        context.reporter.info(PruningText.line(result))
        guard result.failed.isEmpty else {
            throw ActionableError("some old versions of \(name) could not be deleted: \(PruningText.line(result))", fix: fix)
        }
    }
}
