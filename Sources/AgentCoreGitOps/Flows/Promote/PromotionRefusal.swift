import Foundation

/// Why a promotion or rollback was not carried out, and what the person should do instead.
/// Thrown only before anything changed, so a refusal always leaves AWS as it was.
public struct PromotionRefusal: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public var problem: String
    public var fix: String

    public init(_ problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(problem) — \(fix)" }
    public var errorDescription: String? { description }
}
