import Foundation

/// Records on GitHub what the tool deployed where, as GitHub Deployments: a pull request's
/// runtime in the environment `pr-<n>`, each move of the prod endpoint in the production
/// environment. The repository's Environments page and the pull request then show what is live.
///
/// Only deployments the bot created with the tool's task count, so the deployments GitHub
/// Actions makes itself for jobs that name an environment are never touched. Every step is safe
/// to repeat: a rerun finds the deployment it created and adds only the statuses still missing.
public struct GitHubDeploymentRecorder: Sendable {
    /// The deployments' `task`: GitHub's default is `deploy`; this one marks the tool's own.
    public static let task = "deploy:agentcore"
    /// Payload keys.
    public static let runtimeIDKey = "runtime_id"
    public static let runtimeNameKey = "runtime_name"
    public static let versionKey = "version"
    public static let packageKey = "package_sha256"

    public let github: any GitHubAPI

    /// What is deployed: a commit of the repository as a runtime (version) in an environment.
    public struct Subject: Sendable, Equatable {
        public var environment: String
        public var commitSHA: String
        /// Unknown while a pull request's first deploy is still creating its runtime.
        public var runtimeID: String?
        public var runtimeName: String
        /// Unknown while a pull request's deploy is still making it.
        public var version: String?
        public var packageSHA256: String?
        public var production: Bool

        var payload: [String: String] {
            var payload = [runtimeNameKey: runtimeName]
            if let runtimeID { payload[runtimeIDKey] = runtimeID }
            if let version { payload[versionKey] = version }
            if let packageSHA256 { payload[packageKey] = packageSHA256 }
            return payload
        }

        var summary: String {
            "\(runtimeName)" + (version.map { " version \($0)" } ?? "") + " (\(commitSHA.prefix(7)))"
        }
    }

    /// The environment of a pull request's runtime.
    public static func pullRequestEnvironment(_ number: Int) -> String { "pr-\(number)" }

    /// The production environment's name: `AGENTCORE_PRODUCTION_ENVIRONMENT`, the one the
    /// workflows' jobs name, `agentcore-production` by default.
    public static func productionEnvironment(_ environment: [String: String]) -> String {
        let name = environment["AGENTCORE_PRODUCTION_ENVIRONMENT"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return name.isEmpty ? SetupParameters.defaultProductionEnvironment : name
    }

    /// A success status says which version runs: `Version 3 of pr_12`.
    public static func readyDescription(version: String, runtimeName: String) -> String {
        "Version \(version) of \(runtimeName)"
    }

    /// The version a success status of ours names, nil for any other text.
    public static func version(inDescription description: String?) -> String? {
        guard let match = description?.wholeMatch(of: /Version ([1-9][0-9]{0,4}) of [a-zA-Z][a-zA-Z0-9_]{0,47}/) else { return nil }
        return String(match.1)
    }

    /// The tool's deployments to `environment`, newest first.
    public func ours(in environment: String) async throws -> [GitHubDeployment] {
        try await github.listDeployments(environment: environment, sha: nil, task: Self.task)
            .filter { github.isAuthoredByBot($0.creator) && $0.task == Self.task }
            .sorted { $0.id > $1.id }
    }

    /// The deployment of `subject`: the environment's newest one of ours when it records the same
    /// commit and version (a rerun), otherwise a new one.
    public func deployment(of subject: Subject) async throws -> GitHubDeployment {
        if let newest = try await ours(in: subject.environment).first, newest.sha == subject.commitSHA,
           newest.payload?[Self.versionKey] == subject.version, newest.payload?[Self.runtimeIDKey] == subject.runtimeID {
            return newest
        }
        return try await github.createDeployment(GitHubDeploymentRequest(
            ref: subject.commitSHA, task: Self.task, environment: subject.environment,
            description: "\(subject.summary)", payload: subject.payload,
            transientEnvironment: !subject.production, productionEnvironment: subject.production))
    }

    /// Adds a status unless the deployment's latest status already has this state and text.
    public func setStatus(_ deployment: GitHubDeployment, _ status: GitHubDeploymentStatusRequest) async throws {
        let latest = try await github.listDeploymentStatuses(deploymentID: deployment.id).max { $0.id < $1.id }
        if let latest, latest.state == status.state.rawValue, latest.description == status.description,
           latest.environmentURL ?? "" == status.environmentURL ?? "" {
            return
        }
        _ = try await github.createDeploymentStatus(deploymentID: deployment.id, status)
    }

    /// Marks the tool's earlier deployments to `environment` inactive, newest first, stopping at
    /// the first that is inactive already (everything older was marked before). GitHub does not
    /// do this itself for production or transient environments.
    public func deactivate(environment: String, except keep: Int? = nil) async throws {
        for deployment in try await ours(in: environment) where deployment.id != keep {
            let latest = try await github.listDeploymentStatuses(deploymentID: deployment.id).max { $0.id < $1.id }
            if latest?.state == GitHubDeploymentState.inactive.rawValue { return }
            guard latest?.state == GitHubDeploymentState.success.rawValue
                    || latest?.state == GitHubDeploymentState.inProgress.rawValue else { continue }
            _ = try await github.createDeploymentStatus(
                deploymentID: deployment.id, GitHubDeploymentStatusRequest(state: .inactive, description: "No longer deployed"))
        }
    }
}
