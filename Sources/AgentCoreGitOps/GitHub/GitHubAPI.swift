import Foundation

/// The GitHub operations the flows use, on one repository. `GitHubClient` is the real one;
/// unit tests of the flows may fake it. Issue numbers include pull requests (GitHub numbers
/// them together, and comments and labels on a pull request go through the issues API).
public protocol GitHubAPI: Sendable {
    var repository: GitHubRepository { get }
    /// The login whose comments and issues are trusted (`github-actions[bot]` by default).
    var botLogin: String { get }

    /// All comments on an issue or pull request, oldest first, every page.
    func listComments(issue: Int) async throws -> [GitHubComment]
    func createComment(issue: Int, body: String) async throws -> GitHubComment
    func updateComment(id: Int, body: String) async throws -> GitHubComment
    func deleteComment(id: Int) async throws

    func createIssue(title: String, body: String, labels: [String]) async throws -> GitHubIssue
    func getIssue(number: Int) async throws -> GitHubIssue
    func updateIssue(number: Int, _ update: GitHubIssueUpdate) async throws -> GitHubIssue
    /// Open issues carrying all the given labels, pull requests left out, every page.
    func listOpenIssues(labels: [String]) async throws -> [GitHubIssue]
    /// Issues in `state` (`open`, `closed` or `all`) carrying all the given labels, pull requests
    /// left out, every page.
    func listIssues(labels: [String], state: GitHubIssueListState) async throws -> [GitHubIssue]

    /// Adds labels to an issue or pull request; returns its labels afterwards.
    @discardableResult
    func addLabels(issue: Int, labels: [String]) async throws -> [GitHubLabel]
    /// Removes a label; a label that is not there is not an error.
    func removeLabel(issue: Int, label: String) async throws
    /// The repository's labels, every page.
    func listLabels() async throws -> [GitHubLabel]
    /// Creates a repository label; returns false when it already exists.
    @discardableResult
    func createLabel(_ label: GitHubLabelDefinition) async throws -> Bool

    /// Reports a status on a commit under `context` (`POST /statuses/{sha}`); the newest per
    /// context counts. A description over GitHub's 140 characters is cut to fit.
    @discardableResult
    func createCommitStatus(
        sha: String, state: GitHubCommitState, context: String, description: String?, targetURL: String?
    ) async throws -> GitHubCommitStatus

    func getPullRequest(number: Int) async throws -> GitHubPullRequest
    /// Pull requests associated with a commit: on the default branch, the merged one that
    /// introduced it.
    func pullRequests(forCommit sha: String) async throws -> [GitHubPullRequest]

    /// How `head` relates to `base` in the commit graph (`GET /compare/{base}...{head}`).
    func compareCommits(base: String, head: String) async throws -> GitHubCommitComparison
    /// The commit a branch points at now.
    func branchTip(_ branch: String) async throws -> String
    /// A repository by name. GitHub follows a renamed or transferred repository's old name to it
    /// (until another repository takes the name), so the answer's `id` says where a name leads now.
    func getRepository(_ repository: GitHubRepository) async throws -> GitHubRepositoryInfo

    /// Records a deployment of `request.ref` (a commit) to an environment.
    func createDeployment(_ request: GitHubDeploymentRequest) async throws -> GitHubDeployment
    /// Deployments, newest first, every page; nil filters are left out.
    func listDeployments(environment: String?, sha: String?, task: String?) async throws -> [GitHubDeployment]
    func createDeploymentStatus(deploymentID: Int, _ status: GitHubDeploymentStatusRequest) async throws -> GitHubDeploymentStatus
    /// A deployment's statuses, newest first, every page.
    func listDeploymentStatuses(deploymentID: Int) async throws -> [GitHubDeploymentStatus]

    /// A user's permission on the repository.
    func permission(of login: String) async throws -> GitHubPermission
    /// The user the token belongs to (`GET /user`; not available to `GITHUB_TOKEN`).
    func authenticatedUser() async throws -> GitHubUser
}

/// What `upsertStickyComment` did.
public struct StickyCommentResult: Sendable, Equatable {
    public enum Action: String, Sendable {
        case created, updated, unchanged
    }

    public var action: Action
    public var comment: GitHubComment
    /// Newer duplicates a race left behind, deleted.
    public var deletedDuplicateIDs: [Int]
}

