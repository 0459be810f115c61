import Foundation

/// What a promotion did, for the step summary and outputs.
public struct PromotionResult: Sendable, Equatable {
    public var issue: Int
    public var runtimeID: String
    public var version: String
    /// Nil when an earlier run moved the endpoint, or it did not exist before.
    public var fromVersion: String?
    public var endpointChanged: Bool
    public var prRuntime: RemovedPRRuntime?

    public var summaryLine: String {
        var text = "Issue #\(issue): prod serves version \(version) of \(runtimeID)"
        if let fromVersion, endpointChanged { text += " (was \(fromVersion))" }
        if let prRuntime { text += "; PR runtime \(prRuntime.runtime.runtimeID) \(prRuntime.removal.rawValue)" }
        return text
    }
}
