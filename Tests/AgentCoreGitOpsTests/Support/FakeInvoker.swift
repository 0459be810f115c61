import Foundation
@testable import AgentCoreGitOps

/// The data plane in memory: answers every invocation with what the test says (`answer`, which
/// a test may change between runs), and keeps the invocations.
final class FakeInvoker: AgentInvoking, @unchecked Sendable {
    typealias Answer = @Sendable (AgentInvocation) async throws -> AgentAnswer

    private let lock = NSLock()
    private var received: [AgentInvocation] = []
    private var answering: Answer

    init(_ answer: @escaping Answer) { answering = answer }

    var invocations: [AgentInvocation] { lock.withLock { received } }

    /// What the next invocations get.
    func answer(with answer: @escaping Answer) { lock.withLock { answering = answer } }

    func invoke(_ invocation: AgentInvocation) async throws -> AgentAnswer {
        let answer = lock.withLock {
            received.append(invocation)
            return answering
        }
        return try await answer(invocation)
    }

    static func answer(_ body: String, contentType: String = "application/json") -> AgentAnswer {
        AgentAnswer(contentType: contentType, sessionID: "session", body: AsyncThrowingStream { continuation in
            continuation.yield(Data(body.utf8))
            continuation.finish()
        })
    }

    /// What InvokeAgentRuntime throws when the agent's handler raised (AgentCore's 424).
    static func agentFailed(_ invocation: AgentInvocation) -> AgentInvocationError {
        AgentInvocationError(
            kind: .agentFailed, invocation, problem: "the agent failed: RuntimeClientError (HTTP 424)",
            fix: "look at its logs in CloudWatch")
    }
}
