import Foundation

extension AWSService {
    /// The AgentCore data plane (InvokeAgentRuntime): the control plane's signing name, its own
    /// host `bedrock-agentcore.{region}.amazonaws.com` and override `AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`.
    public static let agentCoreDataPlane = AWSService(
        signingName: "bedrock-agentcore", endpointPrefix: "bedrock-agentcore", endpointEnvironmentSuffix: "BEDROCK_AGENTCORE")
}

/// Calls a deployed agent. `AgentCoreDataPlane` is the real one; smoke-test unit tests fake it.
public protocol AgentInvoking: Sendable {
    /// Returns once the agent has started to answer; its answer follows through `AgentAnswer.body`.
    /// Throws `AgentInvocationError`.
    func invoke(_ invocation: AgentInvocation) async throws -> AgentAnswer
}

/// One InvokeAgentRuntime call: which runtime and endpoint, what to send, in which session.
public struct AgentInvocation: Sendable, Equatable {
    public static let sessionHeader = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
    /// AgentCore's bounds for a session id, in characters.
    public static let sessionIDLength = 33...256
    public static let maxPayloadBytes = 100_000_000

    public var runtimeARN: String
    /// The endpoint (the `qualifier`): `DEFAULT` follows the newest version.
    public var endpoint: String
    /// Passed to the agent's `POST /invocations` as it is; the agents here read a JSON object.
    public var payload: Data
    /// Invocations in one session reach the same agent session; a new one per call when not given.
    public var sessionID: String

    /// Checks every value before anything is sent.
    public init(
        runtimeARN: String, endpoint: String = AgentRuntimeEndpoint.defaultName, payload: Data, sessionID: String? = nil
    ) throws(ActionableError) {
        try Self.checkRuntimeARN(runtimeARN)
        try AgentCoreValidation.checkName(endpoint, kind: "endpoint name")
        try Self.checkPayloadSize(payload)
        let session = sessionID ?? UUID().uuidString.lowercased()
        try Self.checkSessionID(session)
        self.runtimeARN = runtimeARN
        self.endpoint = endpoint
        self.payload = payload
        self.sessionID = session
    }

    public static func checkRuntimeARN(_ arn: String) throws(ActionableError) {
        guard AgentRuntimeARN(arn) != nil else {
            throw ActionableError(
                "'\(arn)' is not an agent runtime ARN",
                fix: "give one like arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-AbCdEfGhIj")
        }
    }

    public static func checkPayloadSize(_ payload: Data) throws(ActionableError) {
        guard payload.count <= maxPayloadBytes else {
            throw ActionableError(
                "the payload has \(payload.count) bytes; AgentCore takes at most \(maxPayloadBytes)",
                fix: "send less, or pass large inputs by reference (an S3 location the agent reads)")
        }
    }

    public static func checkSessionID(_ id: String) throws(ActionableError) {
        let length = id.awsLength
        guard sessionIDLength.contains(length) else {
            throw ActionableError(
                "the session id has \(length) characters; AgentCore takes \(sessionIDLength.lowerBound) to \(sessionIDLength.upperBound)",
                fix: "use a longer id (a UUID has 36 characters), or leave it out to start a new session")
        }
    }

    /// `my_agent (my_agent-AbCdEfGhIj), endpoint DEFAULT`, for messages.
    public var target: String {
        let id = AgentRuntimeARN(runtimeARN)?.runtimeID ?? runtimeARN
        let name = id.lastIndex(of: "-").map { String(id[..<$0]) } ?? id
        return "runtime \(name) (\(id)), endpoint \(endpoint)"
    }
}

/// The parts of `arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/RUNTIME_ID`.
struct AgentRuntimeARN {
    var region: String
    var account: String
    var runtimeID: String

    init?(_ text: String) {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[1].hasPrefix("aws"), fields[2] == "bedrock-agentcore",
              !fields[3].isEmpty, fields[4].count == 12, fields[4].allSatisfy(\.isNumber),
              fields[5].hasPrefix("runtime/"), AgentCoreValidation.isRuntimeID(String(fields[5].dropFirst(8)))
        else { return nil }
        region = String(fields[3])
        account = String(fields[4])
        runtimeID = String(fields[5].dropFirst(8))
    }
}

