import Foundation

/// Prod's live settings differ from what git last deployed: someone changed the runtime by hand
/// (in the console, with the CLI). The next deploy would silently replace that change, so
/// prod-deploy names the differing fields in the deployment issue, or with `"onDrift": "fail"`
/// refuses before changing anything.
public struct ConfigurationDrift: Sendable, Equatable {
    public var runtimeName: String
    /// The version the last deploy made (or kept).
    public var deployedVersion: String
    /// The latest version, the one whose configuration differs.
    public var liveVersion: String
    /// The API paths that differ (`authorizerConfiguration.customJWTAuthorizer.allowedAudience`).
    public var fields: [String]

    /// Compares the latest version as AWS returns it with what the last deploy sent. Nil when
    /// they match, when nothing was recorded yet, or when the latest version already runs
    /// `desired` (a rerun after the record could not be written). What the last deploy sent is
    /// its recorded version's settings, or what it was sending when it stopped before recording
    /// the version it made: whichever the latest version is closer to.
    static func detect(
        current: AgentRuntime?, desired: AgentRuntimeConfiguration, record: SentConfigurationRecord
    ) async throws -> ConfigurationDrift? {
        guard let current, let live = current.configuration, let sent = try await record.read() else { return nil }
        // Settings git never sends were made by hand, whatever else matches.
        let unmanaged = current.unmanagedSettings ?? []
        guard live.normalized != desired.normalized || !unmanaged.isEmpty else { return nil }
        // The ownership tag is the tool's, not a setting: a rename changes it without a version.
        let latest = live.fingerprinted(salt: sent.salt).withoutOwnershipTag
        let fields = ([sent.configuration] + [sent.pending].compactMap { $0 })
            .map { SettingsDiff.differingPaths($0.withoutOwnershipTag, latest) }
            .min { $0.count < $1.count }.map { $0 + unmanaged } ?? unmanaged
        guard !fields.isEmpty else { return nil }
        return ConfigurationDrift(
            runtimeName: current.agentRuntimeName, deployedVersion: sent.version, liveVersion: current.agentRuntimeVersion,
            fields: fields)
    }

    public var summary: String {
        "\(runtimeName) version \(liveVersion) differs from what git last deployed (version \(deployedVersion)) in "
            + fields.joined(separator: ", ")
    }

    public var refusal: ActionableError {
        ActionableError(
            "\(summary): someone changed it outside git, and onDrift is fail",
            fix: "put the change into agent/agentcore.json (or undo it in AWS), or set \"onDrift\": \"report\" to overwrite it")
    }

    public var markdown: String {
        """
        #### ⚠️ Drift: prod was changed outside git
        Version \(liveVersion) of `\(runtimeName)` differs from what git last deployed (version \(deployedVersion)) in:
        \(fields.map { "- \(DeploymentPlan.codeSpan($0))" }.joined(separator: "\n"))

        This deployment replaced those settings with the ones in `agent/agentcore.json`. To keep a change \
        made by hand, put it into `agentcore.json`; to stop deploys instead, set `"onDrift": "fail"`.
        """
    }
}
