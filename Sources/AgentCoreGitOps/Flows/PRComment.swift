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
            return try [
                marker, RuntimeIDMarker.render(id),
                "### AgentCore runtime `\(name)`: merged",
                "",
                "This pull request was merged. Runtime `\(name)` (`\(id)`) stays until the deployment issue "
                    + "for the merge is approved; prod-promote then deletes it.",
            ].joined(separator: "\n")
        case .deleted(let name, let id):
            return [
                marker,
                "### AgentCore runtime `\(name)`: deleted",
                "",
                "This pull request was closed without merging, so runtime `\(name)`"
                    + (id.map { " (`\($0)`)" } ?? "") + " and its endpoints were deleted. "
                    + "Reopening the pull request deploys it again. The code packages stay in S3.",
            ].joined(separator: "\n")
        case .keptForeign(let name, let id):
            return [
                marker,
                "### AgentCore runtime `\(name)`: not deleted",
                "",
                "This pull request was closed without merging, but runtime `\(name)` (`\(id)`) does not carry this "
                    + "repository's ownership tag, so it was left alone. Delete it by hand if nobody needs it.",
            ].joined(separator: "\n")
        }
    }
}

/// What pr-deploy deployed, for the sticky comment, the step summary and the outputs.
public struct PRDeploymentReport: Sendable, Equatable {
    public var runtimeName: String
    public var runtimeID: String
    public var runtimeARN: String
    public var version: String
    public var status: String
    public var changed: Bool
    public var headSHA: String
    public var packageSHA256: String
    public var packageBytes: Int64
    public var bootSeconds: Double?
    public var versionCopy: S3Location
    public var defaultEndpoint: AgentRuntimeEndpoint?

    public init(deployment: RuntimeDeployment, package: PackageManifest, headSHA: String, defaultEndpoint: AgentRuntimeEndpoint?) {
        runtimeName = deployment.runtime.agentRuntimeName
        runtimeID = deployment.runtimeID
        runtimeARN = deployment.runtime.agentRuntimeArn
        version = deployment.version
        status = deployment.runtime.status.rawValue
        changed = deployment.changed
        self.headSHA = headSHA
        packageSHA256 = package.sha256
        packageBytes = package.compressedBytes
        bootSeconds = package.bootSeconds
        versionCopy = deployment.versionCopy
        self.defaultEndpoint = defaultEndpoint
    }

    /// The region is the ARN's fourth field: `arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/ID`.
    public var region: String? {
        let fields = runtimeARN.split(separator: ":", omittingEmptySubsequences: false)
        return fields.count > 3 && !fields[3].isEmpty ? String(fields[3]) : nil
    }

    /// A command people can paste to talk to the DEFAULT endpoint (the latest READY version).
    public var invokeCommand: String {
        var lines = [
            "aws bedrock-agentcore invoke-agent-runtime \\",
            "  --agent-runtime-arn '\(runtimeARN)' \\",
            "  --qualifier DEFAULT \\",
            "  --content-type application/json \\",
            "  --cli-binary-format raw-in-base64-out \\",
            "  --payload '{\"prompt\": \"Hello!\"}' \\",
        ]
        if let region { lines.append("  --region \(region) \\") }
        lines.append("  response.json && cat response.json")
        return lines.joined(separator: "\n")
    }

    public var markdown: String {
        let versionText = changed
            ? "\(version) (new)"
            : "\(version) (unchanged: the package and settings are the same as this version's, so no new version was made)"
        var rows = [
            ("Runtime", "`\(runtimeName)` (`\(runtimeID)`)"),
            ("Version", versionText),
            ("Status", status),
            ("Commit", "`\(headSHA)`"),
            ("Package", "SHA-256 `\(packageSHA256)`, \(packageBytes.readableByteCount)"),
            ("Code", "`\(versionCopy)`"),
        ]
        if let bootSeconds { rows.append(("Start-up", String(format: "%.2f s (host-platform check)", bootSeconds))) }
        if let endpoint = defaultEndpoint {
            rows.append(("Endpoint", "`DEFAULT` → version \(endpoint.liveVersion ?? "none") (\(endpoint.status)), `\(endpoint.agentRuntimeEndpointArn)`"))
        } else {
            rows.append(("Endpoint", "`DEFAULT` (follows the latest READY version)"))
        }
        let table = rows.map { "| \($0.0) | \($0.1) |" }.joined(separator: "\n")
        return """
            ### AgentCore runtime `\(runtimeName)`: version \(version) \(status)

            | | |
            |---|---|
            \(table)

            Try it (the DEFAULT endpoint serves the latest version):
            ```sh
            \(invokeCommand)
            ```
            """
    }
}
