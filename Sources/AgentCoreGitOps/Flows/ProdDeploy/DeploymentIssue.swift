import Foundation

/// The issue prod-deploy opens for each deployed commit: a body people read (what was deployed,
/// how to test it, how to approve it) and the hidden `DEPLOYMENT_METADATA` prod-promote reads.
public struct DeploymentIssue: Sendable, Equatable {
    public var metadata: DeploymentMetadata
    public var runtimeARN: String
    public var changed: Bool
    public var packageBytes: Int64
    public var versionCopy: S3Location
    public var prodEndpointName: String
    /// What this version changes against what the prod endpoint serves.
    public var plan: DeploymentPlan?
    /// Settings changed in AWS by hand since the last deploy, which this version replaced.
    public var drift: ConfigurationDrift?
    /// Whether the version answered through DEFAULT before the issue opened.
    public var smokeTest: SmokeTestOutcome?

    public init(
        deployment: RuntimeDeployment, package: PackageManifest, commitSHA: String, pullRequest: Int?,
        pullRequestRuntimeID: String?, prodEndpointName: String, plan: DeploymentPlan? = nil, drift: ConfigurationDrift? = nil,
        smokeTest: SmokeTestOutcome? = nil
    ) throws {
        metadata = try DeploymentMetadata(
            runtimeID: deployment.runtimeID, version: deployment.version, prRuntimeID: pullRequestRuntimeID,
            commitSHA: commitSHA, prNumber: pullRequest, packageSHA256: package.sha256,
            runtimeName: deployment.runtime.agentRuntimeName)
        runtimeARN = deployment.runtime.agentRuntimeArn
        changed = deployment.changed
        packageBytes = package.compressedBytes
        versionCopy = deployment.versionCopy
        self.prodEndpointName = prodEndpointName
        self.plan = plan
        self.drift = drift
        self.smokeTest = smokeTest
    }

    private var runtimeName: String { metadata.runtimeName ?? "prod" }
    private var shortSHA: String { String((metadata.commitSHA ?? "").prefix(7)) }

    public var title: String {
        "Promote \(runtimeName) version \(metadata.version) (" + (metadata.prNumber.map { "#\($0), " } ?? "") + "\(shortSHA))"
    }

    public var body: String {
        let commit = metadata.commitSHA ?? ""
        var rows = [
            ("Runtime", "`\(runtimeName)` (`\(metadata.runtimeID)`)"),
            ("Version", changed ? "\(metadata.version) (new)" : "\(metadata.version) (already had this package and settings; no new version)"),
            // GitHub links a full commit SHA and `#n` in issue text by itself.
            ("Commit", commit),
            ("Pull request", metadata.prNumber.map { "#\($0)" } ?? "none (direct push)"),
            ("Package", "SHA-256 `\(metadata.packageSHA256 ?? "")`, \(packageBytes.readableByteCount)"),
            ("Code", "`\(versionCopy)`"),
        ]
        if let prRuntime = metadata.prRuntimeID {
            rows.append(("PR runtime", "`\(prRuntime)` (deleted on promotion)"))
        }
        let table = rows.map { "| \($0.0) | \($0.1) |" }.joined(separator: "\n")
        let region = runtimeARN.split(separator: ":", omittingEmptySubsequences: false).dropFirst(3).first.map(String.init)
        return """
            ## `\(runtimeName)` version \(metadata.version) is deployed and waiting for promotion

            The `\(prodEndpointName)` endpoint still serves the version promoted before; this version is not live yet.
            \(smokeTest.map { Self.smokeTestSection($0, runtimeName: runtimeName) } ?? "")
            | | |
            |---|---|
            \(table)
            \(changeSections)
            ### Test it
            Until the next deployment, the `DEFAULT` endpoint serves the latest version, which is this one:
            ```sh
            aws bedrock-agentcore invoke-agent-runtime \\
              --agent-runtime-arn '\(runtimeARN)' \\
              --qualifier DEFAULT \\
              --content-type application/json \\
              --cli-binary-format raw-in-base64-out \\
              --payload '{"prompt": "Hello!"}' \\\(region.map { "\n  --region \($0) \\" } ?? "")
              response.json && cat response.json
            ```

            ### Approve it
            Someone with write access adds the **`approved`** label. prod-promote then moves the `\(prodEndpointName)` endpoint \
            to version \(metadata.version), deletes the pull request's runtime, labels this issue `promoted` and closes it.
            To roll back later, run the prod-promote workflow by hand with the version to serve.

            \(metadata.rendered())
            """
    }

    /// The plan and any drift, each under its own heading; empty when there is neither.
    private var changeSections: String {
        [drift?.markdown, plan?.markdown].compactMap { $0 }.map { "\n\($0)\n" }.joined()
    }

    /// The bot's deployment issue for `commitSHA`, open or closed, so a rerun never opens a
    /// second one. Issues by anyone else, or whose metadata cannot be read, do not count.
    public static func find(forCommit commitSHA: String, github: any GitHubAPI) async throws -> GitHubIssue? {
        try await findAll(forCommit: commitSHA, github: github).first
    }

    /// Every deployment issue the bot opened for `commitSHA`, oldest first. More than one means
    /// a create was repeated after its answer was lost.
    public static func findAll(forCommit commitSHA: String, github: any GitHubAPI) async throws -> [GitHubIssue] {
        let trusted = github.trustedMarkers
        return try await github.listIssues(labels: [DeploymentLabels.deployment.name], state: .all)
            .filter { issue in
                (try? trusted.deploymentMetadata(in: issue))??.commitSHA == commitSHA
            }
            .sorted { $0.number < $1.number }
    }
}
