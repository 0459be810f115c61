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

/// The labels of the IssueOps gate.
public enum PromotionLabels {
    public static let approved = "approved"
    public static let needsPromotion = "needs-promotion"
    public static let promoted = "promoted"

    static let promotedDefinition = GitHubLabelDefinition(
        name: promoted, color: "0e8a16", description: "The prod endpoint serves this deployment")
}

/// Idempotency tokens derived from what a call does and the state it starts from (FLOWS.md): a
/// rerun or a racing run of the same step sends the same token and gets the same single change.
enum PromotionClientToken {
    /// 64 hex characters: within AgentCore's 33-256 and its character set.
    static func make(_ parts: String...) -> String {
        SHA256Hasher.hash(Data(parts.joined(separator: "\n").utf8)).hexString
    }
}
