import Foundation
@testable import AgentCoreGitOps

/// One GitHub repository in memory, seen through the bot's token: issues and pull requests share
/// one numbering, comments have rising ids, adding a label to an issue creates it in the
/// repository, and what is missing answers 404 as `GitHubError.api`. Deployments and their
/// statuses behave as GitHub documents them (see `createDeployment`, `createDeploymentStatus`).
/// People's comments, issues,
/// pull requests and permissions are set up with the `seed`/`open` helpers, which record no call.
/// A rename or transfer (`move(to:)`) keeps the id, and the old name leads to the repository, as
/// GitHub redirects it.
///
/// Every call through `GitHubAPI` is recorded (`calls`), so tests can assert what a flow did.
final class FakeGitHub: GitHubAPI, @unchecked Sendable {
    let botLogin: String
    static let maintainer = "maintainer"
    /// GitHub's repository id, which a rename or transfer keeps.
    let id = 4_200_042

    private let lock = NSLock()
    private var name: GitHubRepository
    /// Names the repository had before, lower case: GitHub answers them with this repository.
    private var oldNames: Set<String> = []
    /// Other repositories GitHub knows, by lower-case name: their ids.
    private var others: [String: Int] = [:]
    private var nextNumber = 1
    private var nextCommentID = 1001
    private var issues: [Int: GitHubIssue] = [:]
    private var comments: [Int: [GitHubComment]] = [:]
    private var repositoryLabels: [GitHubLabel] = []
    private var pulls: [Int: GitHubPullRequest] = [:]
    private var roles: [String: String] = [:]
    /// The default branch's commits, oldest first.
    private var mainline: [String] = [FakeGitHub.randomSHA()]
    private var recorded: [Call] = []
    private var statuses: [String: [GitHubCommitStatus]] = [:]
    private var nextDeploymentID = 501
    /// Oldest first.
    private var deployments: [GitHubDeployment] = []
    /// Per deployment, oldest first.
    private var deploymentStatuses: [Int: [GitHubDeploymentStatus]] = [:]

    struct Call: Equatable, CustomStringConvertible {
        var operation: String
        /// The issue, pull request or comment number, when the call has one.
        var number: Int?
        var description: String { operation + (number.map { " #\($0)" } ?? "") }
    }

    init(repository: String = "octo/agent", botLogin: String = GitHubConfiguration.defaultBotLogin) {
        name = try! GitHubRepository(repository)
        self.botLogin = botLogin
        roles[Self.maintainer] = "admin"
    }

    var repository: GitHubRepository { lock.withLock { name } }

    var calls: [Call] { lock.withLock { recorded } }
    func calls(_ operation: String) -> [Call] { calls.filter { $0.operation == operation } }
    /// The calls that change something on GitHub.
    var changes: [Call] {
        calls.filter { ["create", "update", "delete", "add", "remove"].contains(where: $0.operation.hasPrefix) }
    }

    // MARK: Setting up and reading back (no call recorded)

    var bot: GitHubUser { GitHubUser(login: botLogin, type: "Bot") }

    /// `login` gets this role on the repository (`admin`, `maintain`, `write`, `triage`, `read`).
    func setRole(_ role: String, for login: String) { lock.withLock { roles[login] = role } }

    /// Renames or transfers the repository: same id, and the old name still leads here.
    func move(to fullName: String) {
        lock.withLock {
            oldNames.insert(name.description.lowercased())
            name = try! GitHubRepository(fullName)
            oldNames.remove(fullName.lowercased())
        }
    }

    /// Another repository called `fullName`, which takes the name over from any repository that had it before.
    func createOtherRepository(_ fullName: String, id: Int) {
        lock.withLock {
            others[fullName.lowercased()] = id
            oldNames.remove(fullName.lowercased())
        }
    }

    /// Opens a pull request from a branch of this repository (or from a fork); returns its number.
    func openPullRequest(headSHA: String = FakeGitHub.randomSHA(), fork: Bool = false, author: String = maintainer) -> Int {
        lock.withLock {
            let number = takeNumber()
            let base = GitHubRepositoryInfo(id: id, fullName: name.description, fork: false, defaultBranch: "main")
            let head = fork ? GitHubRepositoryInfo(id: id + 1, fullName: "stranger/agent", fork: true, defaultBranch: "main") : base
            pulls[number] = GitHubPullRequest(
                number: number, title: "Change \(headSHA.prefix(7))", state: "open", merged: false, mergedAt: nil,
                mergeCommitSHA: nil, head: GitHubPullRequestBranch(ref: "change-\(number)", sha: headSHA, repo: head),
                base: GitHubPullRequestBranch(ref: "main", sha: Self.randomSHA(), repo: base),
                user: GitHubUser(login: author), htmlURL: nil)
            var issue = GitHubIssue(number: number, title: "Change", body: nil, user: GitHubUser(login: author))
            issue.pullRequest = GitHubIssue.PullRequestLink(url: "https://api.github.com/repos/\(name)/pulls/\(number)")
            issues[number] = issue
            return number
        }
    }

