import Foundation
import Testing
@testable import AgentCoreGitOps

/// The client's pure parts: configuration, rate-limit decisions, `link` headers, error texts.
@Suite struct GitHubClientUnitTests {
    // MARK: Configuration

    @Test func configurationFromEnvironment() throws {
        let configuration = try GitHubConfiguration(environment: [
            "GITHUB_TOKEN": " ghs_abc ", "GITHUB_REPOSITORY": "octo-org/octo.repo_1",
            "GITHUB_API_URL": "https://ghe.example.com/api/v3/", "AGENTCORE_BOT_LOGIN": "deploy-bot[bot]",
        ])
        #expect(configuration.token == "ghs_abc")
        #expect(configuration.repository.owner == "octo-org" && configuration.repository.name == "octo.repo_1")
        #expect(configuration.apiURL.absoluteString == "https://ghe.example.com/api/v3")
        #expect(configuration.botLogin == "deploy-bot[bot]")

        let defaults = try GitHubConfiguration(environment: ["GH_TOKEN": "t", "GITHUB_REPOSITORY": "o/r"])
        #expect(defaults.token == "t")
        #expect(defaults.apiURL.absoluteString == "https://api.github.com")
        #expect(defaults.botLogin == "github-actions[bot]")
    }

    @Test func configurationErrorsSayWhatToSet() {
        func message(_ environment: [String: String]) -> String {
            do {
                _ = try GitHubConfiguration(environment: environment)
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(message(["GITHUB_REPOSITORY": "o/r"]).contains("GITHUB_TOKEN"))
        #expect(message(["GITHUB_TOKEN": "", "GITHUB_REPOSITORY": "o/r"]).contains("GITHUB_TOKEN"))
        #expect(message(["GITHUB_TOKEN": "t"]).contains("GITHUB_REPOSITORY"))
        for bad in ["o", "o/r/x", "/r", "o/", "o/..", "o/r?x", "o /r", "ö/r"] {
            #expect(message(["GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": bad]).contains("owner/name"), "\(bad)")
        }
        #expect(message(["GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": "ftp://x"]).contains("GITHUB_API_URL"))
        #expect(!message(["GITHUB_TOKEN": "ghs_secret", "GITHUB_REPOSITORY": "bad"]).contains("ghs_secret"))
    }

    // MARK: Rate limits and retries

    static let policy = GitHubRetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), secondaryLimitMinimumWait: .seconds(60), maximumWait: .seconds(600))
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func retryAfterIsObeyed() {
        let decision = Self.policy.decision(
            status: 403, headers: ["retry-after": "30"], message: "You have exceeded a secondary rate limit", attempt: 1,
            now: Self.now)
        #expect(decision == .retry(after: .seconds(30), reason: "secondary rate limit (retry-after 30 s)"))
        #expect(Self.policy.decision(status: 429, headers: ["retry-after": "0"], message: "", attempt: 2, now: Self.now)
            == .retry(after: .zero, reason: "rate limit (retry-after 0 s)"))
    }

    @Test func retryAfterAsHTTPDate() {
        #expect(GitHubRetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:14:20 GMT", now: Self.now) == 60)
        #expect(GitHubRetryPolicy.parseRetryAfter("soon", now: Self.now) == nil)
    }

    @Test func primaryLimitWaitsUntilReset() {
        let headers = ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000100", "x-ratelimit-resource": "core"]
        guard case .retry(let wait, let reason) = Self.policy.decision(
            status: 403, headers: headers, message: "API rate limit exceeded", attempt: 1, now: Self.now)
        else {
            Issue.record("expected a retry")
            return
        }
        #expect(wait == .seconds(101))
        #expect(reason.contains("primary rate limit for core"))
    }

    @Test func primaryLimitBeyondMaximumWaitFailsAtOnce() {
        let headers = ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700003600"]
        guard case .rateLimitExhausted(let detail) = Self.policy.decision(
            status: 429, headers: headers, message: "API rate limit exceeded", attempt: 1, now: Self.now)
        else {
            Issue.record("expected to give up")
            return
        }
        #expect(detail.contains("3601 s") && detail.contains("600 s"))
    }

    @Test func secondaryLimitWithoutHeadersBacksOffFromAMinute() {
        let message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
        let waits = (1...3).map { attempt -> Duration? in
            if case .retry(let wait, _) = Self.policy.decision(status: 403, headers: [:], message: message, attempt: attempt, now: Self.now) {
                return wait
            }
            return nil
        }
        #expect(waits == [.seconds(60), .seconds(120), .seconds(240)])
        guard case .rateLimitExhausted = Self.policy.decision(status: 403, headers: [:], message: message, attempt: 4, now: Self.now) else {
            Issue.record("expected to give up after maxAttempts")
            return
        }
        let capped = GitHubRetryPolicy(maxAttempts: 10, secondaryLimitMinimumWait: .seconds(60), maximumWait: .seconds(100))
        #expect(capped.decision(status: 403, headers: [:], message: message, attempt: 5, now: Self.now)
            == .retry(after: .seconds(100), reason: "secondary rate limit"))
    }

    @Test func permissionErrorsAreNotRetried() {
        #expect(Self.policy.decision(
            status: 403, headers: ["x-ratelimit-remaining": "999"], message: "Resource not accessible by integration",
            attempt: 1, now: Self.now) == .fail)
        #expect(Self.policy.decision(status: 404, headers: [:], message: "Not Found", attempt: 1, now: Self.now) == .fail)
        #expect(Self.policy.decision(status: 422, headers: [:], message: "Validation Failed", attempt: 1, now: Self.now) == .fail)
    }

    @Test func serverErrorsBackOffAndStop() {
        #expect(Self.policy.decision(status: 502, headers: [:], message: "", attempt: 1, now: Self.now) == .retry(after: .seconds(1), reason: "HTTP 502"))
        #expect(Self.policy.decision(status: 500, headers: [:], message: "", attempt: 3, now: Self.now) == .retry(after: .seconds(4), reason: "HTTP 500"))
        #expect(Self.policy.decision(status: 503, headers: [:], message: "", attempt: 4, now: Self.now) == .fail)
        #expect(Self.policy.decision(status: 501, headers: [:], message: "", attempt: 1, now: Self.now) == .fail)
        #expect(Self.policy.transportRetryDelay(attempt: 2) == .seconds(2))
        #expect(Self.policy.transportRetryDelay(attempt: 4) == nil)
        #expect(GitHubRetryPolicy(baseDelay: .seconds(10), maximumWait: .seconds(15)).backoff(attempt: 5) == .seconds(15))
    }

    // MARK: Pagination links

    @Test func nextLinkIsFound() {
        let header = #"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2>; rel="next", "#
            + #"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3>; rel="last""#
        #expect(GitHubLinkHeader.nextURL(header)?.absoluteString
            == "https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2")
        let reordered = #"<http://127.0.0.1:9/x?page=1>; rel="prev",<http://127.0.0.1:9/x?page=3>;rel=next"#
        #expect(GitHubLinkHeader.nextURL(reordered)?.absoluteString == "http://127.0.0.1:9/x?page=3")
        #expect(GitHubLinkHeader.nextURL(#"<http://x/a?page=1>; rel="first", <http://x/a?page=4>; rel="last""#) == nil)
        #expect(GitHubLinkHeader.nextURL(nil) == nil)
        #expect(GitHubLinkHeader.nextURL("garbage") == nil)
    }

    // MARK: Errors

    @Test func forbiddenNamesTheMissingPermission() {
        let failure = GitHubAPIFailure(
            operation: .createComment, method: "POST", path: "/repos/o/r/issues/1/comments", status: 403,
            message: "Resource not accessible by integration",
            documentationURL: "https://docs.github.com/rest/issues/comments#create-an-issue-comment")
        let text = GitHubError.api(failure).description
        #expect(text.contains("HTTP 403: Resource not accessible by integration"))
        #expect(text.contains("issues: write"))
        #expect(text.contains("pull-requests: write"))
        #expect(text.contains("https://docs.github.com/rest/issues/comments#create-an-issue-comment"))

        let notFound = GitHubAPIFailure(operation: .pullRequestsForCommit, method: "GET", path: "/p", status: 404, message: "Not Found")
        #expect(GitHubError.api(notFound).description.contains("contents: read and pull-requests: read"))
        let invalid = GitHubAPIFailure(operation: .createLabel, method: "POST", path: "/p", status: 422, message: "Validation Failed", errorCodes: ["invalid"])
        #expect(!GitHubError.api(invalid).description.contains("permissions"))
        #expect(GitHubError.api(invalid).description.contains("[invalid]"))
    }

    @Test(.readsTestVectors) func recordedErrorBodyIsDecoded() throws {
        let url = try TestVectors.url("github-api/errors.json")
        let fixtures = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let fixture = try #require(fixtures.first)
        let body = try JSONSerialization.data(withJSONObject: try #require(fixture["response"]))
        let response = GitHubClient.Response(status: fixture["status"] as? Int ?? 0, headers: [:], body: body)
        let failure = GitHubClient.failure(.createLabel, "POST", URL(string: "https://api.github.com/repos/o/r/labels")!, response)
        #expect(failure.status == 422 && failure.message == "Validation Failed")
        #expect(failure.errorCodes == ["invalid"])
        #expect(failure.documentationURL == "https://docs.github.com/rest/reference/issues#create-a-label")
        #expect(failure.path == "/repos/o/r/labels")
    }

    @Test func pathSegmentsAreEncoded() {
        #expect(GitHubClient.encodePathSegment("needs promotion/ok?#") == "needs%20promotion%2Fok%3F%23")
        #expect(GitHubClient.encodePathSegment("github-actions[bot]") == "github-actions%5Bbot%5D")
    }
}
