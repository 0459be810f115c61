import Foundation

extension ProdDeployFlow {
    /// After a deploy, old versions of the prod runtime go by the retention rule
    /// (`AGENTCORE_KEEP_VERSIONS`, `AGENTCORE_KEEP_PROMOTED`), so busy repositories never reach
    /// the quota of 1,000 versions. The version is deployed either way: a pruning that fails is a
    /// warning, and the next deploy or sweep tries again.
    func pruneOldVersions(of deployment: RuntimeDeployment, policy: RetentionPolicy) async {
        let reporter = context.reporter
        do {
            let promoted = try await PromotionHistory.load(
                runtimeID: deployment.runtimeID,
                productionEnvironment: GitHubDeploymentRecorder.productionEnvironment(context.environment),
                github: context.github
            ).lastPromoted(policy.keepPromoted)
            let result = try await VersionPruner(agentCore: context.agentCore, policy: policy, dryRun: false, log: reporter.info)
                .prune(runtimeID: deployment.runtimeID, runtimeName: deployment.runtime.agentRuntimeName, promoted: promoted)
            reporter.info(PruningText.line(result))
            if !result.failed.isEmpty {
                reporter.warning(PruningText.line(result), title: "Some old versions were not deleted")
            }
        } catch {
            reporter.warning(
                "Old versions of \(deployment.runtime.agentRuntimeName) were not pruned: \(error). The sweep tries again.",
                title: "Old versions not pruned")
        }
    }
}
