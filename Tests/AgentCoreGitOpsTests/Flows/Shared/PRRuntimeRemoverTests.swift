import Foundation
import Testing
@testable import AgentCoreGitOps

/// The pull-request runtime remover over a scripted AgentCore that, like AWS, refuses
/// DeleteAgentRuntime (ConflictException) while a version is being made: the sandbox deletes
/// busy runtimes, so this path is forced here.
@Suite struct PRRuntimeRemoverTests {
    // The timeout only ends a broken test: the whole suite shares two cores with others.
    static let quick = WaitPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(5), timeout: .seconds(120))

    @Test func waitsForAVersionStillBeingMadeBeforeDeleting() async throws {
        let agentCore = BusyRuntime(busyLooks: 3)
        let lines = Recorder<String>()
        let removal = try await agentCore.remover(log: { lines.append($0) }).remove(runtimeID: BusyRuntime.id, pullRequest: 42)

        #expect(removal == .deleted)
        #expect(agentCore.deleteAnswers == [202], "deleted once, after the update finished")
        #expect(lines.values.contains { $0.contains("is UPDATING; waiting for it to settle before deleting it") })
    }

    @Test func aChangeThatStartsBetweenLookingAndDeletingIsWaitedOutWithTheSameToken() async throws {
        // Settled at the first look; busy when the delete arrives; settled again after two looks.
        let agentCore = BusyRuntime(busyLooks: 0, busyFromDelete: 2)
        let removal = try await agentCore.remover(log: { _ in }).remove(runtimeID: BusyRuntime.id, pullRequest: 42)

        #expect(removal == .deleted)
        #expect(agentCore.deleteAnswers == [409, 202])
        let tokens = agentCore.transport.requests.filter { $0.operation == "DeleteAgentRuntime" }.compactMap { $0.queryValue("clientToken") }
        #expect(tokens.count == 2 && Set(tokens).count == 1)
    }
}

/// One pull-request runtime, UPDATING for a number of looks, that refuses deletion while busy
/// and is gone once deleted.
private final class BusyRuntime: @unchecked Sendable {
    static let id = "pr_42-AbCdEfGhIj"

    private let lock = NSLock()
    private var busyLooks: Int
    private var busyFromDelete: Int
    private var deleted = false
    private var answers: [Int] = []
    private(set) var transport: FakeAWSTransport!

    /// `busyLooks`: GetAgentRuntime answers UPDATING that many times. `busyFromDelete`: the first
    /// delete meets an update that lasts that many more looks.
    init(busyLooks: Int, busyFromDelete: Int = 0) {
        self.busyLooks = busyLooks
        self.busyFromDelete = busyFromDelete
        transport = FakeAWSTransport { [unowned self] request in try self.answer(request) }
    }

    var deleteAnswers: [Int] { lock.withLock { answers } }

    func remover(log: @escaping @Sendable (String) -> Void) -> PRRuntimeRemover {
        let control = AgentCoreControl(transport: transport)
        return PRRuntimeRemover(
            agentCore: control, waiter: AgentCoreWaiter(client: control, policy: PRRuntimeRemoverTests.quick, clock: TestClock()),
            identity: OwningRepository(name: "octo/agent", id: nil, github: nil), log: log)
    }

    private func answer(_ request: AWSRequest) throws -> AWSResponse {
        try lock.withLock {
            switch request.operation {
            case "GetAgentRuntime":
                guard !deleted else { throw FakeAWSTransport.notFound(request.operation) }
                let busy = busyLooks > 0
                busyLooks = max(0, busyLooks - 1)
                var runtime = AgentCoreSamples.runtime(id: Self.id, name: "pr_42", version: "2", status: busy ? "UPDATING" : "READY")
                runtime["description"] = "Sample agent [agentcore-gitops octo/agent pr 42]"
                return FakeAWSTransport.json(runtime)
            case "ListAgentRuntimeEndpoints":
                return FakeAWSTransport.json(["runtimeEndpoints": [AgentCoreSamples.endpoint(name: "DEFAULT", live: "2", target: "2")]])
            case "DeleteAgentRuntime":
                if busyFromDelete > 0 {
                    busyLooks = busyFromDelete
                    busyFromDelete = 0
                }
                guard busyLooks == 0 else {
                    answers.append(409)
                    throw AWSError(code: "ConflictException", message: "runtime is UPDATING", httpStatus: 409, operation: request.operation)
                }
                answers.append(202)
                deleted = true
                return FakeAWSTransport.json(["agentRuntimeId": Self.id, "status": "DELETING"], status: 202)
            default:
                throw FakeAWSTransport.notFound(request.operation)
            }
        }
    }
}
