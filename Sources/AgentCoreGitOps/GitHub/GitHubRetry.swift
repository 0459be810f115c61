import Foundation

/// What to do with an answer that is not a success, decided from its status and headers alone
/// so that GitHub's rate-limit rules can be tested without a server.
public enum GitHubRetryDecision: Sendable, Equatable {
    /// Try again after this wait; `reason` goes to the log.
    case retry(after: Duration, reason: String)
    /// A rate limit we will not wait out; `detail` says when it resets.
    case rateLimitExhausted(detail: String)
    /// Not retryable: report the answer as an error.
    case fail
}

extension GitHubRetryPolicy {
    /// GitHub's documented handling of rate limits, plus bounded exponential backoff for 5xx.
    /// - Parameters:
    ///   - headers: response headers with lower-cased names.
    ///   - message: GitHub's `message`, used to tell a secondary limit from a permission error.
    ///   - attempt: the try that just failed, 1-based.
    public func decision(
        status: Int, headers: [String: String], message: String, attempt: Int, now: Date = Date()
    ) -> GitHubRetryDecision {
        let lastAttempt = attempt >= maxAttempts
        if status == 403 || status == 429 {
            guard let limit = rateLimitWait(status: status, headers: headers, message: message, attempt: attempt, now: now)
            else { return .fail }
            if limit.wait > maximumWait {
                return .rateLimitExhausted(detail: "\(limit.reason); GitHub asks to wait \(Int(limit.wait.seconds.rounded(.up))) s,"
                    + " more than the configured maximum of \(Int(maximumWait.seconds)) s. Re-run the job after that")
            }
            if lastAttempt {
                return .rateLimitExhausted(detail: "\(limit.reason); still limited after \(attempt) tries. Re-run the job later")
            }
            return .retry(after: limit.wait, reason: limit.reason)
        }
        if [500, 502, 503, 504].contains(status), !lastAttempt {
            return .retry(after: backoff(attempt: attempt), reason: "HTTP \(status)")
        }
        return .fail
    }

    /// After a dropped connection or a timeout: the same bounded backoff as a 5xx.
    public func transportRetryDelay(attempt: Int) -> Duration? {
        attempt >= maxAttempts ? nil : backoff(attempt: attempt)
    }

    func backoff(attempt: Int) -> Duration {
        min(baseDelay * pow(2, Double(max(0, attempt - 1))), maximumWait)
    }

    /// How long a 403/429 asks us to wait, or nil when it is no rate limit (a permission error).
    private func rateLimitWait(
        status: Int, headers: [String: String], message: String, attempt: Int, now: Date
    ) -> (wait: Duration, reason: String)? {
        let isSecondary = message.lowercased().contains("secondary rate limit")
        let kind = isSecondary ? "secondary rate limit" : "rate limit"
        if let retryAfter = headers["retry-after"].flatMap({ Self.parseRetryAfter($0, now: now) }) {
            return (.seconds(clamping: retryAfter), "\(kind) (retry-after \(Int(retryAfter.rounded(.up))) s)")
        }
        if headers["x-ratelimit-remaining"]?.trimmingCharacters(in: .whitespaces) == "0",
           let reset = headers["x-ratelimit-reset"].flatMap({ TimeInterval($0.trimmingCharacters(in: .whitespaces)) }) {
            let resetDate = Date(timeIntervalSince1970: reset)
            let wait = max(0, resetDate.timeIntervalSince(now)) + 1
            let resource = headers["x-ratelimit-resource"].map { " for \($0)" } ?? ""
            return (.seconds(clamping: wait), "primary rate limit\(resource) exhausted until \(Self.isoFormatter.string(from: resetDate))")
        }
        if isSecondary || status == 429 || message.lowercased().contains("rate limit") {
            let wait = min(secondaryLimitMinimumWait * pow(2, Double(max(0, attempt - 1))), maximumWait)
            return (wait, kind)
        }
        return nil
    }

    /// `retry-after` is seconds, or (rarely) an HTTP date.
    static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = TimeInterval(trimmed), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    private static var isoFormatter: ISO8601DateFormatter { ISO8601DateFormatter() }
}
