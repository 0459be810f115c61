import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The GitHub REST API over URLSession: authenticated, paginated (`per_page=100`, `link:
/// rel="next"`), with GitHub's rate-limit rules and bounded retries of 5xx answers and dropped
/// connections. The token goes only into the `Authorization` header and never into a log.
public final class GitHubClient: GitHubAPI {
    public let configuration: GitHubConfiguration
    private let session: URLSession
    private let log: @Sendable (String) -> Void
    /// Waits between retries; tests pass a clock that records the waits instead.
    private let clock: any Clock<Duration>

    /// GitHub rejects bodies over 65,536 characters with a 422; we refuse them before sending.
    public static let maximumBodyLength = 65_536

    public var repository: GitHubRepository { configuration.repository }
    public var botLogin: String { configuration.botLogin }

    public init(
        configuration: GitHubConfiguration,
        log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
        sessionConfiguration.urlCache = nil
        sessionConfiguration.httpCookieStorage = nil
        self.session = URLSession(configuration: sessionConfiguration)
        self.log = log
        self.clock = clock
    }

    /// Reads token, API URL, repository and bot login from the environment
    /// (see `GitHubConfiguration.init(environment:)`).
    public convenience init(environment: [String: String], retry: GitHubRetryPolicy = .default) throws {
        self.init(configuration: try GitHubConfiguration(environment: environment, retry: retry))
    }

    deinit { session.finishTasksAndInvalidate() }

    // MARK: Comments

    public func listComments(issue: Int) async throws -> [GitHubComment] {
        try await getAllPages(.listComments, repoPath("issues", String(issue), "comments"))
    }

    public func createComment(issue: Int, body: String) async throws -> GitHubComment {
        try checkBodyLength(body, .createComment)
        return try await call(.createComment, "POST", repoPath("issues", String(issue), "comments"), body: ["body": body])
    }

    public func updateComment(id: Int, body: String) async throws -> GitHubComment {
        try checkBodyLength(body, .updateComment)
        return try await call(.updateComment, "PATCH", repoPath("issues", "comments", String(id)), body: ["body": body])
    }

    public func deleteComment(id: Int) async throws {
        _ = try await send(.deleteComment, "DELETE", url(repoPath("issues", "comments", String(id))))
    }

    // MARK: Issues

    public func createIssue(title: String, body: String, labels: [String]) async throws -> GitHubIssue {
        try checkBodyLength(body, .createIssue)
        return try await call(
            .createIssue, "POST", repoPath("issues"), body: NewIssue(title: title, body: body, labels: labels))
    }

    public func getIssue(number: Int) async throws -> GitHubIssue {
        try await call(.getIssue, "GET", repoPath("issues", String(number)))
    }

    public func updateIssue(number: Int, _ update: GitHubIssueUpdate) async throws -> GitHubIssue {
        if let body = update.body { try checkBodyLength(body, .updateIssue) }
        return try await call(.updateIssue, "PATCH", repoPath("issues", String(number)), body: update)
    }

    public func listOpenIssues(labels: [String]) async throws -> [GitHubIssue] {
        try await listIssues(labels: labels, state: .open)
    }

    public func listIssues(labels: [String], state: GitHubIssueListState) async throws -> [GitHubIssue] {
        var query = [("state", state.rawValue)]
        if !labels.isEmpty { query.append(("labels", labels.map(Self.encodeQueryValue).joined(separator: ","))) }
        let issues: [GitHubIssue] = try await getAllPages(.listIssues, repoPath("issues"), query: query)
        return issues.filter { !$0.isPullRequest }
    }

    // MARK: Labels

    @discardableResult
    public func addLabels(issue: Int, labels: [String]) async throws -> [GitHubLabel] {
        try await call(.addLabels, "POST", repoPath("issues", String(issue), "labels"), body: ["labels": labels])
    }

