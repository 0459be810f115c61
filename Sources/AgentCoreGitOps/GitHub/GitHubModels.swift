import Foundation

// The parts of GitHub's REST objects the flows use. Everything GitHub may leave out or send as
// null is optional, so a leaner server (GitHub Enterprise, the emulator) decodes as well.

public struct GitHubUser: Codable, Sendable, Equatable {
    public var login: String
    public var id: Int?
    /// `User`, `Bot` or `Organization`.
    public var type: String?
}

public struct GitHubLabel: Codable, Sendable, Equatable {
    public var name: String
    public var color: String?
    public var description: String?
}

public struct GitHubComment: Codable, Sendable, Equatable {
    public var id: Int
    public var body: String?
    public var user: GitHubUser?
    public var createdAt: String?
    public var updatedAt: String?
    public var htmlURL: String?

    enum CodingKeys: String, CodingKey {
        case id, body, user
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case htmlURL = "html_url"
    }
}

/// Why an issue was closed or reopened (`state_reason`).
public enum GitHubIssueStateReason: String, Codable, Sendable {
    case completed
    case notPlanned = "not_planned"
    case reopened
}

/// Which issues a listing returns.
public enum GitHubIssueListState: String, Sendable {
    case open, closed, all
}

public struct GitHubIssue: Codable, Sendable, Equatable {
    public var number: Int
    public var title: String
    public var body: String?
    /// `open` or `closed`.
    public var state: String = "open"
    public var stateReason: String?
    public var labels: [GitHubLabel] = []
    public var user: GitHubUser?
    public var htmlURL: String?
    /// Present when the "issue" is a pull request (the issues API lists both).
    public var pullRequest: PullRequestLink?

    public struct PullRequestLink: Codable, Sendable, Equatable {
        public var url: String?
    }

    enum CodingKeys: String, CodingKey {
        case number, title, body, state, labels, user
        case stateReason = "state_reason"
        case htmlURL = "html_url"
        case pullRequest = "pull_request"
    }

    public var isPullRequest: Bool { pullRequest != nil }
    public func hasLabel(_ name: String) -> Bool { labels.contains { $0.name == name } }
}

// Initializers written here leave the struct its memberwise one.
extension GitHubIssue {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        number = try container.decode(Int.self, forKey: .number)
        title = try container.decodeIfPresent(String.self, forKey: .title) ?? ""
        body = try container.decodeIfPresent(String.self, forKey: .body)
        state = try container.decodeIfPresent(String.self, forKey: .state) ?? "open"
        stateReason = try container.decodeIfPresent(String.self, forKey: .stateReason)
        labels = try container.decodeIfPresent([GitHubLabel].self, forKey: .labels) ?? []
        user = try container.decodeIfPresent(GitHubUser.self, forKey: .user)
        htmlURL = try container.decodeIfPresent(String.self, forKey: .htmlURL)
        pullRequest = try container.decodeIfPresent(PullRequestLink.self, forKey: .pullRequest)
    }
}

/// A repository as pull requests, events and `GET /repos/{owner}/{repo}` name it.
public struct GitHubRepositoryInfo: Codable, Sendable, Equatable {
    /// Stays the same when the repository is renamed or transferred; the name does not.
    public var id: Int?
    public var fullName: String
    public var fork: Bool?
    public var defaultBranch: String?
    public var owner: GitHubUser?

    enum CodingKeys: String, CodingKey {
        case id
        case fullName = "full_name"
        case fork
        case defaultBranch = "default_branch"
        case owner
    }
}

/// `GET /repos/{owner}/{repo}`: what `agentcore setup` needs of it.
public struct GitHubRepositoryDetails: Decodable, Sendable, Equatable {
    public struct Owner: Decodable, Sendable, Equatable {
        public var login: String
        public var id: Int
    }

    public var id: Int
    public var name: String
    public var owner: Owner
    public var defaultBranch: String

    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case defaultBranch = "default_branch"
    }
}

