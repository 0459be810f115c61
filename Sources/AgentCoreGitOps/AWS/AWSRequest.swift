import Foundation

/// An AWS service as the signer and the endpoint resolver see it.
public struct AWSService: Sendable, Hashable {
    /// The SigV4 credential-scope name (`bedrock-agentcore`, `s3`, `sts`).
    public let signingName: String
    /// The host prefix on AWS (`bedrock-agentcore-control.{region}.amazonaws.com`).
    public let endpointPrefix: String
    /// The suffix of the SDKs' per-service endpoint override, `AWS_ENDPOINT_URL_<suffix>`.
    public let endpointEnvironmentSuffix: String

    public static let agentCoreControl = AWSService(
        signingName: "bedrock-agentcore", endpointPrefix: "bedrock-agentcore-control",
        endpointEnvironmentSuffix: "BEDROCK_AGENTCORE_CONTROL")
    public static let s3 = AWSService(signingName: "s3", endpointPrefix: "s3", endpointEnvironmentSuffix: "S3")
    public static let sts = AWSService(signingName: "sts", endpointPrefix: "sts", endpointEnvironmentSuffix: "STS")
}

/// What a request sends: nothing, bytes in memory, or a file streamed from disk.
public enum AWSBody: Sendable {
    case empty
    case data(Data)
    case file(URL)
}

/// One AWS API call before signing. Service clients build these; the transport resolves the
/// endpoint, signs, sends and retries.
public struct AWSRequest: Sendable {
    public var service: AWSService
    /// The API operation name (`CreateAgentRuntime`), used in errors, logs and retry decisions.
    public var operation: String
    public var method: String
    /// The path as unencoded segments joined by `/`, e.g. `/runtimes/pr_1-abc/`; the transport
    /// percent-encodes it as the service expects.
    public var path: String
    public var query: [URLQueryItem] = []
    public var headers: [String: String] = [:]
    public var body: AWSBody = .empty
    /// Sent without a signature: only STS `AssumeRoleWithWebIdentity`, which authenticates with
    /// the OIDC token in its body and is how credentials are obtained in the first place.
    public var isUnsigned: Bool = false
    /// When set, a successful response body is written to this file instead of memory
    /// (S3 GetObject), and `AWSResponse.body` is empty.
    public var responseBodyFile: URL?
    /// Set instead of `path` when a segment holds a `/` of its own (a runtime ARN in the data
    /// plane's `/runtimes/{arn}/invocations`): each segment is percent-encoded whole, so that
    /// `/` travels as `%2F`. Overrides `path`.
    public var pathSegments: [String]?
}

/// A response as received. `AWSRequestSending.send` returns only 2xx ones; other statuses are
/// thrown as `AWSError`.
public struct AWSResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data
}

/// Sends signed requests to AWS. `AWSClient` is the real one; unit tests may fake it.
public protocol AWSRequestSending: Sendable {
    func send(_ request: AWSRequest) async throws -> AWSResponse
}
