import Foundation

/// Every version of one runtime with where it came from: the commit and pull request it was
/// built from, its package's SHA-256, when it was made, which endpoints serve it, and its smoke
/// test's result where one is recorded. `agentcore runtime history` prints it.
public struct RuntimeHistory: Sendable, Equatable, Encodable {
    public struct EndpointUse: Sendable, Equatable, Encodable {
        public var name: String
        /// True when the endpoint serves the version; false when it is moving to it.
        public var live: Bool
    }

    public struct Entry: Sendable, Equatable, Encodable {
        public var version: String
        public var status: String
        /// When AWS made the version (its `lastUpdatedAt`: a version never changes after).
        public var createdAt: Date?
        public var commitSHA: String?
        public var pullRequest: Int?
        public var packageSHA256: String?
        /// Where the commit and pull request were read: `deployment record` (the deploy bucket's
        /// write-once record), `deployment issue #12`, `GitHub deployment 7`, `pull request comment`;
        /// nil when nothing records them.
        public var recordedBy: String?
        /// Approved to production (its deployment issue is labelled `promoted`).
        public var promoted: Bool
        /// The smoke test's result where a smoke test recorded one; nil until something records it.
        public var smokeTestResult: String?
        public var endpoints: [EndpointUse]

        enum CodingKeys: String, CodingKey {
            case version, status, createdAt, commitSHA, pullRequest, packageSHA256, recordedBy, promoted, smokeTestResult, endpoints
        }

        /// Every key always present, unknown values as null, so scripts read one shape.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(version, forKey: .version)
            try container.encode(status, forKey: .status)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(commitSHA, forKey: .commitSHA)
            try container.encode(pullRequest, forKey: .pullRequest)
            try container.encode(packageSHA256, forKey: .packageSHA256)
            try container.encode(recordedBy, forKey: .recordedBy)
            try container.encode(promoted, forKey: .promoted)
            try container.encode(smokeTestResult, forKey: .smokeTestResult)
            try container.encode(endpoints, forKey: .endpoints)
        }
    }

    public var runtimeName: String
    public var runtimeID: String
    /// Newest first.
    public var versions: [Entry]
}

extension RuntimeHistory {
    /// What GitHub knows of one version; every value only from the bot.
    struct Origin: Sendable, Equatable {
        var commitSHA: String?
        var pullRequest: Int?
        var packageSHA256: String?
        var recordedBy: String
        var promoted = false
    }

    /// Reads the runtime's versions and endpoints from AgentCore and what is recorded about them:
    /// first the deployment records prod-deploy writes once in the deploy bucket (`records`, when
    /// given), then the bot's deployment issues naming this runtime (prod), and for this
    /// repository's `pr_<n>`, the tool's deployments to `pr-<n>` and the pull request's sticky comment.
    /// A package SHA-256 no record gives comes from the version's code location, which the
    /// deployer names after the package's SHA-256 (`<runtime>/packages/<sha256>.zip`). A
    /// `pr_<n>` is this repository's when `identity` owns its tag.
    public static func load(
        runtime: AgentRuntime, agentCore: any AgentCoreControlClient, github: any GitHubAPI, identity: OwningRepository,
        records: DeploymentRecords? = nil
    ) async throws -> RuntimeHistory {
        let id = runtime.agentRuntimeId
        let versions = try await agentCore.allAgentRuntimeVersions(id: id)
            .sorted { (Int($0.agentRuntimeVersion) ?? 0) > (Int($1.agentRuntimeVersion) ?? 0) }
        let endpoints = try await agentCore.allAgentRuntimeEndpoints(runtimeId: id)
        let issues = try await issueOrigins(runtimeID: id, github: github)
        var origins = issues
        if let records {
            for (version, record) in try await recordedOrigins(versions.map(\.agentRuntimeVersion), records: records) {
                origins[version] = Origin(
                    commitSHA: record.commitSHA, pullRequest: record.pullRequest, packageSHA256: record.packageSHA256,
                    recordedBy: "deployment record", promoted: issues[version]?.promoted ?? false)
            }
        }
        if let number = try await identity.deletablePullRequest(name: runtime.agentRuntimeName, description: runtime.description) {
            for (version, origin) in try await pullRequestOrigins(number, runtimeID: id, github: github) where origins[version] == nil {
                origins[version] = origin
            }
        }
        let packages = await packageSHA256s(
            of: versions.map(\.agentRuntimeVersion).filter { origins[$0]?.packageSHA256 == nil }, runtimeID: id, agentCore: agentCore)
        let entries = versions.map { summary in
            let version = summary.agentRuntimeVersion
            let origin = origins[version]
            return Entry(
                version: version, status: summary.status.rawValue, createdAt: summary.lastUpdatedAt,
                commitSHA: origin?.commitSHA, pullRequest: origin?.pullRequest,
                packageSHA256: origin?.packageSHA256 ?? packages[version], recordedBy: origin?.recordedBy,
                promoted: origin?.promoted ?? false, smokeTestResult: nil,
                endpoints: endpoints.compactMap { endpoint in
                    if endpoint.liveVersion == version { return EndpointUse(name: endpoint.name, live: true) }
                    if endpoint.targetVersion == version { return EndpointUse(name: endpoint.name, live: false) }
                    return nil
                }.sorted { $0.name < $1.name })
        }
        return RuntimeHistory(runtimeName: runtime.agentRuntimeName, runtimeID: id, versions: entries)
    }

