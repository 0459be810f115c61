import Foundation

/// The GitHub deployment of a move of the prod endpoint: the commit the version was built from,
/// in the production environment (`AGENTCORE_PRODUCTION_ENVIRONMENT`), `success` with a link to
/// the runtime in the AWS console. The production deployment before it is marked inactive (GitHub
/// does not do that itself for a production environment). Safe to repeat.
struct ProductionGitHubDeployment: Sendable {
    let context: FlowContext

    /// Records that prod serves `version` of `runtime`, built from `commitSHA`. A commit GitHub does
    /// not know (history rewritten) is a warning: there is nothing to point the deployment at.
    func record(runtime: AgentRuntime, version: String, commitSHA: String?, packageSHA256: String?) async throws {
        guard let commitSHA else {
            context.reporter.warning(
                "No commit is known for version \(version) of \(runtime.agentRuntimeName), so no GitHub deployment records it",
                title: "GitHub deployment not recorded")
            return
        }
        let recorder = GitHubDeploymentRecorder(github: context.github)
        let environment = GitHubDeploymentRecorder.productionEnvironment(context.environment)
        let subject = GitHubDeploymentRecorder.Subject(
            environment: environment, commitSHA: commitSHA, runtimeID: runtime.agentRuntimeId,
            runtimeName: runtime.agentRuntimeName, version: version, packageSHA256: packageSHA256, production: true)
        do {
            let deployment = try await recorder.deployment(of: subject)
            try await recorder.setStatus(deployment, GitHubDeploymentStatusRequest(
                state: .success,
                description: GitHubDeploymentRecorder.readyDescription(version: version, runtimeName: runtime.agentRuntimeName),
                environmentURL: RuntimeConsoleLink.url(runtimeARN: runtime.agentRuntimeArn),
                logURL: WorkflowRunLink.url(environment: context.environment), autoInactive: false))
            try await recorder.deactivate(environment: environment, except: deployment.id)
            context.reporter.info("GitHub deployment \(deployment.id): \(environment) runs commit \(commitSHA.prefix(7))")
        } catch let error as GitHubError where error.apiFailure?.status == 422 && error.apiFailure?.operation == .createDeployment {
            context.reporter.warning(
                "GitHub refused a deployment of commit \(commitSHA) to \(environment): \(error)", title: "GitHub deployment not recorded")
        } catch {
            throw ActionableError(
                "prod serves version \(version), but its GitHub deployment (environment \(environment)) could not be recorded: \(error)",
                fix: "give the workflow `deployments: write`, then re-run it")
        }
    }

    /// The commit and package of `version` from its deployment issue, for a move by hand.
    func recordMoveByHand(runtime: AgentRuntime, version: String) async throws {
        let entry = try await DeploymentIssueIndex.load(runtimeID: runtime.agentRuntimeId, github: context.github).byVersion[version]
        try await record(
            runtime: runtime, version: version, commitSHA: entry?.metadata.commitSHA, packageSHA256: entry?.metadata.packageSHA256)
    }
}
