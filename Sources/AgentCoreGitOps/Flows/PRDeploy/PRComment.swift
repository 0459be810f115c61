import Foundation

/// The one sticky comment pr-deploy keeps on a pull request: what is deployed and how to try
/// it, or that the latest push failed and what still runs. Its hidden `RUNTIME_ID` marker is how
/// later runs (and prod-deploy) find the runtime; only the bot's comments carrying `marker` count.
public enum PRComment {
    /// Identifies our sticky comment whatever it currently says.
    public static let marker = "<!-- agentcore-gitops: pull request runtime -->"

    /// The bot's sticky comments, oldest first.
    public static func ours(in comments: [GitHubComment], trusted: TrustedMarkers) -> [GitHubComment] {
        comments.filter { trusted.isBot($0.user) && ($0.body ?? "").contains(marker) }.sorted { $0.id < $1.id }
    }

    /// The runtime id our sticky comment records, nil when there is none. A person's comment
    /// that quotes a marker is never read.
    public static func runtimeID(in comments: [GitHubComment], trusted: TrustedMarkers) throws -> String? {
        try trusted.runtimeID(inComments: ours(in: comments, trusted: trusted))
    }

    /// What our sticky comment records: the runtime, and the version last deployed to it.
    /// Throws, like `runtimeID`, when the bot's comments name two runtimes.
    public static func record(in comments: [GitHubComment], trusted: TrustedMarkers) throws -> PRCommentRecord {
        let ours = ours(in: comments, trusted: trusted)
        return PRCommentRecord(
            runtimeID: try trusted.runtimeID(inComments: ours),
            deployed: ours.lazy.compactMap { PRDeployedVersion.parse($0.text) }.first)
    }

    /// What the comment reports.
    public enum State: Sendable, Equatable {
        case deployed(PRDeploymentReport)
        /// This push was not deployed; the record of what still runs is kept.
        case failed(PRDeployFailure)
        /// Closed by merging: the runtime stays until the deployment is promoted.
        case merged(runtimeName: String, runtimeID: String)
        /// Closed without merging and deleted (or already gone).
        case deleted(runtimeName: String, runtimeID: String?)
        /// Closed without merging, but the runtime found is not one this repository may delete.
        case keptForeign(runtimeName: String, runtimeID: String)
    }

    public static func render(_ state: State) throws -> String {
        switch state {
        case .deployed(let report):
            let record = PRCommentRecord(
                runtimeID: report.runtimeID, deployed: PRDeployedVersion(version: report.version, commitSHA: report.headSHA))
            return try ([marker] + record.markers() + [report.markdown]).joined(separator: "\n")
        case .failed(let failure):
            return try ([marker] + failure.previous.markers() + [failure.markdown]).joined(separator: "\n")
        case .merged(let name, let id):
            return try note(
                name, "merged", markers: [RuntimeIDMarker.render(id)],
                "This pull request was merged. Runtime `\(name)` (`\(id)`) stays until the deployment issue "
                    + "for the merge is approved; prod-promote then deletes it.")
        case .deleted(let name, let id):
            return note(
                name, "deleted",
                "This pull request was closed without merging, so runtime `\(name)`"
                    + (id.map { " (`\($0)`)" } ?? "") + " and its endpoints were deleted. "
                    + "Reopening the pull request deploys it again. The code packages stay in S3.")
        case .keptForeign(let name, let id):
            return note(
                name, "not deleted",
                "This pull request was closed without merging, but runtime `\(name)` (`\(id)`) does not carry this "
                    + "repository's ownership tag, so it was left alone. Delete it by hand if nobody needs it.")
        }
    }

    /// A short state of the runtime: the marker, any record markers, a heading and one paragraph.
    private static func note(_ runtimeName: String, _ state: String, markers: [String] = [], _ text: String) -> String {
        ([marker] + markers + ["### AgentCore runtime `\(runtimeName)`: \(state)", "", text]).joined(separator: "\n")
    }
}