extension GitHubAPI {
    /// Keeps exactly one comment of ours carrying `marker` on an issue or pull request, with
    /// `body`: updates it in place when the body changed, creates it when there is none, and
    /// when concurrent runs left several, keeps the oldest and deletes the rest.
    /// Only comments by the bot count; a person's comment that quotes the marker is left alone.
    /// `body` gets the marker prepended when it does not already contain it.
    public func upsertStickyComment(issue: Int, marker: String, body: String) async throws -> StickyCommentResult {
        try await upsertStickyComment(issue: issue, marker: marker, body: body, comments: try await listComments(issue: issue))
    }

    /// The same, over `comments` the caller has just listed, so a flow that needs them anyway
    /// reads them once.
    public func upsertStickyComment(
        issue: Int, marker: String, body: String, comments: [GitHubComment]
    ) async throws -> StickyCommentResult {
        let fullBody = body.contains(marker) ? body : marker + "\n" + body
        let ours = comments
            .filter { isAuthoredByBot($0.user) && ($0.body ?? "").contains(marker) }
            .sorted { $0.id < $1.id }

        guard let oldest = ours.first else {
            let created = try await createComment(issue: issue, body: fullBody)
            // A run racing this one may have created its copy a moment earlier: the oldest stays,
            // with this run's body, so two runs never leave two sticky comments.
            let earlier = try await listComments(issue: issue)
                .filter { isAuthoredByBot($0.user) && ($0.body ?? "").contains(marker) && $0.id < created.id }
                .min { $0.id < $1.id }
            guard let earlier else { return StickyCommentResult(action: .created, comment: created, deletedDuplicateIDs: []) }
            try await deleteCommentIfPresent(id: created.id)
            if Self.normalizedLineEndings(earlier.body ?? "") == Self.normalizedLineEndings(fullBody) {
                // The same text: a twin from a retried create whose answer was lost, or a run of the same commit.
                return StickyCommentResult(action: .created, comment: earlier, deletedDuplicateIDs: [created.id])
            }
            let kept = try await updateComment(id: earlier.id, body: fullBody)
            return StickyCommentResult(action: .updated, comment: kept, deletedDuplicateIDs: [created.id])
        }
        var deleted: [Int] = []
        for duplicate in ours.dropFirst() {
            try await deleteCommentIfPresent(id: duplicate.id)
            deleted.append(duplicate.id)
        }
        if Self.normalizedLineEndings(oldest.body ?? "") == Self.normalizedLineEndings(fullBody) {
            return StickyCommentResult(action: .unchanged, comment: oldest, deletedDuplicateIDs: deleted)
        }
        let updated = try await updateComment(id: oldest.id, body: fullBody)
        return StickyCommentResult(action: .updated, comment: updated, deletedDuplicateIDs: deleted)
    }

    /// Open issues with all `labels` that the bot opened and whose body contains `marker`.
    public func findOpenIssues(labels: [String], marker: String) async throws -> [GitHubIssue] {
        try await listOpenIssues(labels: labels)
            .filter { isAuthoredByBot($0.user) && ($0.body ?? "").contains(marker) }
            .sorted { $0.number < $1.number }
    }

    /// Creates the labels that do not exist yet. Existing labels keep their colour and
    /// description: people may have changed them on purpose.
    public func ensureLabels(_ definitions: [GitHubLabelDefinition]) async throws {
        let existing = Set(try await listLabels().map { $0.name.lowercased() })
        for definition in definitions where !existing.contains(definition.name.lowercased()) {
            try await createLabel(definition)
        }
    }

    public func closeIssue(number: Int, reason: GitHubIssueStateReason = .completed) async throws -> GitHubIssue {
        try await updateIssue(number: number, .close(reason: reason))
    }

    /// Reads markers only from what the bot wrote.
    public var trustedMarkers: TrustedMarkers { TrustedMarkers(botLogin: botLogin) }

    public func isAuthoredByBot(_ user: GitHubUser?) -> Bool { trustedMarkers.isBot(user) }

    /// Another run may have deleted the same duplicate a moment earlier.
    private func deleteCommentIfPresent(id: Int) async throws {
        do {
            try await deleteComment(id: id)
        } catch let error as GitHubError where error.apiFailure?.isNotFound == true {
            return
        }
    }

    static func normalizedLineEndings(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
