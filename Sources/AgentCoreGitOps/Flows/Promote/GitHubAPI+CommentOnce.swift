import Foundation

extension GitHubAPI {
    /// Writes the comment carrying `marker` unless the bot wrote one already. When racing runs both
    /// wrote it, the oldest stays and the others are deleted, so the issue ends with exactly one.
    /// Returns false when the comment was there already.
    @discardableResult
    func commentOnce(issue: Int, marker: String, body: String) async throws -> Bool {
        func ours() async throws -> [GitHubComment] {
            try await listComments(issue: issue)
                .filter { isAuthoredByBot($0.user) && ($0.body ?? "").contains(marker) }
                .sorted { $0.id < $1.id }
        }
        guard try await ours().isEmpty else { return false }
        _ = try await createComment(issue: issue, body: body)
        for duplicate in try await ours().dropFirst() {
            do {
                try await deleteComment(id: duplicate.id)
            } catch let error as GitHubError where error.apiFailure?.isNotFound == true {
                continue  // the other run deleted it first
            }
        }
        return true
    }

    /// Whether the bot already wrote a comment carrying `marker` on the issue.
    func hasBotComment(issue: Int, marker: String) async throws -> Bool {
        try await listComments(issue: issue).contains { isAuthoredByBot($0.user) && ($0.body ?? "").contains(marker) }
    }
}
