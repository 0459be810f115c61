import Foundation

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
    /// What merging would do to prod; nil when it could not be worked out.
    public var plan: DeploymentPlan?
    /// Why there is no plan, shown where it would be (prod not readable by this job's role).
    public var noPlanReason: String?
    /// Whether the deployed version answered; nil when it was not tested.
    public var smokeTest: SmokeTestOutcome?

    public init(
        deployment: RuntimeDeployment, package: PackageManifest, headSHA: String, defaultEndpoint: AgentRuntimeEndpoint?,
        smokeTest: SmokeTestOutcome? = nil
    ) {
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
        self.smokeTest = smokeTest
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
            \(smokeTestSection)
            Try it (the DEFAULT endpoint serves the latest version):
            ```sh
            \(invokeCommand)
            ```
            """ + planSection
    }

    private var planSection: String {
        if let plan { return "\n\n" + plan.markdown }
        guard let noPlanReason else { return "" }
        return "\n\n#### Plan against prod\n\n" + noPlanReason
    }
}
