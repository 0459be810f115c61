import Foundation

/// A failure told as what went wrong and what to do about it, printed the same way by every
/// executable: `problem — fix`.
public struct ActionableError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: Equatable, Sendable {
        case failure
        /// A request turned down before anything changed: the approval flow answers it on the
        /// issue instead of failing the run.
        case refusal
    }

    public var problem: String
    public var fix: String
    public var kind: Kind

    public init(_ problem: String, fix: String, kind: Kind = .failure) {
        self.problem = problem
        self.fix = fix
        self.kind = kind
    }

    public static func refusal(_ problem: String, fix: String) -> ActionableError {
        ActionableError(problem, fix: fix, kind: .refusal)
    }

    public var description: String { "\(problem) — \(fix)" }
    public var errorDescription: String? { description }
}