/// What the agent answers: JSON, an event stream, or whatever it chose, arriving in pieces.
public struct AgentAnswer: Sendable {
    public var contentType: String
    /// The session the answer belongs to: pass it again to continue the conversation.
    public var sessionID: String
    public var requestID: String?
    /// The body as it arrives. A break in the middle throws `AgentInvocationError`. Read once.
    public var body: AsyncThrowingStream<Data, any Error>

    public init(contentType: String, sessionID: String, requestID: String? = nil, body: AsyncThrowingStream<Data, any Error>) {
        self.contentType = contentType
        self.sessionID = sessionID
        self.requestID = requestID
        self.body = body
    }

    public var isEventStream: Bool { contentType.lowercased().hasPrefix("text/event-stream") }

    /// The body cut into server-sent events as they complete (for an event stream).
    public func events() -> AsyncThrowingStream<ServerSentEvent, any Error> {
        let body = self.body
        return AsyncThrowingStream { continuation in
            let reader = Task {
                var parser = ServerSentEventParser()
                do {
                    for try await piece in body {
                        for event in parser.feed(piece) { continuation.yield(event) }
                    }
                    if let last = parser.finish() { continuation.yield(last) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// The answer as text, for matching: an event stream's event data one per line, any other
    /// body as UTF-8. Stops reading after `maxBytes` (and says so).
    public func text(maxBytes: Int = 1 << 20) async throws -> (text: String, truncated: Bool) {
        if isEventStream {
            var lines: [String] = []
            var bytes = 0
            for try await event in events() {
                lines.append(event.data)
                bytes += event.data.utf8.count + 1
                if bytes > maxBytes { return (lines.joined(separator: "\n"), true) }
            }
            return (lines.joined(separator: "\n"), false)
        }
        var data = Data()
        for try await piece in body {
            data.append(piece)
            if data.count > maxBytes { return (String(decoding: data.prefix(maxBytes), as: UTF8.self), true) }
        }
        return (String(decoding: data, as: UTF8.self), false)
    }
}

/// InvokeAgentRuntime over `AWSClient`: `POST /runtimes/{URL-encoded ARN}/invocations?qualifier=ENDPOINT`.
/// An invocation runs the agent, so it is never repeated once it may have reached it: only
/// throttling and RetryableConflict (the endpoint is not ready to take it) are retried, with
/// the client's backoff.
public struct AgentCoreDataPlane: AgentInvoking {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func invoke(_ invocation: AgentInvocation) async throws -> AgentAnswer {
        let request = AWSRequest(
            service: .agentCoreDataPlane, operation: "InvokeAgentRuntime", method: "POST",
            path: "/runtimes/\(invocation.runtimeARN)/invocations",
            query: [URLQueryItem(name: "qualifier", value: invocation.endpoint)],
            headers: [
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                AgentInvocation.sessionHeader: invocation.sessionID,
            ],
            body: .data(invocation.payload),
            pathSegments: ["runtimes", invocation.runtimeARN, "invocations"])
        let response: HTTPStreamingResponse
        do {
            response = try await client.stream(request, retryingError: Self.turnedAway)
        } catch let error as AWSError {
            throw AgentInvocationError(invocation, error, attempts: client.configuration.retryPolicy.maxAttempts)
        } catch let error as AWSConnectionError {
            throw AgentInvocationError.unreachable(invocation, error)
        }
        let body = response.body
        return AgentAnswer(
            contentType: response.headers["content-type"] ?? "application/octet-stream",
            sessionID: response.headers[AgentInvocation.sessionHeader.lowercased()] ?? invocation.sessionID,
            requestID: response.headers["x-amzn-requestid"],
            body: AsyncThrowingStream { continuation in
                let relay = Task {
                    var received = 0
                    do {
                        for try await piece in body {
                            received += piece.count
                            continuation.yield(piece)
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: AgentInvocationError.brokenAnswer(invocation, afterBytes: received, error))
                    }
                }
                continuation.onTermination = { _ in relay.cancel() }
            })
    }

    /// Answers that say the agent was not run, so sending the invocation again is safe.
    static func turnedAway(_ error: AWSError) -> Bool {
        error.isThrottling || error.code == AgentInvocationError.retryableConflict
    }
}

/// An invocation that failed, naming the runtime, the endpoint and what to do.
public struct AgentInvocationError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public enum Kind: Sendable, Equatable {
        /// No such runtime, or no such endpoint on it (404).
        case notFound
        /// The agent itself failed: it answered an error status, or could not start (424 RuntimeClientError).
        case agentFailed
        /// The endpoint could not take the invocation yet, still after retries (RetryableConflictException).
        case endpointStarting
        case throttled
        /// AWS refused the request: validation, permissions, quotas (other 4xx).
        case rejected
        /// AWS failed (5xx); not repeated, since the agent may have run.
        case serviceFailed
        /// The data plane could not be reached.
        case unreachable
        /// The answer broke off after it had started.
        case brokenAnswer
    }

    static let retryableConflict = "RetryableConflictException"
    static let runtimeClientError = "RuntimeClientError"

    public var kind: Kind
    public var runtimeARN: String
    public var endpoint: String
    public var problem: String
    public var fix: String
    /// AWS's error, when AWS answered one.
    public var awsError: AWSError?

    public var description: String { ActionableError(problem, fix: fix).description }
    public var errorDescription: String? { description }

    init(kind: Kind, _ invocation: AgentInvocation, problem: String, fix: String, awsError: AWSError? = nil) {
        self.kind = kind
        runtimeARN = invocation.runtimeARN
        endpoint = invocation.endpoint
        self.problem = "InvokeAgentRuntime on \(invocation.target): \(problem)"
        self.fix = fix
        self.awsError = awsError
    }

    init(_ invocation: AgentInvocation, _ error: AWSError, attempts: Int) {
        let said = error.details
        let runtimeID = AgentRuntimeARN(invocation.runtimeARN)?.runtimeID ?? "RUNTIME_ID"
        let (kind, problem, fix): (Kind, String, String) = if error.code == Self.runtimeClientError || error.httpStatus == 424 {
            (.agentFailed, "the agent failed: \(said)",
             "the error is the agent's own: look at its logs in CloudWatch (log group "
                + "/aws/bedrock-agentcore/runtimes/\(runtimeID)-\(invocation.endpoint)), fix the agent and deploy again")
        } else if error.isNotFound {
            (.notFound, "no such runtime or endpoint: \(said)",
             "check the runtime's name or id and that it has an endpoint named \(invocation.endpoint); a deleted runtime cannot be invoked")
        } else if error.code == Self.retryableConflict {
            (.endpointStarting, "the endpoint is still starting, also after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(said)",
             "wait until the endpoint is READY, then invoke again (AWS_MAX_ATTEMPTS allows more retries)")
        } else if error.isThrottling {
            (.throttled, "AWS is limiting the request rate, also after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(said)",
             "wait a minute and invoke again")
        } else if error.httpStatus >= 500 {
            (.serviceFailed, "AWS failed: \(said)",
             "invoke again if running the agent twice is harmless; it was not repeated because it may have run")
        } else {
            (.rejected, "AWS refused the request: \(said)", error.fix)
        }
        self.init(kind: kind, invocation, problem: problem, fix: fix, awsError: error)
    }

    static func unreachable(_ invocation: AgentInvocation, _ error: AWSConnectionError) -> AgentInvocationError {
        AgentInvocationError(
            kind: .unreachable, invocation,
            problem: "the connection to \(error.url.host ?? "the data plane") failed after \(error.attempts) attempt\(error.attempts == 1 ? "" : "s"): \(error.reason)",
            fix: "check the network, and AWS_ENDPOINT_URL_BEDROCK_AGENTCORE or AWS_ENDPOINT_URL if one is set")
    }

    static func brokenAnswer(_ invocation: AgentInvocation, afterBytes received: Int, _ error: any Error) -> AgentInvocationError {
        let reason = (error as? URLError)?.localizedDescription ?? String(describing: error)
        return AgentInvocationError(
            kind: .brokenAnswer, invocation,
            problem: "the answer broke off after \(received) bytes: \(reason)",
            fix: "invoke again; if it keeps breaking off, look at the agent's logs")
    }
}
