import Foundation

/// What a deployment left behind: a READY version and the code stored for it.
public struct RuntimeDeployment: Sendable, Equatable {
    /// The runtime at the deployed version, READY (unless the deployment did not wait).
    public var runtime: AgentRuntime
    /// False when the runtime already ran this package with these settings: no version was made.
    public var changed: Bool
    /// The latest version before this run, nil when the runtime was created now.
    public var previousVersion: String?
    /// The content-addressed package, `<name>/packages/<sha256>.zip`.
    public var packageLocation: S3Location
    /// The copy of the version's code, `<name>/v<k>/code.zip`.
    public var versionCopy: S3Location

    public var runtimeID: String { runtime.agentRuntimeId }
    public var version: String { runtime.agentRuntimeVersion }
}
