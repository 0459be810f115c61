import Foundation

/// What a prod-deploy run did.
public enum ProdDeployOutcome: Sendable, Equatable {
    /// Not a push this flow acts on (a deletion, a tag, another branch).
    case skipped(reason: String)
    /// A rerun: the commit's deployment issue exists, so the job was done.
    case alreadyDeployed(issue: Int)
    case deployed(issue: Int, deployment: RuntimeDeployment)
    /// A re-run whose version had not passed its smoke test: tested again, passed, the issue updated.
    case retested(issue: Int)
}
