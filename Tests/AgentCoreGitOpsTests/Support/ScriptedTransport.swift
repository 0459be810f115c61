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
