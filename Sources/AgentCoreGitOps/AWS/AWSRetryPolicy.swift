import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The SDKs' "standard" retry mode: a bounded number of attempts, and before each retry a
/// random wait between zero and an exponentially growing ceiling ("full jitter"), on throttling,
/// server errors and broken connections. Client errors (4xx other than throttling) never retry.
public struct AWSRetryPolicy: Sendable, Equatable {
    public static let defaultMaxAttempts = 3

    /// Attempts in all, the first included (`AWS_MAX_ATTEMPTS`).
    public var maxAttempts: Int = defaultMaxAttempts
    /// The ceiling before the first retry; it doubles for each further retry.
    public var baseDelay: Duration = .seconds(1)
    /// No wait is longer than this.
    public var maxDelay: Duration = .seconds(20)

    /// The wait before retry number `retry` (1 for the first retry), given a uniform random
    /// number in 0...1: `random × min(maxDelay, baseDelay × 2^(retry-1))`.
    public func delay(beforeRetry retry: Int, random: Double) -> Duration {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, retry - 1))))
        return ceiling * min(max(random, 0), 1)
    }

    /// Error codes the SDKs treat as throttling or transient whatever the HTTP status.
    static let retryableCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalServerException",
        "ServiceUnavailable", "ServiceUnavailableException",
        // S3: a conditional write met another write of the key in flight; S3 asks for a retry,
        // whose 412 or success then says which write won.
        "ConditionalRequestConflict",
    ]

    static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    public static func isRetryable(_ error: AWSError) -> Bool {
        error.isThrottling || retryableStatuses.contains(error.httpStatus) || retryableCodes.contains(error.code)
    }

    /// Connection-level failures worth another try: the request may never have reached AWS, and
    /// the client token makes a repeat of a mutating call safe if it did.
    public static func isRetryable(_ error: URLError) -> Bool {
        [.networkConnectionLost, .timedOut, .cannotConnectToHost, .notConnectedToInternet,
         .badServerResponse, .zeroByteResource, .dnsLookupFailed, .cannotFindHost]
            .contains(error.code)
    }

    /// Connection failures that prove the request never reached the server, so even a call that
    /// must not run twice (InvokeAgentRuntime) can be sent again.
    public static func requestNeverLeft(_ error: URLError) -> Bool {
        [.cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet].contains(error.code)
    }
}
