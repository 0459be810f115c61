import Foundation

/// What a pr-deploy run did.
public enum PRDeployOutcome: Sendable, Equatable {
    case skippedFork
    case ignoredAction(String)
    case deployed(PRDeploymentReport)
    case keptForPromotion(runtimeID: String?)
    /// Closed without merging: the runtime deleted (nil when there was none).
    case deleted(runtimeID: String?)
    /// Closed without merging, but the `pr_<n>` found is not this repository's: left alone.
    case leftForeignRuntime(runtimeID: String)
}
