import Foundation

extension AgentRuntime {
    /// The one rule for "no new version when nothing changed", for the flows and the CLI alike:
    /// a change needs a new version unless this version runs exactly `desired` (an empty set of
    /// environment variables counts as none) and did not fail. The ownership tag is left out: a
    /// tag that only gains the repository id or a new name is written with the next real change.
    public func needsNewVersion(for desired: AgentRuntimeConfiguration) -> Bool {
        guard !status.isFailed, let configuration else { return true }
        return configuration.withoutOwnershipTag != desired.withoutOwnershipTag
    }
}

extension AgentRuntimeConfiguration {
    /// AgentCore answers without `environmentVariables` where none were set.
    var normalized: AgentRuntimeConfiguration {
        var copy = self
        if copy.environmentVariables?.isEmpty == true { copy.environmentVariables = nil }
        return copy
    }

    fileprivate var withoutOwnershipTag: AgentRuntimeConfiguration {
        var copy = normalized
        copy.description = RuntimeOwnership.userText(ofDescription: copy.description).flatMap { $0.isEmpty ? nil : $0 }
        return copy
    }
}
