import Foundation

extension AgentRuntime {
    /// The one rule for "no new version when nothing changed", for the flows and the CLI alike:
    /// a change needs a new version unless this version runs exactly `desired` — every setting
    /// sent, from the code and role to the authorizer, network, file systems and hooks, and none
    /// that this tool never sends — and did not fail. Forms AWS treats as "not set" (an empty list or map) count as not set.
    /// The ownership tag is left out: a tag that only gains the repository id or a new name is
    /// written with the next real change.
    public func needsNewVersion(for desired: AgentRuntimeConfiguration) -> Bool {
        // A setting made by hand that git cannot declare: the new version replaces it, as drift reports.
        guard !status.isFailed, let configuration, unmanagedSettings?.isEmpty ?? true else { return true }
        return configuration.withoutOwnershipTag != desired.withoutOwnershipTag
    }
}

extension AgentRuntimeConfiguration {
    /// AgentCore answers without a member where none was set, and fills in lifecycle defaults.
    var normalized: AgentRuntimeConfiguration {
        var copy = self
        if copy.environmentVariables?.isEmpty == true { copy.environmentVariables = nil }
        if copy.filesystemConfigurations?.isEmpty == true { copy.filesystemConfigurations = nil }
        if copy.allowedPorts?.isEmpty == true { copy.allowedPorts = nil }
        if copy.resourceConfigurations?.isEmpty == true { copy.resourceConfigurations = nil }
        if copy.requestHeaderConfiguration?.requestHeaderAllowlist?.isEmpty ?? false { copy.requestHeaderConfiguration = nil }
        if copy.hooksConfiguration?.build?.warmup == nil { copy.hooksConfiguration = nil }
        if copy.description?.isEmpty == true { copy.description = nil }
        if let lifecycle = copy.lifecycleConfiguration {
            copy.lifecycleConfiguration = LifecycleConfiguration(
                idleRuntimeSessionTimeout: lifecycle.idleRuntimeSessionTimeout ?? 900, maxLifetime: lifecycle.maxLifetime ?? 28800)
        } else {
            copy.lifecycleConfiguration = LifecycleConfiguration(idleRuntimeSessionTimeout: 900, maxLifetime: 28800)
        }
        return copy
    }

    var withoutOwnershipTag: AgentRuntimeConfiguration {
        var copy = normalized
        copy.description = RuntimeOwnership.userText(ofDescription: copy.description).flatMap { $0.isEmpty ? nil : $0 }
        return copy
    }
}