    func pushToPullRequest(_ number: Int, headSHA: String = FakeGitHub.randomSHA()) {
        lock.withLock { pulls[number]?.head.sha = headSHA }
    }

    /// A commit pushed straight to main; returns it.
    @discardableResult
    func pushToMain(_ sha: String = FakeGitHub.randomSHA()) -> String {
        lock.withLock { mainline.append(sha) }
        return sha
    }

    /// Merges as `mergeSHA` on main; returns that commit.
    @discardableResult
    func merge(_ number: Int, mergeSHA: String = FakeGitHub.randomSHA()) -> String {
        lock.withLock {
            mainline.append(mergeSHA)
            pulls[number]?.state = "closed"
            pulls[number]?.merged = true
            pulls[number]?.mergedAt = "2026-11-21T08:00:00Z"
            pulls[number]?.mergeCommitSHA = mergeSHA
            issues[number]?.state = "closed"
        }
        return mergeSHA
    }

    func close(_ number: Int) {
        lock.withLock {
            pulls[number]?.state = "closed"
            issues[number]?.state = "closed"
        }
    }

    /// A comment written by `login` (the bot by default).
    @discardableResult
    func seedComment(on number: Int, body: String, by login: String? = nil) -> GitHubComment {
        lock.withLock { addComment(on: number, body: body, user: GitHubUser(login: login ?? botLogin)) }
    }

    /// An issue written by `login` (the bot by default).
    @discardableResult
    func seedIssue(title: String, body: String, labels: [String], by login: String? = nil) -> GitHubIssue {
        lock.withLock { addIssue(title: title, body: body, labels: labels, user: GitHubUser(login: login ?? botLogin)) }
    }

    func pullRequest(_ number: Int) -> GitHubPullRequest? { lock.withLock { pulls[number] } }
    func issue(_ number: Int) -> GitHubIssue? { lock.withLock { issues[number] } }
    func comments(on number: Int) -> [GitHubComment] { lock.withLock { comments[number] ?? [] } }
    /// Issues (not pull requests), oldest first.
    var allIssues: [GitHubIssue] { lock.withLock { issues.values.filter { !$0.isPullRequest }.sorted { $0.number < $1.number } } }

    static func randomSHA() -> String {
        String((0..<40).map { _ in "0123456789abcdef".randomElement()! })
    }

    // MARK: GitHubAPI

    func listComments(issue: Int) async throws -> [GitHubComment] {
        try lock.withLock {
            record("listComments", issue)
            _ = try existingIssue(issue, .listComments)
            return comments[issue] ?? []
        }
    }

    func createComment(issue: Int, body: String) async throws -> GitHubComment {
        try lock.withLock {
            record("createComment", issue)
            _ = try existingIssue(issue, .createComment)
            return addComment(on: issue, body: body, user: bot)
        }
    }

    func updateComment(id: Int, body: String) async throws -> GitHubComment {
        try lock.withLock {
            record("updateComment", id)
            for (number, list) in comments {
                if let index = list.firstIndex(where: { $0.id == id }) {
                    comments[number]![index].body = body
                    return comments[number]![index]
                }
            }
            throw notFound(.updateComment, "/issues/comments/\(id)")
        }
    }

    func deleteComment(id: Int) async throws {
        try lock.withLock {
            record("deleteComment", id)
            for (number, list) in comments where list.contains(where: { $0.id == id }) {
                comments[number] = list.filter { $0.id != id }
                return
            }
            throw notFound(.deleteComment, "/issues/comments/\(id)")
        }
    }

    func createIssue(title: String, body: String, labels: [String]) async throws -> GitHubIssue {
        lock.withLock {
            record("createIssue", nil)
            return addIssue(title: title, body: body, labels: labels, user: bot)
        }
    }

    func getIssue(number: Int) async throws -> GitHubIssue {
        try lock.withLock {
            record("getIssue", number)
            return try existingIssue(number, .getIssue)
        }
    }

