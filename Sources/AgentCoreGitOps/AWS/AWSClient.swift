import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends `AWSRequest`s to AWS (or to `AWS_ENDPOINT_URL`): resolves the endpoint, encodes the
/// path, signs with SigV4, sends, decodes errors into `AWSError`, and retries throttling,
/// server errors and dropped connections as the SDKs' standard mode does. Every attempt resends
/// the same request (so the same client token) with a fresh signature.
public struct AWSClient: AWSRequestSending {
    public let configuration: AWSConfiguration
    private let transport: any HTTPTransport
    private let credentialsProvider: any AWSCredentialsProvider
    private let random: @Sendable () -> Double
    /// Waits between attempts; tests pass a clock that records the waits instead.
    private let clock: any Clock<Duration>
    /// Receives one line per retry. Lines name the operation and URL, never headers or secrets.
    private let log: (@Sendable (String) -> Void)?

    public init(configuration: AWSConfiguration, log: (@Sendable (String) -> Void)? = nil) {
        self.init(configuration: configuration, transport: URLSessionTransport(), log: log)
    }

    /// - Parameters:
    ///   - credentialsProvider: nil picks the one `configuration.credentialSource` describes.
    ///   - random: uniform in 0...1, for the backoff jitter.
    ///   - clock: the clock the waits between attempts run on.
    public init(
        configuration: AWSConfiguration, transport: any HTTPTransport,
        credentialsProvider: (any AWSCredentialsProvider)? = nil,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        clock: any Clock<Duration> = ContinuousClock(),
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.transport = transport
        self.random = random
        self.clock = clock
        self.log = log
        if let credentialsProvider {
            self.credentialsProvider = credentialsProvider
        } else {
            switch configuration.credentialSource {
            case .keys(let keys, _):
                self.credentialsProvider = StaticCredentialsProvider(keys)
            case .webIdentity(let source):
                // STS's AssumeRoleWithWebIdentity is unsigned, so this client never asks for credentials.
                let sts = AWSClient(
                    configuration: configuration, transport: transport,
                    credentialsProvider: StaticCredentialsProvider(AWSCredentials(accessKeyID: "", secretAccessKey: "")),
                    random: random, clock: clock, log: log)
                self.credentialsProvider = WebIdentityCredentialsProvider(source: source, sts: sts)
            }
        }
    }

    public func send(_ request: AWSRequest) async throws -> AWSResponse {
        try await withRetries(
            request, retryingError: AWSRetryPolicy.isRetryable, retryingConnection: AWSRetryPolicy.isRetryable
        ) { signed in
            let response = try await transport.send(signed)
            guard (200..<300).contains(response.status) else { throw Self.decodeError(response, of: request) }
            return response
        }
    }

    /// Sends a request whose answer is read as it arrives (an agent's event stream) and which
    /// must not run twice (it is not idempotent): another attempt follows only an error answer
    /// `retryingError` accepts (the service turned the request away unprocessed) or a connection
    /// that never opened. Error answers are decoded as `send` decodes them; a 2xx body streams.
    public func stream(
        _ request: AWSRequest, retryingError: (AWSError) -> Bool
    ) async throws -> HTTPStreamingResponse {
        try await withRetries(
            request, retryingError: retryingError, retryingConnection: AWSRetryPolicy.requestNeverLeft
        ) { signed in
            let response = if let streaming = transport as? any HTTPStreamingTransport {
                try await streaming.stream(signed)
            } else {
                HTTPStreamingResponse(try await transport.send(signed))
            }
            guard (200..<300).contains(response.status) else {
                let whole = AWSResponse(status: response.status, headers: response.headers, body: try await response.collectBody())
                throw Self.decodeError(whole, of: request)
            }
            return response
        }
    }

    /// Signs and runs `exchange` (which returns a 2xx answer or throws the decoded `AWSError`)
    /// until it succeeds, the failure is not one to retry, or the attempts run out.
    private func withRetries<Response>(
        _ request: AWSRequest, retryingError: (AWSError) -> Bool, retryingConnection: (URLError) -> Bool,
        exchange: (HTTPRequest) async throws -> Response
    ) async throws -> Response {
        let endpoint = try AWSEndpoint(request: request, configuration: configuration)
        let payloadHash = try Self.payloadHash(of: request)
        let policy = configuration.retryPolicy
        var attempt = 1
        while true {
            let failure: String
            let signedRequest = try await signed(request, endpoint: endpoint, payloadHash: payloadHash)
            do {
                return try await exchange(signedRequest)
            } catch let error as AWSError {
                guard retryingError(error), attempt < policy.maxAttempts else { throw error }
                failure = "\(error.httpStatus) \(error.code)"
            } catch let error as URLError {
                guard retryingConnection(error), attempt < policy.maxAttempts else {
                    throw AWSConnectionError(
                        operation: request.operation, url: endpoint.url, attempts: attempt,
                        reason: error.localizedDescription)
                }
                failure = "connection error \(error.code.rawValue)"
            }
            let delay = policy.delay(beforeRetry: attempt, random: random())
            log?("\(request.operation) \(request.method) \(endpoint.url.absoluteString): \(failure); "
                + "retry \(attempt) of \(policy.maxAttempts - 1) in \(String(format: "%.2f", delay.seconds)) s")
            try await clock.sleep(for: delay)
            attempt += 1
        }
    }

