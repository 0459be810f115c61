import Foundation

/// Which versions of the prod runtime were promoted, newest first, from the two records the
/// promotion leaves on GitHub:
///
/// - the production deployments it records (GitHub Deployments, created by the bot, one per move
///   of the prod endpoint: approvals and rollbacks alike, in the order they happened);
/// - the deployment issues the bot opened and labelled `promoted` (approvals only, also those
///   made before the tool recorded deployments).
///
/// Each record alone can lose an entry (a person deletes an inactive deployment, or removes a
/// label), so the last K of each are kept: a version is dropped only when both records agree it
/// is old. Keeping a version too many costs quota; deleting a rollback target cannot be undone.
public struct PromotionHistory: Sendable, Equatable {
    /// Versions the production deployments name, newest deployment first (repeats allowed).
    public var fromDeployments: [String]
    /// Versions of promoted deployment issues, newest first.
    public var fromIssues: [String]

    public static let none = PromotionHistory(fromDeployments: [], fromIssues: [])

    /// The last `count` distinct versions of each record, together.
    public func lastPromoted(_ count: Int) -> Set<String> {
        Self.firstDistinct(count, fromDeployments).union(Self.firstDistinct(count, fromIssues))
    }

    private static func firstDistinct(_ count: Int, _ versions: [String]) -> Set<String> {
        var found: [String] = []
        for version in versions where found.count < count && !found.contains(version) { found.append(version) }
        return Set(found)
    }
}

extension PromotionHistory {
    /// Both records of the prod runtime `runtimeID` from GitHub: the tool's deployments to the
    /// production environment `environment` and the bot's deployment issues labelled `promoted`.
    public static func load(
        runtimeID: String, productionEnvironment environment: String, github: any GitHubAPI,
        issues: DeploymentIssueIndex? = nil
    ) async throws -> PromotionHistory {
        let deployments = try await GitHubDeploymentRecorder(github: github).ours(in: environment)
            .filter { $0.payload?[GitHubDeploymentRecorder.runtimeIDKey] == runtimeID }
            .compactMap { $0.payload?[GitHubDeploymentRecorder.versionKey] }
        let index = if let issues { issues } else { try await DeploymentIssueIndex.load(runtimeID: runtimeID, github: github) }
        return PromotionHistory(fromDeployments: deployments, fromIssues: index.promotedVersions)
    }
}
