import Foundation

/// The state of a commit status; branch protection that requires a context waits for `success`.
public enum GitHubCommitState: String, Sendable, Codable, CaseIterable {
    case error, failure, pending, success
}

/// A commit status as GitHub answers `POST /repos/{owner}/{repo}/statuses/{sha}`.
public struct GitHubCommitStatus: Sendable, Equatable, Decodable {
    public var id: Int
    public var state: GitHubCommitState
    public var context: String
    public var description: String?
    public var targetURL: String?
    public var creator: GitHubUser?

    enum CodingKeys: String, CodingKey {
        case id, state, context, description, creator
        case targetURL = "target_url"
    }

    /// GitHub refuses longer descriptions.
    public static let maxDescriptionLength = 140

    /// `text` on one line, cut with `…` to GitHub's limit.
    public static func fittedDescription(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard line.unicodeScalars.count > maxDescriptionLength else { return line }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: line.unicodeScalars.prefix(maxDescriptionLength - 1))
        return String(scalars) + "…"
    }
}

extension GitHubOperation {
    static let createCommitStatus = GitHubOperation("create a commit status", permission: "statuses: write")
}
