import Foundation

/// The deployment issues prod-deploy opened for one runtime, read once: what each version was
/// built from (commit, pull request, package) and which were promoted. Only issues the bot
/// opened count, and only metadata it wrote; an issue whose metadata cannot be read is skipped.
public struct DeploymentIssueIndex: Sendable {
    public struct Entry: Sendable, Equatable {
        public var issue: Int
        public var metadata: DeploymentMetadata
        /// Labelled `promoted`: an approval moved the prod endpoint to this version.
        public var promoted: Bool
    }

    /// By version; when several issues name one version (a rerun of an old run, or a merge that
    /// left the package as it was), the oldest issue, promoted when any of them was.
    public let byVersion: [String: Entry]

    public init(entries: [Entry]) {
        var byVersion: [String: Entry] = [:]
        for entry in entries.sorted(by: { $0.issue < $1.issue }) {
            if var oldest = byVersion[entry.metadata.version] {
                oldest.promoted = oldest.promoted || entry.promoted
                byVersion[entry.metadata.version] = oldest
            } else {
                byVersion[entry.metadata.version] = entry
            }
        }
        self.byVersion = byVersion
    }

    /// The bot's deployment issues, open or closed, whose metadata names `runtimeID`.
    public static func load(runtimeID: String, github: any GitHubAPI) async throws -> DeploymentIssueIndex {
        let trusted = github.trustedMarkers
        let entries = try await github.listIssues(labels: [DeploymentLabels.deployment.name], state: .all)
            .compactMap { issue -> Entry? in
                guard let metadata = (try? trusted.deploymentMetadata(in: issue)) ?? nil, metadata.runtimeID == runtimeID
                else { return nil }
                return Entry(issue: issue.number, metadata: metadata, promoted: issue.hasLabel(DeploymentLabels.promoted.name))
            }
        return DeploymentIssueIndex(entries: entries)
    }

    /// Versions whose issue is labelled `promoted`, newest first. Approvals only move prod
    /// forward, so the newest version is the latest approval.
    public var promotedVersions: [String] {
        byVersion.values.filter(\.promoted).map(\.metadata.version).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
    }
}