    func updateIssue(number: Int, _ update: GitHubIssueUpdate) async throws -> GitHubIssue {
        try lock.withLock {
            record("updateIssue", number)
            var issue = try existingIssue(number, .updateIssue)
            if let title = update.title { issue.title = title }
            if let body = update.body { issue.body = body }
            if let state = update.state { issue.state = state }
            if let reason = update.stateReason { issue.stateReason = reason.rawValue }
            if let labels = update.labels { issue.labels = labels.map { label(named: $0) } }
            issues[number] = issue
            return issue
        }
    }

    func listOpenIssues(labels: [String]) async throws -> [GitHubIssue] {
        try await listIssues(labels: labels, state: .open)
    }

    func listIssues(labels: [String], state: GitHubIssueListState) async throws -> [GitHubIssue] {
        lock.withLock {
            record("listIssues", nil)
            let wanted = Set(labels.map { $0.lowercased() })
            return issues.values
                .filter { !$0.isPullRequest && (state == .all || $0.state == state.rawValue) }
                .filter { wanted.isSubset(of: Set($0.labels.map { $0.name.lowercased() })) }
                .sorted { $0.number > $1.number }
        }
    }

    @discardableResult
    func addLabels(issue number: Int, labels: [String]) async throws -> [GitHubLabel] {
        try lock.withLock {
            record("addLabels", number)
            var issue = try existingIssue(number, .addLabels)
            for name in labels where !issue.labels.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                issue.labels.append(label(named: name))
            }
            issues[number] = issue
            return issue.labels
        }
    }

    func removeLabel(issue number: Int, label: String) async throws {
        try lock.withLock {
            record("removeLabel", number)
            var issue = try existingIssue(number, .removeLabel)
            issue.labels.removeAll { $0.name.lowercased() == label.lowercased() }
            issues[number] = issue
        }
    }

    func listLabels() async throws -> [GitHubLabel] {
        lock.withLock {
            record("listLabels", nil)
            return repositoryLabels
        }
    }

    @discardableResult
    func createLabel(_ definition: GitHubLabelDefinition) async throws -> Bool {
        lock.withLock {
            record("createLabel", nil)
            guard !repositoryLabels.contains(where: { $0.name.lowercased() == definition.name.lowercased() }) else { return false }
            repositoryLabels.append(GitHubLabel(name: definition.name, color: definition.color, description: definition.description))
            return true
        }
    }

    func getPullRequest(number: Int) async throws -> GitHubPullRequest {
        try lock.withLock {
            record("getPullRequest", number)
            guard let pull = pulls[number] else { throw notFound(.getPullRequest, "/pulls/\(number)") }
            return pull
        }
    }

    func pullRequests(forCommit sha: String) async throws -> [GitHubPullRequest] {
        lock.withLock {
            record("pullRequestsForCommit", nil)
            return pulls.values.filter { $0.head.sha == sha || $0.mergeCommitSHA == sha }.sorted { $0.number < $1.number }
        }
    }

    /// Commits on main compare by their order there; any other commit has diverged from them.
    func compareCommits(base: String, head: String) async throws -> GitHubCommitComparison {
        lock.withLock {
            record("compareCommits", nil)
            if base == head { return GitHubCommitComparison(status: .identical, aheadBy: 0, behindBy: 0) }
            guard let from = mainline.firstIndex(of: base), let to = mainline.firstIndex(of: head) else {
                return GitHubCommitComparison(status: .diverged)
            }
            return to > from
                ? GitHubCommitComparison(status: .ahead, aheadBy: to - from, behindBy: 0)
                : GitHubCommitComparison(status: .behind, aheadBy: 0, behindBy: from - to)
        }
    }

    func branchTip(_ branch: String) async throws -> String {
        try lock.withLock {
            record("branchTip", nil)
            guard branch == "main", let tip = mainline.last else { throw notFound(.getPullRequest, "/branches/\(branch)") }
            return tip
        }
    }

    func getRepository(_ wanted: GitHubRepository) async throws -> GitHubRepositoryInfo {
        try lock.withLock {
            record("getRepository", nil)
            let key = wanted.description.lowercased()
            if key == name.description.lowercased() || oldNames.contains(key) {
                return GitHubRepositoryInfo(id: id, fullName: name.description, fork: false, defaultBranch: "main")
            }
            if let other = others[key] {
                return GitHubRepositoryInfo(id: other, fullName: wanted.description, fork: false, defaultBranch: "main")
            }
            throw GitHubError.api(GitHubAPIFailure(
                operation: .getRepository, method: "GET", path: "/repos/\(wanted)", status: 404, message: "Not Found"))
        }
    }

    /// Statuses reported on a commit, oldest first.
    func commitStatuses(_ sha: String) -> [GitHubCommitStatus] { lock.withLock { statuses[sha] ?? [] } }

    @discardableResult
    func createCommitStatus(
        sha: String, state: GitHubCommitState, context: String, description: String?, targetURL: String?
    ) async throws -> GitHubCommitStatus {
        lock.withLock {
            record("createCommitStatus", nil)
            defer { nextCommentID += 1 }
            let status = GitHubCommitStatus(
                id: nextCommentID, state: state, context: context, description: description, targetURL: targetURL, creator: bot)
            statuses[sha, default: []].append(status)
            return status
        }
    }

    // MARK: Deployments

    /// The deployments to `environment`, oldest first, each with its statuses (oldest first).
    func deploymentRecords(in environment: String) -> [(deployment: GitHubDeployment, states: [String])] {
        lock.withLock {
            deployments.filter { $0.environment == environment }.map { ($0, (deploymentStatuses[$0.id] ?? []).map(\.state)) }
        }
    }

    /// A deployment someone else made (GitHub Actions for a job that names an environment, or a
    /// person), with one status.
    @discardableResult
    func seedDeployment(sha: String, environment: String, task: String = "deploy", by login: String, state: GitHubDeploymentState) -> GitHubDeployment {
        lock.withLock {
            let deployment = addDeployment(sha: sha, ref: sha, task: task, environment: environment, payload: [:], creator: GitHubUser(login: login))
            addDeploymentStatus(deployment.id, state: state.rawValue, description: nil, environmentURL: nil)
            return deployment
        }
    }

    /// What a person does on GitHub (`DELETE /deployments/{id}`, allowed once it is inactive).
    func deleteDeployment(id: Int) {
        lock.withLock {
            deployments.removeAll { $0.id == id }
            deploymentStatuses[id] = nil
        }
    }

    /// As GitHub: the ref must be a commit the repository has (422 otherwise); with `auto_merge`
    /// off and no required contexts, that is all it checks.
    func createDeployment(_ request: GitHubDeploymentRequest) async throws -> GitHubDeployment {
        try lock.withLock {
            record("createDeployment", nil)
            guard knowsCommit(request.ref) else {
                throw failure(.createDeployment, "POST", "/deployments", status: 422, "No ref found for: \(request.ref)")
            }
            guard request.description.unicodeScalars.count <= GitHubDeploymentStatusRequest.maximumDescriptionLength else {
                throw failure(.createDeployment, "POST", "/deployments", status: 422, "description is too long (maximum is 140 characters)")
            }
            var deployment = addDeployment(
                sha: request.ref, ref: request.ref, task: request.task, environment: request.environment, payload: request.payload, creator: bot)
            deployment.transientEnvironment = request.transientEnvironment
            deployment.productionEnvironment = request.productionEnvironment
            deployments[deployments.count - 1] = deployment
            return deployment
        }
    }

    /// Newest first, filtered as the query asks.
    func listDeployments(environment: String?, sha: String?, task: String?) async throws -> [GitHubDeployment] {
        lock.withLock {
            record("listDeployments", nil)
            return deployments.reversed().filter { deployment in
                (environment.map { $0 == deployment.environment } ?? true) && (sha.map { $0 == deployment.sha } ?? true)
                    && (task.map { $0 == deployment.task } ?? true)
            }
        }
    }

    /// As GitHub: a `success` status with `auto_inactive` (on unless turned off) marks the earlier
    /// deployments to the same environment inactive, except transient and production ones.
    func createDeploymentStatus(deploymentID: Int, _ status: GitHubDeploymentStatusRequest) async throws -> GitHubDeploymentStatus {
        try lock.withLock {
            record("createDeploymentStatus", deploymentID)
            guard let deployment = deployments.first(where: { $0.id == deploymentID }) else {
                throw notFound(.createDeploymentStatus, "/deployments/\(deploymentID)/statuses")
            }
            let created = addDeploymentStatus(
                deploymentID, state: status.state.rawValue, description: status.description, environmentURL: status.environmentURL)
            if status.state == .success, status.autoInactive ?? true {
                for earlier in deployments where earlier.id < deploymentID && earlier.environment == deployment.environment
                    && earlier.transientEnvironment != true && earlier.productionEnvironment != true
                    && deploymentStatuses[earlier.id]?.last?.state == GitHubDeploymentState.success.rawValue {
                    addDeploymentStatus(earlier.id, state: GitHubDeploymentState.inactive.rawValue, description: nil, environmentURL: nil)
                }
            }
            return created
        }
    }

    /// Newest first.
    func listDeploymentStatuses(deploymentID: Int) async throws -> [GitHubDeploymentStatus] {
        try lock.withLock {
            record("listDeploymentStatuses", deploymentID)
            guard deployments.contains(where: { $0.id == deploymentID }) else {
                throw notFound(.listDeploymentStatuses, "/deployments/\(deploymentID)/statuses")
            }
            return (deploymentStatuses[deploymentID] ?? []).reversed()
        }
    }

    func permission(of login: String) async throws -> GitHubPermission {
        try lock.withLock {
            record("permission", nil)
            guard let role = roles[login] else { throw notFound(.collaboratorPermission, "/collaborators/\(login)/permission") }
            let folded = ["maintain": "write", "triage": "read"][role] ?? role
            return GitHubPermission(permission: folded, roleName: role, user: GitHubUser(login: login))
        }
    }

    func authenticatedUser() async throws -> GitHubUser {
        lock.withLock {
            record("authenticatedUser", nil)
            return bot
        }
    }

    // MARK: Repository behaviour (called with the lock held)

    private func record(_ operation: String, _ number: Int?) {
        recorded.append(Call(operation: operation, number: number))
    }

    private func takeNumber() -> Int {
        defer { nextNumber += 1 }
        return nextNumber
    }

    private func addComment(on number: Int, body: String, user: GitHubUser) -> GitHubComment {
        defer { nextCommentID += 1 }
        let comment = GitHubComment(id: nextCommentID, body: body, user: user, createdAt: "2026-11-21T08:00:00Z")
        comments[number, default: []].append(comment)
        return comment
    }

    private func addIssue(title: String, body: String, labels: [String], user: GitHubUser) -> GitHubIssue {
        let issue = GitHubIssue(number: takeNumber(), title: title, body: body, labels: labels.map { label(named: $0) }, user: user)
        issues[issue.number] = issue
        return issue
    }

    /// The repository's label of that name, created the way GitHub does when one is first used.
    private func label(named name: String) -> GitHubLabel {
        if let existing = repositoryLabels.first(where: { $0.name.lowercased() == name.lowercased() }) { return existing }
        let created = GitHubLabel(name: name, color: "ededed", description: nil)
        repositoryLabels.append(created)
        return created
    }

    /// Commits on main, and pull requests' heads and merges.
    private func knowsCommit(_ sha: String) -> Bool {
        mainline.contains(sha) || pulls.values.contains { $0.head.sha == sha || $0.mergeCommitSHA == sha }
    }

    private func addDeployment(
        sha: String, ref: String, task: String, environment: String, payload: [String: String], creator: GitHubUser
    ) -> GitHubDeployment {
        defer { nextDeploymentID += 1 }
        let deployment = GitHubDeployment(
            id: nextDeploymentID, sha: sha, ref: ref, task: task, environment: environment, payload: payload, creator: creator,
            createdAt: "2026-11-21T08:00:00Z")
        deployments.append(deployment)
        return deployment
    }

    @discardableResult
    private func addDeploymentStatus(_ deploymentID: Int, state: String, description: String?, environmentURL: String?) -> GitHubDeploymentStatus {
        defer { nextCommentID += 1 }
        let status = GitHubDeploymentStatus(id: nextCommentID, state: state, description: description, environmentURL: environmentURL)
        deploymentStatuses[deploymentID, default: []].append(status)
        return status
    }

    private func existingIssue(_ number: Int, _ operation: GitHubOperation) throws -> GitHubIssue {
        guard let issue = issues[number] else { throw notFound(operation, "/issues/\(number)") }
        return issue
    }

    private func notFound(_ operation: GitHubOperation, _ path: String) -> GitHubError {
        failure(operation, "GET", path, status: 404, "Not Found")
    }

    private func failure(_ operation: GitHubOperation, _ method: String, _ path: String, status: Int, _ message: String) -> GitHubError {
        .api(GitHubAPIFailure(operation: operation, method: method, path: "/repos/\(name)" + path, status: status, message: message))
    }
}