    private static func decodeError(_ response: AWSResponse, of request: AWSRequest) -> AWSError {
        AWSErrorDecoder.decode(
            status: response.status, headers: response.headers, body: response.body,
            operation: request.operation, service: request.service.signingName)
    }

    /// Signs for this attempt: fresh credentials (they may have been refreshed) and a fresh date.
    private func signed(_ request: AWSRequest, endpoint: AWSEndpoint, payloadHash: String) async throws -> HTTPRequest {
        var headers = request.headers
        headers["User-Agent"] = "agentcore-gitops"
        if !request.isUnsigned {
            let signer = SigV4Signer(
                credentials: try await credentialsProvider.credentials(), region: configuration.region,
                service: request.service.signingName,
                options: request.service == .s3 ? .s3 : .standard)
            // Content-Length is left to the HTTP stack, which may set it itself.
            let toSign = request.headers.filter { $0.key.lowercased() != "content-length" }
                .map { (name: $0.key, value: $0.value) } + [("host", endpoint.hostHeader)]
            let signature = signer.signHeaders(
                method: request.method, path: endpoint.wirePath, query: endpoint.query,
                headers: toSign, payloadHash: payloadHash, date: Date())
            for header in signature.headers { headers[header.name] = header.value }
        }
        return HTTPRequest(
            method: request.method, url: endpoint.url, headers: headers, body: request.body,
            responseBodyFile: request.responseBodyFile)
    }

    /// The hex SHA-256 of the body. For a file, a caller that already hashed it passes the hash
    /// in `x-amz-content-sha256`; otherwise the file is hashed here, in chunks.
    static func payloadHash(of request: AWSRequest) throws -> String {
        if let given = request.headers.first(where: { $0.key.lowercased() == "x-amz-content-sha256" }) {
            return given.value
        }
        switch request.body {
        case .empty: return SigV4Signer.emptyPayloadHash
        case .data(let data): return SHA256Hasher.hash(data).hexString
        case .file(let url): return try SHA256Hasher.hash(fileAt: url).hexString
        }
    }
}

/// Where a request goes: AWS's own host for the service and region, or the configured override.
/// S3 uses virtual-hosted buckets on AWS and path-style buckets on custom endpoints, which
/// emulators expect. `AWSRequest.path` for S3 is always `/bucket/key`.
struct AWSEndpoint {
    let url: URL
    /// The path as sent: each segment percent-encoded once.
    let wirePath: String
    let query: [(name: String, value: String)]
    /// `Host` as HTTP sends it, with the port when it is not the scheme's default.
    let hostHeader: String

    init(request: AWSRequest, configuration: AWSConfiguration) throws {
        var path = request.path.hasPrefix("/") ? request.path : "/" + request.path
        var base: URLComponents
        // The override's own path, already percent-encoded.
        var prefix = ""
        if let override = configuration.endpointOverride(for: request.service),
           let components = URLComponents(url: override, resolvingAgainstBaseURL: false) {
            base = components
            prefix = base.percentEncodedPath.hasSuffix("/") ? String(base.percentEncodedPath.dropLast()) : base.percentEncodedPath
        } else {
            base = URLComponents()
            base.scheme = "https"
            let suffix = configuration.region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            base.host = "\(request.service.endpointPrefix).\(configuration.region).\(suffix)"
            if request.service == .s3, let bucket = Self.virtualHostedBucket(path) {
                base.host = "\(bucket).\(base.host!)"
                path = String(path.dropFirst(bucket.count + 1))
                if path.isEmpty { path = "/" }
            }
        }
        wirePath = prefix + (request.pathSegments.map { "/" + $0.map { SigV4Encoding.encode($0) }.joined(separator: "/") }
            ?? SigV4Encoding.encode(path, keepingSlashes: true))
        query = request.query.map { (name: $0.name, value: $0.value ?? "") }
        base.percentEncodedPath = wirePath
        base.percentEncodedQuery = query.isEmpty ? nil : SigV4Encoding.encodeQuery(query)
        guard let url = base.url, let host = base.host else {
            throw AWSConfigurationError.invalidEndpoint(variable: "endpoint", value: base.description)
        }
        self.url = url
        hostHeader = base.port.map { "\(host):\($0)" } ?? host
    }

    /// The bucket from `/bucket/key`, when it can be a DNS name under TLS (no dots).
    private static func virtualHostedBucket(_ path: String) -> String? {
        guard let bucket = path.split(separator: "/").first, !bucket.contains(".") else { return nil }
        return String(bucket)
    }
}

/// AWS could not be reached (after retries, where retrying made sense).
public struct AWSConnectionError: Error, CustomStringConvertible, LocalizedError {
    public var operation: String
    public var url: URL
    public var attempts: Int
    public var reason: String

    public var description: String {
        "\(operation) could not reach \(url.scheme ?? "https")://\(url.host ?? "?")\(url.port.map { ":\($0)" } ?? "") "
            + "after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason). Check the network, and "
            + "AWS_ENDPOINT_URL if it is set."
    }

    public var errorDescription: String? { description }
}