    public func removeLabel(issue: Int, label: String) async throws {
        do {
            _ = try await send(.removeLabel, "DELETE", url(repoPath("issues", String(issue), "labels", label)))
        } catch let error as GitHubError {
            // GitHub answers 404 "Label does not exist" for a label the issue does not carry;
            // a plain "Not Found" means the issue itself is missing or hidden from the token.
            guard let failure = error.apiFailure, failure.isNotFound,
                  failure.message.lowercased().contains("label") else { throw error }
        }
    }

    public func listLabels() async throws -> [GitHubLabel] {
        try await getAllPages(.listLabels, repoPath("labels"))
    }

    @discardableResult
    public func createLabel(_ label: GitHubLabelDefinition) async throws -> Bool {
        let body = ["name": label.name, "color": label.color, "description": label.description]
        do {
            let _: GitHubLabel = try await call(.createLabel, "POST", repoPath("labels"), body: body)
            return true
        } catch let error as GitHubError {
            // Another run created it first.
            guard let failure = error.apiFailure, failure.status == 422,
                  failure.errorCodes.contains("already_exists") else { throw error }
            return false
        }
    }

    // MARK: Commit statuses

    @discardableResult
    public func createCommitStatus(
        sha: String, state: GitHubCommitState, context: String, description: String?, targetURL: String?
    ) async throws -> GitHubCommitStatus {
        struct NewStatus: Encodable {
            var state: GitHubCommitState
            var context: String
            var description: String?
            var target_url: String?
        }
        let status = NewStatus(
            state: state, context: context, description: description.map(GitHubCommitStatus.fittedDescription), target_url: targetURL)
        return try await call(.createCommitStatus, "POST", repoPath("statuses", sha), body: status)
    }

    // MARK: Deployments

    public func createDeployment(_ request: GitHubDeploymentRequest) async throws -> GitHubDeployment {
        try await call(.createDeployment, "POST", repoPath("deployments"), body: request)
    }

    public func listDeployments(environment: String?, sha: String?, task: String?) async throws -> [GitHubDeployment] {
        let query = [("environment", environment), ("sha", sha), ("task", task)].compactMap { name, value in
            value.map { (name, Self.encodeQueryValue($0)) }
        }
        return try await getAllPages(.listDeployments, repoPath("deployments"), query: query)
    }

    public func createDeploymentStatus(
        deploymentID: Int, _ status: GitHubDeploymentStatusRequest
    ) async throws -> GitHubDeploymentStatus {
        try await call(.createDeploymentStatus, "POST", repoPath("deployments", String(deploymentID), "statuses"), body: status)
    }

    public func listDeploymentStatuses(deploymentID: Int) async throws -> [GitHubDeploymentStatus] {
        try await getAllPages(.listDeploymentStatuses, repoPath("deployments", String(deploymentID), "statuses"))
    }

    // MARK: Pull requests, permissions, users

    public func getPullRequest(number: Int) async throws -> GitHubPullRequest {
        try await call(.getPullRequest, "GET", repoPath("pulls", String(number)))
    }

    public func pullRequests(forCommit sha: String) async throws -> [GitHubPullRequest] {
        try await getAllPages(.pullRequestsForCommit, repoPath("commits", sha, "pulls"))
    }

    public func compareCommits(base: String, head: String) async throws -> GitHubCommitComparison {
        try await call(.compareCommits, "GET", repoPath("compare", "\(base)...\(head)"))
    }

    public func branchTip(_ branch: String) async throws -> String {
        let found: GitHubBranch = try await call(.getBranch, "GET", repoPath("branches", branch))
        return found.commit.sha
    }

    public func getRepository(_ repository: GitHubRepository) async throws -> GitHubRepositoryInfo {
        try await call(.getRepository, "GET", "/repos/\(Self.encodePathSegment(repository.owner))/\(Self.encodePathSegment(repository.name))")
    }

    public func permission(of login: String) async throws -> GitHubPermission {
        try await call(.collaboratorPermission, "GET", repoPath("collaborators", login, "permission"))
    }