    /// The bucket's record of each version, where there is one.
    private static func recordedOrigins(_ versions: [String], records: DeploymentRecords) async throws -> [String: DeploymentRecord] {
        let found = await versions.concurrentMap(width: 8) { version -> (String, Result<DeploymentRecord?, any Error>) in
            do {
                return (version, .success(try await records.forVersion(version)))
            } catch {
                return (version, .failure(error))
            }
        }
        var byVersion: [String: DeploymentRecord] = [:]
        for (version, result) in found {
            if let record = try result.get() { byVersion[version] = record }
        }
        return byVersion
    }

    private static func issueOrigins(runtimeID: String, github: any GitHubAPI) async throws -> [String: Origin] {
        try await DeploymentIssueIndex.load(runtimeID: runtimeID, github: github).byVersion.mapValues { entry in
            Origin(commitSHA: entry.metadata.commitSHA, pullRequest: entry.metadata.prNumber,
                   packageSHA256: entry.metadata.packageSHA256, recordedBy: "deployment issue #\(entry.issue)", promoted: entry.promoted)
        }
    }

    /// Each successful deployment of ours to `pr-<n>` names its version in its status; the sticky
    /// comment names the latest. A version deployed twice keeps its first commit.
    private static func pullRequestOrigins(_ number: Int, runtimeID: String, github: any GitHubAPI) async throws -> [String: Origin] {
        var origins: [String: Origin] = [:]
        let recorder = GitHubDeploymentRecorder(github: github)
        for deployment in try await recorder.ours(in: GitHubDeploymentRecorder.pullRequestEnvironment(number)).reversed() {
            let statuses = try await github.listDeploymentStatuses(deploymentID: deployment.id)
            for status in statuses where status.state == GitHubDeploymentState.success.rawValue && github.isAuthoredByBot(status.creator) {
                guard let version = GitHubDeploymentRecorder.version(inDescription: status.description), origins[version] == nil
                else { continue }
                origins[version] = Origin(commitSHA: deployment.sha, pullRequest: number, recordedBy: "GitHub deployment \(deployment.id)")
            }
        }
        let record = try PRComment.record(in: try await github.listComments(issue: number), trusted: github.trustedMarkers)
        if record.runtimeID == runtimeID, let deployed = record.deployed, origins[deployed.version] == nil {
            origins[deployed.version] = Origin(commitSHA: deployed.commitSHA, pullRequest: number, recordedBy: "pull request comment")
        }
        return origins
    }

    /// The SHA-256 in each version's code location, when it is a package the deployer stored.
    private static func packageSHA256s(
        of versions: [String], runtimeID: String, agentCore: any AgentCoreControlClient
    ) async -> [String: String] {
        let found = await versions.concurrentMap(width: 8) { version -> (String, String?) in
            let runtime = try? await agentCore.getAgentRuntime(id: runtimeID, version: version)
            let key = runtime?.agentRuntimeArtifact?.codeConfiguration?.code.s3?.prefix ?? ""
            return (version, key.firstMatch(of: /\/packages\/([0-9a-f]{64})\.zip$/).map { String($0.1) })
        }
        return Dictionary(uniqueKeysWithValues: found.compactMap { version, sha in sha.map { (version, $0) } })
    }
}
