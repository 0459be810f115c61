import Foundation
import Testing
@testable import AgentCoreGitOps

/// The endpoint mover over a scripted AgentCore: the paths the sandbox cannot force on demand
/// (a ConflictException between looking and changing).
@Suite struct ProdEndpointMoverTests {
    static let quick = WaitPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(5), timeout: .seconds(10))

    @Test func waitsForARunningDeploymentAndRetriesAConflictWithTheSameToken() async throws {
        let runtimeStates = Script([
            AgentCoreSamples.runtime(id: "prod-AbCdEfGhIj", name: "prod", version: "3", status: "UPDATING"),
            AgentCoreSamples.runtime(id: "prod-AbCdEfGhIj", name: "prod", version: "3"),
        ])
        let endpointStates = Script([
            AgentCoreSamples.endpoint(name: "prod", live: "1", target: "1"),
            AgentCoreSamples.endpoint(name: "prod", live: "1", target: "1"),
            AgentCoreSamples.endpoint(name: "prod", status: "UPDATING", live: "1", target: "2"),
            AgentCoreSamples.endpoint(name: "prod", live: "2", target: "2"),
        ])
        let updates = Script([true, false])  // the first update meets a busy runtime
        let transport = FakeAWSTransport { request in
            switch request.operation {
            case "GetAgentRuntime":
                return FakeAWSTransport.json(runtimeStates.next())
            case "GetAgentRuntimeEndpoint":
                return FakeAWSTransport.json(endpointStates.next())
            case "UpdateAgentRuntimeEndpoint":
                if updates.next() {
                    throw AWSError(code: "ConflictException", message: "runtime is updating", httpStatus: 409, operation: request.operation)
                }
                return FakeAWSTransport.json(AgentCoreSamples.endpoint(name: "prod", status: "UPDATING", live: "1", target: "2"), status: 202)
            default:
                throw FakeAWSTransport.notFound(request.operation)
            }
        }
        let control = AgentCoreControl(transport: transport)
        let lines = Recorder<String>()
        let mover = ProdEndpointMover(
            agentCore: control, waiter: AgentCoreWaiter(client: control, policy: Self.quick, clock: TestClock()), endpointName: "prod",
            log: { lines.append($0) })

        let move = try await mover.move(runtimeID: "prod-AbCdEfGhIj", to: "2")
        #expect(move == EndpointMove(runtimeID: "prod-AbCdEfGhIj", endpointName: "prod", fromVersion: "1", toVersion: "2", changed: true))
        let sent = transport.requests.filter { $0.operation == "UpdateAgentRuntimeEndpoint" }
        #expect(sent.count == 2)
        // Same endpoint state seen both times, so the retry is the same request: one change at most.
        let tokens = sent.compactMap { $0.jsonBody?["clientToken"] as? String }
        #expect(tokens.count == 2 && Set(tokens).count == 1 && tokens[0].count == 64)
        #expect(sent.allSatisfy { $0.jsonBody?["agentRuntimeVersion"] as? String == "2" })
        #expect(lines.values.contains { $0.contains("a deployment is running") })
        #expect(lines.values.contains { $0.contains("busy") })
    }

    @Test func anEndpointAlreadyThereIsLeftAlone() async throws {
        let transport = FakeAWSTransport { request in
            switch request.operation {
            case "GetAgentRuntime": return FakeAWSTransport.json(AgentCoreSamples.runtime(id: "prod-AbCdEfGhIj", name: "prod"))
            case "GetAgentRuntimeEndpoint": return FakeAWSTransport.json(AgentCoreSamples.endpoint(name: "prod", live: "4", target: "4"))
            default: throw FakeAWSTransport.notFound(request.operation)
            }
        }
        let control = AgentCoreControl(transport: transport)
        let mover = ProdEndpointMover(
            agentCore: control, waiter: AgentCoreWaiter(client: control, policy: Self.quick, clock: TestClock()), endpointName: "prod", log: { _ in })
        let move = try await mover.move(runtimeID: "prod-AbCdEfGhIj", to: "4")
        #expect(move.changed == false && move.fromVersion == "4")
        #expect(transport.requests.allSatisfy { $0.method == "GET" })
    }
}