    public func authenticatedUser() async throws -> GitHubUser {
        try await call(.authenticatedUser, "GET", "/user")
    }

    /// The repository itself: its numeric ids (OIDC subject claims carry them) and default branch.
    public func repositoryDetails() async throws -> GitHubRepositoryDetails {
        try await call(.getRepository, "GET", repoPath())
    }

    // MARK: Requests

    private struct NewIssue: Encodable {
        var title: String
        var body: String
        var labels: [String]
    }

    /// The path of a repository resource, each segment percent-encoded.
    private func repoPath(_ segments: String...) -> String {
        (["repos", repository.owner, repository.name] + segments)
            .map { "/" + Self.encodePathSegment($0) }.joined()
    }

    private func url(_ path: String, query: [(String, String)] = []) -> URL {
        var base = configuration.apiURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var text = base + path
        if !query.isEmpty {
            text += "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
        // Every piece was percent-encoded above, so the string is a valid URL.
        return URL(string: text)!
    }

    private func checkBodyLength(_ body: String, _ operation: GitHubOperation) throws {
        let length = body.unicodeScalars.count
        if length > Self.maximumBodyLength {
            throw GitHubError.invalidRequest(
                operation: operation,
                detail: "the body has \(length) characters; GitHub accepts at most \(Self.maximumBodyLength)")
        }
    }

    private func call<Response: Decodable>(
        _ operation: GitHubOperation, _ method: String, _ path: String
    ) async throws -> Response {
        let response = try await send(operation, method, url(path))
        return try decode(Response.self, from: response.body, operation)
    }

    private func call<Response: Decodable>(
        _ operation: GitHubOperation, _ method: String, _ path: String, body: some Encodable
    ) async throws -> Response {
        let response = try await send(operation, method, url(path), body: try JSONEncoder().encode(body))
        return try decode(Response.self, from: response.body, operation)
    }

    /// Follows `link: rel="next"` until the last page. Links must stay on the API's origin so
    /// the token never goes anywhere else.
    private func getAllPages<Item: Decodable>(
        _ operation: GitHubOperation, _ path: String, query: [(String, String)] = []
    ) async throws -> [Item] {
        var next: URL? = url(path, query: query + [("per_page", "100")])
        var visited = Set<String>()
        var items: [Item] = []
        while let pageURL = next {
            guard visited.insert(pageURL.absoluteString).inserted else {
                throw GitHubError.invalidResponse(operation: operation, detail: "the `link` header loops back to \(pageURL.path)")
            }
            let response = try await send(operation, "GET", pageURL)
            items += try decode([Item].self, from: response.body, operation)
            next = GitHubLinkHeader.nextURL(response.headers["link"])
            if let candidate = next, !isOnAPIOrigin(candidate) {
                throw GitHubError.invalidResponse(
                    operation: operation, detail: "the next page link leaves \(configuration.apiURL.absoluteString)")
            }
        }
        return items
    }

    private func isOnAPIOrigin(_ candidate: URL) -> Bool {
        let base = configuration.apiURL
        return candidate.scheme?.lowercased() == base.scheme?.lowercased()
            && candidate.host?.lowercased() == base.host?.lowercased()
            && candidate.port == base.port
            && candidate.path.hasPrefix(base.path)
    }

    private func decode<T: Decodable>(_ type: T.Type, from data: Data, _ operation: GitHubOperation) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw GitHubError.invalidResponse(operation: operation, detail: "\(error)")
        }
    }

    struct Response {
        var status: Int
        /// Names lower-cased.
        var headers: [String: String]
        var body: Data
    }

    /// One request with retries; returns a 2xx answer or throws `GitHubError`.
    private func send(_ operation: GitHubOperation, _ method: String, _ url: URL, body: Data? = nil) async throws -> Response {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("application/vnd.github+json", forHTTPHeaderField: "Accept")
        request.setValue("2022-11-28", forHTTPHeaderField: "X-GitHub-Api-Version")
        request.setValue("Bearer \(configuration.token)", forHTTPHeaderField: "Authorization")
        request.setValue(configuration.userAgent, forHTTPHeaderField: "User-Agent")
        if let body {
            request.httpBody = body
            request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        }
        let policy = configuration.retry
        var attempt = 1
        while true {
            let response: Response
            do {
                response = try await perform(request)
            } catch let error as URLError where Self.isRetryable(error) {
                guard let delay = policy.transportRetryDelay(attempt: attempt) else {
                    throw GitHubError.transport(operation: operation, detail: "\(method) \(url.path): \(error.localizedDescription) (after \(attempt) tries)")
                }
                log("GitHub: \(method) \(url.path) failed (\(error.code.rawValue)); retrying in \(Self.seconds(delay)) (try \(attempt + 1) of \(policy.maxAttempts))")
                try await clock.sleep(for: delay)
                attempt += 1
                continue
            } catch let error as URLError {
                throw GitHubError.transport(operation: operation, detail: "\(method) \(url.path): \(error.localizedDescription)")
            }
            if (200..<300).contains(response.status) { return response }

            let failure = Self.failure(operation, method, url, response)
            switch policy.decision(status: response.status, headers: response.headers, message: failure.message, attempt: attempt) {
            case .retry(let delay, let reason):
                log("GitHub: \(method) \(url.path) answered \(response.status) (\(reason)); retrying in \(Self.seconds(delay)) (try \(attempt + 1) of \(policy.maxAttempts))")
                try await clock.sleep(for: delay)
                attempt += 1
            case .rateLimitExhausted(let detail):
                throw GitHubError.rateLimited(operation: operation, detail: detail)
            case .fail:
                throw GitHubError.api(failure)
            }
        }
    }

    private func perform(_ request: URLRequest) async throws -> Response {
        let (data, urlResponse) = try await session.data(for: request)
        guard let http = urlResponse as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return Response(status: http.statusCode, headers: headers, body: data)
    }

    private static func isRetryable(_ error: URLError) -> Bool {
        ![.cancelled, .badURL, .unsupportedURL, .userAuthenticationRequired].contains(error.code)
    }

    /// GitHub's error body: `message`, `documentation_url` and `errors` (objects with `code`, or strings).
    static func failure(_ operation: GitHubOperation, _ method: String, _ url: URL, _ response: Response) -> GitHubAPIFailure {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let message = json?["message"] as? String
            ?? String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let codes = (json?["errors"] as? [Any] ?? []).compactMap { entry -> String? in
            if let object = entry as? [String: Any] { return object["code"] as? String ?? object["message"] as? String }
            return entry as? String
        }
        return GitHubAPIFailure(
            operation: operation, method: method, path: url.path, status: response.status,
            message: message.isEmpty ? HTTPURLResponse.localizedString(forStatusCode: response.status) : message,
            documentationURL: json?["documentation_url"] as? String, errorCodes: codes)
    }

    private static func seconds(_ delay: Duration) -> String {
        let value = delay.seconds
        return value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded(.up))) s"
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encodePathSegment(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    static func encodeQueryValue(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}

/// RFC 8288 `link` headers as GitHub sends them: `<url>; rel="next", <url>; rel="last"`.
enum GitHubLinkHeader {
    static func nextURL(_ header: String?) -> URL? {
        guard let header else { return nil }
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let target = rest[rest.index(after: open)..<close]
            let afterTarget = rest[rest.index(after: close)...]
            let paramsEnd = afterTarget.firstIndex(of: "<") ?? afterTarget.endIndex
            let params = afterTarget[..<paramsEnd]
            let relations = params.split(separator: ";").compactMap { param -> [Substring]? in
                let pair = param.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { return nil }
                return pair[1].trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\",")))
                    .split(separator: " ")
            }.flatMap { $0 }
            if relations.contains(where: { $0.lowercased() == "next" }) { return URL(string: String(target)) }
            rest = afterTarget[paramsEnd...]
        }
        return nil
    }
}
