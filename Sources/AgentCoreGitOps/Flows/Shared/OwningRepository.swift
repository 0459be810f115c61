import Foundation

/// This repository as ownership tags name it: `owner/name`, which a rename or a transfer changes,
/// and GitHub's repository id, which never changes. It answers the one question every ownership
/// check asks: does this tag name us?
public struct OwningRepository: Sendable {
    /// `owner/name` today.
    public let name: String
    private let ids: RepositoryIDs

    /// `id` as Actions gives it (`GITHUB_REPOSITORY_ID`) or `--repository-id`; without it, and
    /// to follow renamed repositories' old names, `github` is asked (nil: no GitHub to ask).
    public init(name: String, id: Int?, github: (any GitHubAPI)?) {
        self.name = name
        ids = RepositoryIDs(name: name, given: id, github: github)
    }

    /// `GITHUB_REPOSITORY_ID` from `environment`, checked; `github` names the repository.
    public static func fromEnvironment(_ environment: [String: String], github: any GitHubAPI) throws -> OwningRepository {
        OwningRepository(
            name: github.repository.description, id: try parseID(environment["GITHUB_REPOSITORY_ID"], source: "GITHUB_REPOSITORY_ID"),
            github: github)
    }

    /// A repository id as text (empty or nil: none), or an error naming `source`.
    public static func parseID(_ text: String?, source: String) throws(ActionableError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.wholeMatch(of: /[1-9][0-9]{0,18}/) != nil, let id = Int(text) else {
            throw ActionableError(
                "\(source) must be the repository's numeric GitHub id, got \(MarkerError.printable(text))",
                fix: "leave it to GitHub Actions, which sets GITHUB_REPOSITORY_ID, or read `id` from GET /repos/{owner}/{repo}")
        }
        return id
    }

    /// Our id: as given, else read from GitHub once; nil when neither is possible.
    public func id() async throws -> Int? { try await ids.ours() }

    /// Whether `tag` names this repository. A tag with an id is ours exactly when the id is; a tag
    /// from before ids were recorded is ours when it names us, or names an old name of ours
    /// (GitHub redirects a renamed or transferred repository's old name to it).
    public func owns(_ tag: RuntimeOwnership.Tag) async throws -> Bool {
        if let tagged = tag.repositoryID { return try await id() == tagged }
        if tag.repository.lowercased() == name.lowercased() { return true }
        guard let ours = try await id() else { return false }
        return try await ids.current(ofName: tag.repository) == ours
    }

    /// The pull request whose runtime this is, when the tool may delete it unasked: the name is
    /// `pr_<n>` and the description's tag names this repository and the same pull request.
    public func deletablePullRequest(name runtimeName: String, description: String?) async throws -> Int? {
        guard let number = RuntimeOwnership.pullRequestNumber(ofRuntimeName: runtimeName),
              let tag = RuntimeOwnership.owner(fromDescription: description), tag.role == .pullRequest(number),
              try await owns(tag)
        else { return nil }
        return number
    }

    /// The description a runtime of ours gets on its next create or update: the user's text and
    /// our tag with today's name and the id, so a runtime tagged by an old name is adopted.
    public func description(_ userText: String?, role: RuntimeOwnership.Role) async throws -> String {
        RuntimeOwnership.description(userText, repository: name, repositoryID: try await id(), role: role)
    }
}

/// Ids read from GitHub, once per name and process: a sweep checks many runtimes with one tag.
private actor RepositoryIDs {
    let name: String
    let given: Int?
    let github: (any GitHubAPI)?
    private var known: [String: Int?] = [:]

    init(name: String, given: Int?, github: (any GitHubAPI)?) {
        self.name = name
        self.given = given
        self.github = github
    }

    func ours() async throws -> Int? {
        if let given { return given }
        return try await current(ofName: name)
    }

    /// The id of the repository `fullName` leads to now; nil when GitHub knows no such name (or
    /// there is no GitHub to ask).
    func current(ofName fullName: String) async throws -> Int? {
        let key = fullName.lowercased()
        if let cached = known[key] { return cached }
        guard let github, let repository = try? GitHubRepository(fullName) else { return nil }
        let id: Int?
        do {
            id = try await github.getRepository(repository).id
        } catch let error as GitHubError where error.apiFailure?.isNotFound == true {
            id = nil
        }
        known[key] = id
        return id
    }
}
