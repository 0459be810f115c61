import Foundation

/// The runtime was about to be deleted but is not (any more) this repository's `pr_<n>`.
public struct PRRuntimeNotOursError: Error, Equatable, Sendable, CustomStringConvertible {
    public var runtimeID: String
    public var pullRequest: Int
    public var repository: String

    public var description: String {
        ActionableError(
            "refusing to delete \(runtimeID): it is not tagged as the runtime of PR \(pullRequest) of \(repository)",
            fix: "delete it by hand if it really is unused"
        ).description
    }
}
