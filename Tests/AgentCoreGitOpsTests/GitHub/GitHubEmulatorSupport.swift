import Foundation
import Testing
@testable import AgentCoreGitOps

/// The sandbox's GitHub emulator (`sandbox/github_emulator`) and helpers to drive it: clients
/// for each identity, pull requests through the control API, faults and the request log.
/// Tests share the sandbox; each works on its own pull requests and issues and scopes its
/// faults to their paths (`/issues/{n}/comments`), so they can run in parallel.
struct GitHubEmulator: Sendable {
    let sandbox: Sandbox
    let apiURL: String
    let repository: String
    let tokens: [String: String]
    let logins: [String: String]

    /// GitHub's waits scaled down; the clients' clocks record them rather than wait, and the
    /// emulator's rate-limit faults ask for 1 s by default.
    static let fastRetry = GitHubRetryPolicy(
        maxAttempts: 4, baseDelay: .milliseconds(50), secondaryLimitMinimumWait: .milliseconds(100), maximumWait: .seconds(5))

    static func shared() async throws -> GitHubEmulator {
        try await Self.in(Sandbox.shared())
    }

    /// The emulator of a given sandbox (the shared one, or one a test started for itself).
    static func `in`(_ sandbox: Sandbox) async throws -> GitHubEmulator {
        let info = sandbox.info
        guard let apiURL = info.githubApiUrl, let repository = info.repository, let tokens = info.tokens,
              let logins = info.logins
        else { throw SandboxError.noGitHub }
        return GitHubEmulator(sandbox: sandbox, apiURL: apiURL, repository: repository, tokens: tokens, logins: logins)
    }

    // MARK: Clients

    func configuration(_ identity: String = "bot", retry: GitHubRetryPolicy = fastRetry) throws -> GitHubConfiguration {
        try GitHubConfiguration(
            environment: ["GITHUB_TOKEN": try #require(tokens[identity]), "GITHUB_API_URL": apiURL, "GITHUB_REPOSITORY": repository],
            retry: retry)
    }

    /// A client acting as `identity`; its retries wait on `clock`, which only records them.
    func client(
        _ identity: String = "bot", log: @escaping @Sendable (String) -> Void = { _ in }, clock: TestClock = TestClock()
    ) throws -> GitHubClient {
        GitHubClient(configuration: try configuration(identity), log: log, clock: clock)
    }

    func login(_ identity: String) throws -> String { try #require(logins[identity]) }

    // MARK: Control API

    @discardableResult
    func control(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> Data {
        try await sandbox.githubControl(method, path, json: json)
    }

    static func randomSHA() -> String {
        (0..<40).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
    }

    /// Opens a pull request as `user` (the maintainer by default); returns its number.
    func openPullRequest(headSHA: String = randomSHA(), user: String? = nil, fork: Bool = false) async throws -> Int {
        var body: [String: Any] = ["head_sha": headSHA, "title": "Change \(headSHA.prefix(7))", "fork": fork]
        if let user { body["user"] = user }
        let data = try await control("POST", "/_sandbox/repos/\(repository)/pulls", json: body)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["number"] as? Int)
    }

    func mergePullRequest(_ number: Int, mergeSHA: String) async throws {
        try await control("POST", "/_sandbox/repos/\(repository)/pulls/\(number)/merge", json: ["merge_commit_sha": mergeSHA])
    }

    /// Adds a fault rule (see `sandbox/github_emulator/limits.py`); scope it with `path_contains`.
    func addFault(_ rule: [String: Any]) async throws {
        try await control("POST", "/_sandbox/faults", json: rule)
    }

    struct LoggedRequest: Decodable {
        let method: String
        let path: String
        let status: Int?
        let login: String?
        let fault: String?
        let time: Double
    }

    /// Requests whose path contains `fragment`, oldest first.
    func requests(containing fragment: String) async throws -> [LoggedRequest] {
        struct Log: Decodable { let requests: [LoggedRequest] }
        let data = try await control("GET", "/_sandbox/requests")
        return try JSONDecoder().decode(Log.self, from: data).requests.filter { $0.path.contains(fragment) }
    }
}
