import Foundation
import Testing
@testable import AgentCoreGitOps

/// `AgentCoreDataPlane` against a scripted transport: the request InvokeAgentRuntime sends,
/// which failures are retried (an invocation runs the agent, so few are), and what the errors say.
/// The sandbox tests (`InvokeSandboxTests`) prove the signature and the streaming over real HTTP.
@Suite struct AgentCoreDataPlaneTests {
    static let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/pr_1-AbCdEfGhIj"
    static let encodedARN = "arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fpr_1-AbCdEfGhIj"
    static let jsonAnswer = ScriptedTransport.Step.respond(
        status: 200, headers: ["content-type": "application/json", "x-amzn-requestid": "req-9"], body: #"{"result":"hi"}"#)

    static func error(_ status: Int, _ code: String, _ message: String = "m") -> ScriptedTransport.Step {
        .respond(status: status, headers: ["x-amzn-errortype": code, "x-amzn-requestid": "req-1"], body: #"{"message":"\#(message)"}"#)
    }

    static func invocation(endpoint: String = "DEFAULT", session: String? = nil) throws -> AgentInvocation {
        try AgentInvocation(runtimeARN: arn, endpoint: endpoint, payload: Data(#"{"prompt":"hi"}"#.utf8), sessionID: session)
    }

    // MARK: The request

    @Test func postsThePayloadToTheEncodedARNWithQualifierSessionAndSignature() async throws {
        let transport = ScriptedTransport([Self.jsonAnswer])
        let plane = AgentCoreDataPlane(client: AWSFixtures.client(transport))
        let invocation = try Self.invocation(endpoint: "live")

        let answer = try await plane.invoke(invocation)

        let sent = try #require(transport.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url.absoluteString == "http://127.0.0.1:5000/runtimes/\(Self.encodedARN)/invocations?qualifier=live")
        #expect(sent.headers[AgentInvocation.sessionHeader] == invocation.sessionID)
        #expect(sent.headers["Content-Type"] == "application/json")
        #expect(sent.headers["Authorization"]?.contains("/us-east-1/bedrock-agentcore/aws4_request") == true)
        guard case .data(let body) = sent.body else { Issue.record("the payload was not sent as bytes"); return }
        #expect(body == invocation.payload)
        #expect(answer.contentType == "application/json" && answer.requestID == "req-9" && !answer.isEventStream)
        #expect(answer.sessionID == invocation.sessionID, "AWS's answer named no session: the one sent stands")
        #expect(try await answer.text().text == #"{"result":"hi"}"#)
    }

    @Test func aSessionIsGeneratedPerInvocationUnlessGiven() throws {
        let first = try Self.invocation(), second = try Self.invocation()
        #expect(first.sessionID != second.sessionID)
        #expect(AgentInvocation.sessionIDLength.contains(first.sessionID.count))
        let given = String(repeating: "s", count: 33)
        #expect(try Self.invocation(session: given).sessionID == given)
    }

    @Test func theDataPlaneHasItsOwnHostAndOverride() async throws {
        func firstURL(_ configuration: AWSConfiguration) async throws -> String {
            let transport = ScriptedTransport([Self.jsonAnswer])
            _ = try await AgentCoreDataPlane(client: AWSFixtures.client(transport, configuration: configuration)).invoke(Self.invocation())
            return try #require(transport.requests.first).url.absoluteString
        }
        let path = "/runtimes/\(Self.encodedARN)/invocations?qualifier=DEFAULT"
        var configuration = AWSFixtures.configuration(region: "eu-west-1", endpoint: nil)
        configuration.serviceEndpoints = ["BEDROCK_AGENTCORE_CONTROL": URL(string: "http://127.0.0.1:7001")!]
        #expect(try await firstURL(configuration) == "https://bedrock-agentcore.eu-west-1.amazonaws.com" + path,
                "the control plane's override is not the data plane's")

        let resolved = try AWSConfiguration.resolve(environment: [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:7000", "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": "http://127.0.0.1:7002/prefix/",
            "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        #expect(try await firstURL(resolved) == "http://127.0.0.1:7002/prefix" + path)
        var shared = resolved
        shared.serviceEndpoints = [:]
        #expect(try await firstURL(shared) == "http://127.0.0.1:7000" + path, "without its own override, AWS_ENDPOINT_URL")
    }

    @Test func invalidInvocationsAreRefusedBeforeSending() {
        let payload = Data("{}".utf8)
        let cases: [(arn: String, endpoint: String, session: String?, says: String)] = [
            ("pr_1-AbCdEfGhIj", "DEFAULT", nil, "is not an agent runtime ARN"),
            ("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/", "DEFAULT", nil, "is not an agent runtime ARN"),
            ("arn:aws:bedrock-agentcore-control:us-east-1:123456789012:runtime/pr_1-AbCdEfGhIj", "DEFAULT", nil, "ARN"),
            (Self.arn, "bad-name", nil, "endpoint name"),
            (Self.arn, "DEFAULT", String(repeating: "s", count: 32), "the session id has 32 characters; AgentCore takes 33 to 256"),
            (Self.arn, "DEFAULT", String(repeating: "s", count: 257), "has 257 characters"),
        ]
        for (arn, endpoint, session, says) in cases {
            let error = #expect(throws: ActionableError.self) {
                try AgentInvocation(runtimeARN: arn, endpoint: endpoint, payload: payload, sessionID: session)
            }
            #expect(error?.description.contains(says) == true, "\(arn) \(endpoint): \(String(describing: error))")
        }
        #expect(throws: Never.self) {
            try AgentInvocation(runtimeARN: Self.arn, payload: payload, sessionID: String(repeating: "s", count: 256))
        }
    }

    // MARK: Retries

    @Test func aRetryableConflictIsRetriedWithTheSameSessionAndPayload() async throws {
        let transport = ScriptedTransport([Self.error(409, "RetryableConflictException", "starting"), Self.jsonAnswer])
        let clock = TestClock()
        let plane = AgentCoreDataPlane(client: AWSFixtures.client(transport, credentials: CountingCredentials(), clock: clock))
        let invocation = try Self.invocation()

        _ = try await plane.invoke(invocation)

        let sent = transport.requests
        #expect(sent.count == 2 && clock.sleeps.count == 1)
        #expect(sent.allSatisfy { $0.headers[AgentInvocation.sessionHeader] == invocation.sessionID })
        #expect(Set(sent.compactMap { $0.headers["Authorization"] }).count == 2, "each attempt is signed again")
    }

    @Test func throttlingAndUnopenedConnectionsAreRetried() async throws {
        for first in [Self.error(429, "ThrottlingException"), .fail(.cannotConnectToHost), .fail(.dnsLookupFailed)] {
            let transport = ScriptedTransport([first, Self.jsonAnswer])
            _ = try await AgentCoreDataPlane(client: AWSFixtures.client(transport)).invoke(Self.invocation())
            #expect(transport.requests.count == 2, "\(first)")
        }
    }

    /// Once the request may have reached the agent, sending it again could run the agent twice.
    @Test func failuresAfterTheRequestMayHaveArrivedAreNotRetried() async throws {
        let cases: [(ScriptedTransport.Step, AgentInvocationError.Kind)] = [
            (Self.error(500, "InternalServerException"), .serviceFailed),
            (Self.error(503, "ServiceUnavailableException"), .serviceFailed),
            (.fail(.networkConnectionLost), .unreachable),
            (.fail(.timedOut), .unreachable),
        ]
        for (step, kind) in cases {
            let transport = ScriptedTransport([step, Self.jsonAnswer])
            let error = await #expect(throws: AgentInvocationError.self) {
                try await AgentCoreDataPlane(client: AWSFixtures.client(transport)).invoke(Self.invocation())
            }
            #expect(transport.requests.count == 1, "\(step)")
            #expect(error?.kind == kind, "\(step)")
        }
    }

    // MARK: Errors

    @Test func errorsNameTheRuntimeTheEndpointAndWhatToDo() async throws {
        let cases: [(steps: [ScriptedTransport.Step], kind: AgentInvocationError.Kind, says: [String])] = [
            ([Self.error(424, "RuntimeClientError", "Received error (500) from runtime.")], .agentFailed,
             ["the agent failed: RuntimeClientError (HTTP 424): Received error (500) from runtime.",
              "log group /aws/bedrock-agentcore/runtimes/pr_1-AbCdEfGhIj-live", "fix the agent and deploy again"]),
            ([Self.error(404, "ResourceNotFoundException", "No endpoint named 'live'")], .notFound,
             ["no such runtime or endpoint", "that it has an endpoint named live"]),
            (Array(repeating: Self.error(409, "RetryableConflictException"), count: 3), .endpointStarting,
             ["the endpoint is still starting, also after 3 attempts", "wait until the endpoint is READY"]),
            (Array(repeating: Self.error(429, "ThrottlingException"), count: 3), .throttled, ["wait a minute"]),
            ([Self.error(403, "AccessDeniedException", "not allowed")], .rejected, ["bedrock-agentcore:InvokeAgentRuntime"]),
            ([Self.error(500, "InternalServerException")], .serviceFailed, ["it was not repeated because it may have run"]),
            ([.fail(.networkConnectionLost)], .unreachable, ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"]),
        ]
        for (steps, kind, says) in cases {
            let transport = ScriptedTransport(steps)
            let error = try await #require(throws: AgentInvocationError.self) {
                try await AgentCoreDataPlane(client: AWSFixtures.client(transport)).invoke(Self.invocation(endpoint: "live"))
            }
            #expect(error.kind == kind)
            #expect(error.description.hasPrefix("InvokeAgentRuntime on runtime pr_1 (pr_1-AbCdEfGhIj), endpoint live: "),
                    "\(error)")
            for text in says { #expect(error.description.contains(text), "\(kind): \(error)") }
            #expect(error.description.contains(" — "), "problem — fix")
        }
    }

    @Test func anAnswerThatBreaksOffIsAnErrorNamingTheTarget() async throws {
        let broken = AsyncThrowingStream<Data, any Error> { continuation in
            continuation.yield(Data("data: one\n\n".utf8))
            continuation.finish(throwing: URLError(.networkConnectionLost))
        }
        let transport = StreamingScript(HTTPStreamingResponse(
            status: 200, headers: ["content-type": "text/event-stream"], body: broken))
        let client = AWSClient(configuration: AWSFixtures.configuration(), transport: transport, clock: TestClock())
        let answer = try await AgentCoreDataPlane(client: client).invoke(Self.invocation())

        var received: [String] = []
        let error = await #expect(throws: AgentInvocationError.self) {
            for try await event in answer.events() { received.append(event.data) }
        }
        #expect(received == ["one"])
        #expect(error?.kind == .brokenAnswer)
        #expect(error?.description.contains("runtime pr_1 (pr_1-AbCdEfGhIj), endpoint DEFAULT: the answer broke off after 11 bytes") == true)
    }

    // MARK: Answers

    @Test func anEventStreamIsCutIntoEventsWhereverItsPiecesBreak() async throws {
        let stream = "data: one\n\n: a comment\nevent: note\r\ndata: two\r\ndata: lines\r\nid: 7\r\n\r\ndata\n\ndata: \"last\""
        for size in [1, 2, 3, 7, stream.utf8.count] {
            let pieces = stride(from: 0, to: stream.utf8.count, by: size).map { Data(Array(stream.utf8)[$0..<min($0 + size, stream.utf8.count)]) }
            let answer = AgentAnswer(contentType: "text/event-stream; charset=utf-8", sessionID: "s", body: Self.stream(pieces))
            var events: [ServerSentEvent] = []
            for try await event in answer.events() { events.append(event) }
            #expect(events == [
                ServerSentEvent(data: "one"),
                ServerSentEvent(event: "note", data: "two\nlines", id: "7"),
                ServerSentEvent(data: "", id: "7"),
                ServerSentEvent(data: "\"last\"", id: "7"),
            ], "pieces of \(size) bytes")
        }
    }

    @Test func aCarriageReturnEndsALineOnceTheNextByteShowsItIsNoCRLF() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Data("data: a\r".utf8)).isEmpty)
        #expect(parser.feed(Data("\r".utf8)).isEmpty, "the second CR may start a CRLF")
        #expect(parser.feed(Data("data: b\r".utf8)) == [ServerSentEvent(data: "a")])
        #expect(parser.finish() == ServerSentEvent(data: "b"), "the stream ended inside an event")
        #expect(parser.finish() == nil)
    }

    @Test func answerTextIsTheEventsDataOrTheBodyUpToALimit() async throws {
        let events = AgentAnswer(contentType: "text/event-stream", sessionID: "s", body: Self.stream(["data: \"a\"\n\ndata: b\n\n"]))
        #expect(try await events.text() == ("\"a\"\nb", false))
        let json = AgentAnswer(contentType: "application/json", sessionID: "s", body: Self.stream(["{\"re", "sult\": 1}"]))
        #expect(try await json.text() == ("{\"result\": 1}", false))
        let long = AgentAnswer(contentType: "text/plain", sessionID: "s", body: Self.stream(["abcdef", "ghij"]))
        #expect(try await long.text(maxBytes: 8) == ("abcdefgh", true))
    }

    static func stream(_ pieces: [String]) -> AsyncThrowingStream<Data, any Error> {
        stream(pieces.map { Data($0.utf8) })
    }

    static func stream(_ pieces: [Data]) -> AsyncThrowingStream<Data, any Error> {
        AsyncThrowingStream { continuation in
            for piece in pieces { continuation.yield(piece) }
            continuation.finish()
        }
    }
}

/// A streaming transport that answers every request with one prepared response.
final class StreamingScript: HTTPStreamingTransport, @unchecked Sendable {
    private let response: HTTPStreamingResponse
    init(_ response: HTTPStreamingResponse) { self.response = response }
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse { response }
    func send(_ request: HTTPRequest) async throws -> AWSResponse {
        AWSResponse(status: response.status, headers: response.headers, body: try await response.collectBody())
    }
}
