import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import AgentCoreGitOps

/// An HTTP transport that answers from a script and records what it was sent, for unit tests
/// of `AWSClient`'s signing, error decoding and retry logic. End-to-end tests use the sandbox.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    enum Step {
        case respond(status: Int, headers: [String: String] = [:], body: String = "")
        case fail(URLError.Code)
    }

    private let lock = NSLock()
    private var steps: [Step]
    private var sent: [HTTPRequest] = []

    init(_ steps: [Step]) { self.steps = steps }

    var requests: [HTTPRequest] { lock.withLock { sent } }

    func send(_ request: HTTPRequest) async throws -> AWSResponse {
        let step: Step = lock.withLock {
            sent.append(request)
            return steps.isEmpty ? .respond(status: 599, body: "script exhausted") : steps.removeFirst()
        }
        switch step {
        case let .respond(status, headers, body):
            return AWSResponse(status: status, headers: headers, body: Data(body.utf8))
        case let .fail(code):
            throw URLError(code)
        }
    }
}

/// Records the waits the client asks for instead of waiting.
final class RecordedSleeps: @unchecked Sendable {
    private let lock = NSLock()
    private var delays: [TimeInterval] = []
    var all: [TimeInterval] { lock.withLock { delays } }
    func record(_ delay: TimeInterval) { lock.withLock { delays.append(delay) } }
}

/// Hands out a new key id on every call, so a test can see that each attempt is signed afresh.
final class CountingCredentials: AWSCredentialsProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    func credentials() async throws -> AWSCredentials {
        let n = lock.withLock { calls += 1; return calls }
        return AWSCredentials(accessKeyID: "AKID\(n)", secretAccessKey: "secret\(n)")
    }
}

enum AWSFixtures {
    static let keys = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    static func configuration(
        region: String = "us-east-1", endpoint: String? = "http://127.0.0.1:5000", maxAttempts: Int = 3
    ) -> AWSConfiguration {
        AWSConfiguration(
            region: region, credentialSource: .keys(keys, origin: "test"),
            endpoint: endpoint.flatMap(URL.init(string:)),
            retryPolicy: AWSRetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.01, maxDelay: 0.05))
    }

    static func client(
        _ transport: ScriptedTransport, configuration: AWSConfiguration = configuration(),
        credentials: (any AWSCredentialsProvider)? = nil, sleeps: RecordedSleeps = RecordedSleeps()
    ) -> AWSClient {
        AWSClient(
            configuration: configuration, transport: transport, credentialsProvider: credentials,
            random: { 0.5 }, sleep: { sleeps.record($0) })
    }

    static let createRuntime = AWSRequest(
        service: .agentCoreControl, operation: "CreateAgentRuntime", method: "PUT", path: "/runtimes/",
        headers: ["Content-Type": "application/json"],
        body: .data(Data(#"{"agentRuntimeName":"pr_1","clientToken":"token-0123456789-0123456789-0123456789"}"#.utf8)))

    /// A fresh scratch directory; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
