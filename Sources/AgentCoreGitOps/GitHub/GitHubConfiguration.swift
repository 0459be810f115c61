import Foundation

/// `owner/name` of a repository, checked when it is built.
public struct GitHubRepository: Sendable, Hashable, CustomStringConvertible {
    public let owner: String
    public let name: String

    /// Accepts `owner/name` as `GITHUB_REPOSITORY` holds it.
    public init(_ fullName: String) throws {
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(allowed.contains) }),
              !parts.contains(where: { $0 == "." || $0 == ".." })
        else {
            throw GitHubError.configuration(
                "GITHUB_REPOSITORY must be `owner/name` (letters, digits, '-', '_', '.'), got \(fullName.debugDescription)")
        }
        owner = String(parts[0])
        name = String(parts[1])
    }

    public var description: String { "\(owner)/\(name)" }
}

/// How long and how often the client retries rate limits, 5xx answers and dropped connections.
/// The defaults follow GitHub's guidance; tests shrink the waits.
public struct GitHubRetryPolicy: Sendable, Equatable {
    /// Tries per request, the first included.
    public var maxAttempts: Int
    /// First backoff after a 5xx answer or a dropped connection; it doubles on each retry.
    public var baseDelay: Duration
    /// GitHub: after a secondary rate limit without `retry-after`, wait at least a minute.
    public var secondaryLimitMinimumWait: Duration
    /// The longest single wait. A wait GitHub demands beyond it (a primary limit resetting in
    /// half an hour) fails at once with the reset time rather than holding the job.
    public var maximumWait: Duration

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), secondaryLimitMinimumWait: Duration = .seconds(60),
        maximumWait: Duration = .seconds(300)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.secondaryLimitMinimumWait = max(.zero, secondaryLimitMinimumWait)
        self.maximumWait = max(.zero, maximumWait)
    }

    public static let `default` = GitHubRetryPolicy()
}

/// Everything the client needs, read from the environment a workflow step gets.
public struct GitHubConfiguration: Sendable {
    public static let defaultAPIURL = URL(string: "https://api.github.com")!
    public static let defaultBotLogin = "github-actions[bot]"

    public var apiURL: URL = defaultAPIURL
    public var token: String
    public var repository: GitHubRepository
    /// The login whose comments and issues carry trusted markers (`AGENTCORE_BOT_LOGIN`).
    public var botLogin: String = defaultBotLogin
    public var userAgent: String = "agentcore-gitops"
    public var retry: GitHubRetryPolicy = .default
    /// Per-request timeout.
    public var requestTimeout: TimeInterval = 60
}

// Initializers written here leave the struct its memberwise one.
extension GitHubConfiguration {
    /// Reads `GITHUB_TOKEN` (or `GH_TOKEN`), `GITHUB_API_URL`, `GITHUB_REPOSITORY` and
    /// `AGENTCORE_BOT_LOGIN` from the given environment.
    public init(environment: [String: String], retry: GitHubRetryPolicy = .default) throws {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
                return nil
            }
            return raw
        }
        guard let token = value("GITHUB_TOKEN") ?? value("GH_TOKEN") else {
            throw GitHubError.configuration(
                "No GitHub token: set GITHUB_TOKEN (in a workflow: `env: GITHUB_TOKEN: ${{ github.token }}`) or GH_TOKEN")
        }
        guard let repositoryName = value("GITHUB_REPOSITORY") else {
            throw GitHubError.configuration("GITHUB_REPOSITORY is not set: set it to `owner/name` (Actions sets it for you)")
        }
        let apiText = value("GITHUB_API_URL") ?? Self.defaultAPIURL.absoluteString
        guard let apiURL = URL(string: apiText.hasSuffix("/") ? String(apiText.dropLast()) : apiText),
              let scheme = apiURL.scheme?.lowercased(), scheme == "https" || scheme == "http", apiURL.host != nil
        else {
            throw GitHubError.configuration(
                "GITHUB_API_URL must be an http(s) URL such as https://api.github.com, got \(apiText.debugDescription)")
        }
        self.init(
            apiURL: apiURL, token: token, repository: try GitHubRepository(repositoryName),
            botLogin: value("AGENTCORE_BOT_LOGIN") ?? Self.defaultBotLogin, retry: retry)
    }
}