/// How one commit relates to another (`status` of the compare API, seen from `head`).
public struct GitHubCommitComparison: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// `head` descends from `base`.
        case ahead
        /// `head` is an ancestor of `base`.
        case behind
        case identical
        /// Neither descends from the other.
        case diverged
    }

    public var status: Status
    public var aheadBy: Int?
    public var behindBy: Int?

    enum CodingKeys: String, CodingKey {
        case status
        case aheadBy = "ahead_by"
        case behindBy = "behind_by"
    }
}

/// The part of `GET /branches/{branch}` the flows read.
struct GitHubBranch: Decodable {
    struct Commit: Decodable { var sha: String }
    var name: String
    var commit: Commit
}

/// One side (head or base) of a pull request.
public struct GitHubPullRequestBranch: Codable, Sendable, Equatable {
    public var ref: String
    public var sha: String
    /// Null when the fork the pull request came from was deleted.
    public var repo: GitHubRepositoryInfo?
}

public struct GitHubPullRequest: Codable, Sendable, Equatable {
    public var number: Int
    public var title: String?
    /// `open` or `closed`.
    public var state: String
    public var merged: Bool?
    public var mergedAt: String?
    public var mergeCommitSHA: String?
    public var head: GitHubPullRequestBranch
    public var base: GitHubPullRequestBranch
    public var user: GitHubUser?
    public var htmlURL: String?

    enum CodingKeys: String, CodingKey {
        case number, title, state, merged, head, base, user
        case mergedAt = "merged_at"
        case mergeCommitSHA = "merge_commit_sha"
        case htmlURL = "html_url"
    }

    /// `merged` is missing from some list answers; `merged_at` is always there.
    public var isMerged: Bool { merged ?? (mergedAt != nil) }

    /// From a fork: the head repository is another one, is marked a fork, or was deleted.
    public var isFromFork: Bool { Self.isFork(head: head, base: base) }

    /// `fork` on the head repository describes that repository, not where the pull request came
    /// from: a repository that is itself a fork has `fork: true` on both sides. So compare the two
    /// repositories: the same only when both id (where given) and name agree.
    static func isFork(head: GitHubPullRequestBranch, base: GitHubPullRequestBranch) -> Bool {
        guard let headRepo = head.repo else { return true }
        guard let baseRepo = base.repo else { return headRepo.fork == true }
        if let headID = headRepo.id, let baseID = baseRepo.id, headID != baseID { return true }
        return headRepo.fullName.lowercased() != baseRepo.fullName.lowercased()
    }
}

/// A collaborator's permission. `permission` folds maintain into write and triage into read;
/// `roleName` is exact (`admin`, `maintain`, `write`, `triage`, `read` or a custom role).
public struct GitHubPermission: Codable, Sendable, Equatable {
    public var permission: String
    public var roleName: String?
    public var user: GitHubUser?

    enum CodingKeys: String, CodingKey {
        case permission, user
        case roleName = "role_name"
    }

    /// Whether the user may push: admin, maintain or write. Custom roles count only through
    /// the base `permission`, which GitHub folds to `write` or `admin` when they allow pushing.
    public var canWrite: Bool {
        if let roleName, ["admin", "maintain", "write"].contains(roleName) { return true }
        return ["admin", "write"].contains(permission)
    }
}

/// A label the flows rely on, with the colour and description to create it with.
public struct GitHubLabelDefinition: Sendable, Equatable {
    public var name: String
    /// Six hex digits without `#`.
    public var color: String
    public var description: String
}

/// Fields to change on an issue; nil leaves a field as it is.
public struct GitHubIssueUpdate: Encodable, Sendable, Equatable {
    public var title: String?
    public var body: String?
    /// `open` or `closed`.
    public var state: String?
    public var stateReason: GitHubIssueStateReason?
    public var labels: [String]?

    enum CodingKeys: String, CodingKey {
        case title, body, state, labels
        case stateReason = "state_reason"
    }

    public static func close(reason: GitHubIssueStateReason = .completed) -> GitHubIssueUpdate {
        GitHubIssueUpdate(state: "closed", stateReason: reason)
    }
}
