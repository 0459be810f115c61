import Foundation

/// The account-level settings every flow needs, read from the environment (repository variables
/// in the workflows). Nothing here is ever edited in code.
public struct DeploymentSettings: Sendable, Equatable {
    /// The prod runtime when AGENTCORE_PROD_RUNTIME is not set.
    public static let defaultProdRuntimeName = "prod"
    /// How pull-request runtimes (`pr_<n>`) and their keys start: the pull-request role's scope.
    public static let pullRequestPrefix = "pr_"

    /// The execution role the runtime assumes (`AGENTCORE_ROLE_ARN`).
    public var roleArn: String
    /// Where code packages are stored (`AGENTCORE_S3_BUCKET`).
    public var bucket: String
    public var prodRuntimeName: String = defaultProdRuntimeName
    public var prodEndpointName: String = "prod"
    public var approverPermission: ApproverPermission = .write
    public var botLogin: String = "github-actions[bot]"

    // The limits in these patterns count code points, as AWS does.
    private static var roleArnPattern: Regex<Substring> {
        /arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@\/-]{1,512}/.matchingSemantics(.unicodeScalar)
    }
    private static var bucketPattern: Regex<Substring> { /[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.matchingSemantics(.unicodeScalar) }
    private static var namePattern: Regex<Substring> { /[a-zA-Z][a-zA-Z0-9_]{0,47}/.matchingSemantics(.unicodeScalar) }

    /// Reads and checks every setting, and reports all problems at once so one fix round suffices.
    /// An empty variable counts as unset: that is how Actions passes an undefined `vars.X`.
    public static func fromEnvironment(_ environment: [String: String]) throws -> DeploymentSettings {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty
            else { return nil }
            return raw
        }
        var problems: [String] = []

        let roleArn = value("AGENTCORE_ROLE_ARN")
        if roleArn == nil {
            problems.append("AGENTCORE_ROLE_ARN is not set: the ARN of the runtime's execution role")
        } else if let roleArn, roleArn.wholeMatch(of: Self.roleArnPattern) == nil {
            problems.append("AGENTCORE_ROLE_ARN '\(roleArn)' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
        }

        let bucket = value("AGENTCORE_S3_BUCKET")
        if bucket == nil {
            problems.append("AGENTCORE_S3_BUCKET is not set: the bucket that stores code packages")
        } else if let bucket, bucket.wholeMatch(of: Self.bucketPattern) == nil {
            problems.append("AGENTCORE_S3_BUCKET '\(bucket)' is not a valid bucket name (3-63 lower-case letters, digits, dots, hyphens)")
        }

        let prodRuntime = value("AGENTCORE_PROD_RUNTIME") ?? defaultProdRuntimeName
        let prodEndpoint = value("AGENTCORE_PROD_ENDPOINT") ?? "prod"
        for (name, text) in [("AGENTCORE_PROD_RUNTIME", prodRuntime), ("AGENTCORE_PROD_ENDPOINT", prodEndpoint)]
        where text.wholeMatch(of: Self.namePattern) == nil {
            problems.append("\(name) '\(text)' is not a valid AgentCore name (a letter, then up to 47 letters, digits or underscores)")
        }
        if prodRuntime.hasPrefix(pullRequestPrefix) {
            problems.append(
                "AGENTCORE_PROD_RUNTIME '\(prodRuntime)' starts with \(pullRequestPrefix) like a pull-request runtime, which the "
                    + "pull-request role may read and change; choose a name that does not")
        }
        if prodEndpoint == "DEFAULT" {
            problems.append("AGENTCORE_PROD_ENDPOINT cannot be DEFAULT: AgentCore moves DEFAULT to every new version itself")
        }

        let approverText = value("AGENTCORE_APPROVER_PERMISSION") ?? "write"
        let approver = ApproverPermission(rawValue: approverText.lowercased())
        if approver == nil {
            problems.append("AGENTCORE_APPROVER_PERMISSION '\(approverText)' must be write, maintain or admin")
        }

        guard problems.isEmpty, let roleArn, let bucket, let approver else {
            throw SettingsError(problems: problems)
        }
        return DeploymentSettings(
            roleArn: roleArn, bucket: bucket, prodRuntimeName: prodRuntime, prodEndpointName: prodEndpoint,
            approverPermission: approver, botLogin: value("AGENTCORE_BOT_LOGIN") ?? "github-actions[bot]")
    }
}
