import Foundation

/// One call to the GitHub REST API as errors and logs name it, with the `permissions:` entry the
/// workflow's token needs for it, so a 403 or 404 can say what to add.
public struct GitHubOperation: Sendable, Equatable, CustomStringConvertible {
    /// What the call does, e.g. `create a comment`.
    public var name: String
    /// What the token needs for it: usually workflow `permissions:` entries, e.g. `issues: write`.
    public var permission: String
    /// False when no `permissions:` entry can grant it (a different kind of token is needed).
    public var isWorkflowPermission: Bool

    public init(_ name: String, permission: String, isWorkflowPermission: Bool = true) {
        self.name = name
        self.permission = permission
        self.isWorkflowPermission = isWorkflowPermission
    }

    public var description: String { name }

    private static let issueOrPullRequestRead = "issues: read (pull-requests: read on a pull request)"
    private static let issueOrPullRequestWrite = "issues: write (pull-requests: write on a pull request)"

    static let listComments = GitHubOperation("list comments", permission: issueOrPullRequestRead)
    static let createComment = GitHubOperation("create a comment", permission: issueOrPullRequestWrite)
    static let updateComment = GitHubOperation("update a comment", permission: issueOrPullRequestWrite)
    static let deleteComment = GitHubOperation("delete a comment", permission: issueOrPullRequestWrite)
    static let createIssue = GitHubOperation("create an issue", permission: "issues: write")
    static let listIssues = GitHubOperation("list issues", permission: "issues: read")
    static let getIssue = GitHubOperation("get an issue", permission: "issues: read")
    static let updateIssue = GitHubOperation("update an issue", permission: "issues: write")
    static let addLabels = GitHubOperation("add labels", permission: issueOrPullRequestWrite)
    static let removeLabel = GitHubOperation("remove a label", permission: issueOrPullRequestWrite)
    static let listLabels = GitHubOperation("list labels", permission: "issues: read")
    static let createLabel = GitHubOperation("create a label", permission: "issues: write")
    static let getPullRequest = GitHubOperation("get a pull request", permission: "pull-requests: read")
    static let pullRequestsForCommit = GitHubOperation(
        "list pull requests for a commit", permission: "contents: read and pull-requests: read")
    static let compareCommits = GitHubOperation("compare two commits", permission: "contents: read")
    static let getBranch = GitHubOperation("read a branch", permission: "contents: read")
    static let getRepository = GitHubOperation("read the repository", permission: "metadata: read")
    static let collaboratorPermission = GitHubOperation("read a user's permission", permission: "metadata: read")
    static let createDeployment = GitHubOperation("create a deployment", permission: "deployments: write")
    static let listDeployments = GitHubOperation("list deployments", permission: "deployments: read")
    static let createDeploymentStatus = GitHubOperation("create a deployment status", permission: "deployments: write")
    static let listDeploymentStatuses = GitHubOperation("list deployment statuses", permission: "deployments: read")
    static let authenticatedUser = GitHubOperation(
        "read the authenticated user", permission: "a personal token: GITHUB_TOKEN is not a user and cannot read /user",
        isWorkflowPermission: false)
}

/// An error response from GitHub: status, GitHub's own message and documentation link, and
/// for a 403 or 404 the permission the workflow's token probably lacks.
public struct GitHubAPIFailure: Sendable, Equatable {
    public var operation: GitHubOperation
    public var method: String
    /// The request path without host or query, e.g. `/repos/o/r/issues/1/comments`.
    public var path: String
    public var status: Int
    public var message: String
    public var documentationURL: String?
    /// GitHub's validation details (`errors[].code`, e.g. `already_exists`), when present.
    public var errorCodes: [String] = []

    /// GitHub answers 403 "Resource not accessible by integration" when the token lacks a
    /// permission, and 404 when the token may not even see the resource.
    public var mayBeMissingPermission: Bool { status == 403 || status == 404 }

    public var isNotFound: Bool { status == 404 }
}

public enum GitHubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment or configuration is incomplete or invalid; the text says what to set.
    case configuration(String)
    /// GitHub answered with an error status.
    case api(GitHubAPIFailure)
    /// A rate limit that would need a longer wait than configured, or kept failing.
    case rateLimited(operation: GitHubOperation, detail: String)
    /// The request did not get an answer (connection refused, dropped, timed out), after retries.
    case transport(operation: GitHubOperation, detail: String)
    /// GitHub answered 2xx with something we cannot read.
    case invalidResponse(operation: GitHubOperation, detail: String)
    /// A request we refuse to send, e.g. a body over GitHub's 65,536 character limit.
    case invalidRequest(operation: GitHubOperation, detail: String)

    public var description: String {
        switch self {
        case .configuration(let text):
            return text
        case .api(let failure):
            var text = "GitHub could not \(failure.operation.name) (\(failure.method) \(failure.path)): "
                + "HTTP \(failure.status): \(failure.message)"
            if !failure.errorCodes.isEmpty { text += " [\(failure.errorCodes.joined(separator: ", "))]" }
            if let documentation = failure.documentationURL { text += " (see \(documentation))" }
            if failure.status == 403, !failure.operation.isWorkflowPermission {
                text += ". This call needs \(failure.operation.permission)"
            } else if failure.status == 403 {
                text += ". The workflow token may lack a permission: add `\(failure.operation.permission)`"
                    + " to the workflow's `permissions:` block"
            } else if failure.status == 404 {
                text += ". If it exists, the workflow token may not see it: check `\(failure.operation.permission)`"
                    + " in the workflow's `permissions:` block and GITHUB_REPOSITORY"
            }
            return text
        case .rateLimited(let operation, let detail):
            return "GitHub rate limit hit while trying to \(operation.name): \(detail)"
        case .transport(let operation, let detail):
            return "Could not reach GitHub to \(operation.name): \(detail). Check GITHUB_API_URL and the network"
        case .invalidResponse(let operation, let detail):
            return "GitHub's answer to \(operation.name) could not be read: \(detail)"
        case .invalidRequest(let operation, let detail):
            return "Refusing to \(operation.name): \(detail)"
        }
    }

    /// The API failure, when GitHub answered with an error status.
    public var apiFailure: GitHubAPIFailure? {
        if case .api(let failure) = self { return failure }
        return nil
    }
}
