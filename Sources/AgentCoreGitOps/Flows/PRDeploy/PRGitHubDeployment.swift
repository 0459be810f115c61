import Foundation

/// pr-deploy's GitHub deployment: the pull request's head commit in the environment `pr-<n>`,
/// `in_progress` while the runtime is being deployed, then `success` with a link to the runtime
/// in the AWS console, or `failure`; inactive once the pull request is closed.
///
/// Recording never decides a deploy: a deploy that fails stays the run's error, and a record
/// that cannot be written is reported after the deploy and its comment are done. The sticky
/// comment stays the run's last write, so a rerun after a crash finds the record complete.
struct PRGitHubDeployment: Sendable {
    let context: FlowContext
    let event: PullRequestEvent

    private var recorder: GitHubDeploymentRecorder { GitHubDeploymentRecorder(github: context.github) }
    private var environmentName: String { GitHubDeploymentRecorder.pullRequestEnvironment(event.number) }
    private var runLink: String? { WorkflowRunLink.url(environment: context.environment) }

    /// The deployment this push records, or the error that kept it from being recorded.
    typealias Started = Result<GitHubDeployment, any Error>

    /// Creates (or on a rerun finds) the deployment and marks it in progress.
    func start() async -> Started {
        do {
            let subject = GitHubDeploymentRecorder.Subject(
                environment: environmentName, commitSHA: event.headSHA, runtimeID: nil,
                runtimeName: RuntimeOwnership.prRuntimeName(event.number), version: nil, production: false)
            let deployment = try await recorder.deployment(of: subject)
            try await recorder.setStatus(deployment, GitHubDeploymentStatusRequest(
                state: .inProgress, description: "Deploying \(subject.runtimeName)", logURL: runLink))
            return .success(deployment)
        } catch {
            return .failure(error)
        }
    }

    /// Marks the deployment successful and the pull request's earlier ones inactive; the error
    /// when this or `start` could not write the record.
    func succeeded(_ started: Started, report: PRDeploymentReport) async -> Result<Void, ActionableError> {
        do {
            let deployment = try started.get()
            try await recorder.setStatus(deployment, GitHubDeploymentStatusRequest(
                state: .success,
                description: GitHubDeploymentRecorder.readyDescription(version: report.version, runtimeName: report.runtimeName),
                environmentURL: RuntimeConsoleLink.url(runtimeARN: report.runtimeARN), logURL: runLink, autoInactive: false))
            try await recorder.deactivate(environment: environmentName, except: deployment.id)
            return .success(())
        } catch {
            return .failure(notRecorded(error))
        }
    }

    /// Marks the deployment failed; a record that cannot be written is only a warning beside
    /// the deploy's own error.
    func failed(_ started: Started) async {
        do {
            try await recorder.setStatus(try started.get(), GitHubDeploymentStatusRequest(
                state: .failure, description: "The deploy failed; the workflow run says why", logURL: runLink))
        } catch {
            context.reporter.warning(notRecorded(error).description, title: "GitHub deployment not recorded")
        }
    }

    /// The pull request is closed: none of its deployments is live any more.
    func closed() async -> Result<Void, ActionableError> {
        do {
            try await recorder.deactivate(environment: environmentName)
            return .success(())
        } catch {
            return .failure(notRecorded(error))
        }
    }

    private func notRecorded(_ error: any Error) -> ActionableError {
        ActionableError(
            "the GitHub deployment of pull request #\(event.number) (environment \(environmentName)) could not be recorded: \(error)",
            fix: "give the workflow `deployments: write`, then re-run it")
    }
}
