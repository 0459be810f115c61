import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct AgentCoreControlWaiterTests {
    typealias Samples = AgentCoreSamples
    let id = AgentCoreSamples.runtimeId
    static let quick = WaitPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(4), timeout: .seconds(60))

    /// Polls on a test clock: the waits between them take no time.
    func waiter(_ transport: FakeAWSTransport, policy: WaitPolicy = quick, clock: TestClock = TestClock()) -> AgentCoreWaiter {
        AgentCoreWaiter(client: AgentCoreControl(transport: transport), policy: policy, clock: clock)
    }

    @Test func backoffDoublesUpToItsCap() {
        let policy = WaitPolicy(initialDelay: .milliseconds(500), maxDelay: .seconds(5), multiplier: 2)
        #expect((0..<7).map { policy.delay(afterAttempt: $0) } == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5), .seconds(5)])
    }

    @Test func runtimeReadyPollsThroughCreatingAndUpdating() async throws {
        let states = Script(["CREATING", "CREATING", "UPDATING", "READY"])
        let transport = FakeAWSTransport { _ in FakeAWSTransport.json(Samples.runtime(version: "2", status: states.next())) }
        let heard = Recorder<String>()
        var waiter = waiter(transport)
        waiter.onStatusChange = { heard.append($0) }
        let runtime = try await waiter.runtimeReady(id: id, version: "2")
        #expect(runtime.status == .ready)
        #expect(heard.values == ["CREATING", "UPDATING"])
        #expect(transport.requests.count == 4)
        #expect(transport.requests.allSatisfy { $0.operation == "GetAgentRuntime" && $0.queryValue("version") == "2" })
    }

    @Test(arguments: ["CREATE_FAILED", "UPDATE_FAILED"])
    func aFailedRuntimeStopsTheWaitAtOnceWithItsReason(_ status: String) async throws {
        let states = Script(["UPDATING", status])
        let transport = FakeAWSTransport { _ in
            FakeAWSTransport.json(Samples.runtime(status: states.next(), failureReason: "entry point agent.py not found in zip"))
        }
        do {
            try await waiter(transport).runtimeReady(id: id)
            Issue.record("the wait succeeded")
        } catch let error as WaiterError {
            #expect(error.kind == .failed(reason: "entry point agent.py not found in zip"))
            #expect(error.lastStatus == status)
            #expect(error.description.contains("because: entry point agent.py not found in zip"))
            #expect(error.description.contains("runtime \(id) to become READY"))
        }
        #expect(transport.requests.count == 2)
    }

    @Test func aWaitThatOutlivesItsDeadlineSaysWhatItWaitedForAndTheLastStatus() async throws {
        let transport = FakeAWSTransport { _ in FakeAWSTransport.json(Samples.runtime(status: "UPDATING")) }
        let policy = WaitPolicy(initialDelay: .milliseconds(5), maxDelay: .milliseconds(20), timeout: .milliseconds(100))
        let clock = TestClock()
        do {
            try await waiter(transport, policy: policy, clock: clock).runtimeReady(id: id, version: "3")
            Issue.record("the wait succeeded")
        } catch let error as WaiterError {
            #expect(error.kind == .timedOut(after: .milliseconds(100)))
            #expect(error.lastStatus == "UPDATING")
            #expect(error.description.contains("timed out after 0.1s waiting for runtime \(id) version 3 to become READY"))
            #expect(error.description.contains("last status UPDATING"))
        }
        #expect(clock.elapsed >= .milliseconds(100))
        // Backoff (5, 10, 20, 20... ms) keeps it well under one poll per initial delay (20); the
        // last wait is cut to the deadline, where one more poll still counts.
        #expect(!transport.requests.isEmpty && transport.requests.count < 15)
        #expect(clock.sleeps == [5, 10, 20, 20, 20, 20, 5].map { .milliseconds($0) })
        #expect(transport.requests.count == 8)
    }

    @Test func endpointReadyWaitsForTheLiveVersionNotJustTheStatus() async throws {
        let states = Script([
            Samples.endpoint(status: "UPDATING", live: "1", target: "2"),
            Samples.endpoint(status: "READY", live: "1", target: "2"),
            Samples.endpoint(status: "READY", live: "2", target: "2"),
        ])
        let transport = FakeAWSTransport { _ in FakeAWSTransport.json(states.next()) }
        let endpoint = try await waiter(transport).endpointReady(runtimeId: id, name: "live", version: "2")
        #expect(endpoint.liveVersion == "2")
        #expect(transport.requests.count == 3)
    }

    @Test func endpointFailuresAndRetargetsEndTheWait() async throws {
        let failed = FakeAWSTransport { _ in
            FakeAWSTransport.json(Samples.endpoint(status: "UPDATE_FAILED", live: "1", target: "2", failureReason: "version 2 failed health checks"))
        }
        await #expect(throws: WaiterError(
            kind: .failed(reason: "version 2 failed health checks"),
            waitedFor: "endpoint live of runtime \(id) to serve version 2",
            lastStatus: "UPDATE_FAILED (live 1, target 2)")) {
            try await waiter(failed).endpointReady(runtimeId: id, name: "live", version: "2")
        }

        let retargeted = FakeAWSTransport { _ in FakeAWSTransport.json(Samples.endpoint(status: "READY", live: "3", target: "3")) }
        await #expect(throws: WaiterError.self) {
            try await waiter(retargeted).endpointReady(runtimeId: id, name: "live", version: "2")
        }
        #expect(retargeted.requests.count == 1)
    }

    @Test func deletionWaitsEndOnNotFound() async throws {
        let runtimeStates = Script([false, false, true])
        let runtimes = FakeAWSTransport { request in
            if runtimeStates.next() { throw FakeAWSTransport.notFound(request.operation) }
            return FakeAWSTransport.json(Samples.runtime(status: "DELETING"))
        }
        try await waiter(runtimes).runtimeDeleted(id: id)
        #expect(runtimes.requests.count == 3)

        let endpointStates = Script([false, true])
        let endpoints = FakeAWSTransport { request in
            if endpointStates.next() { throw FakeAWSTransport.notFound(request.operation) }
            return FakeAWSTransport.json(Samples.endpoint(status: "DELETING"))
        }
        try await waiter(endpoints).endpointDeleted(runtimeId: id, name: "live")
        #expect(endpoints.requests.map(\.path) == Array(repeating: "/runtimes/\(id)/runtime-endpoints/live/", count: 2))
    }

    @Test func otherErrorsWhileWaitingAreNotMistakenForDeletion() async throws {
        let transport = FakeAWSTransport { request in
            throw AWSError(code: "AccessDeniedException", message: "no", httpStatus: 403, operation: request.operation)
        }
        await #expect(throws: AWSError.self) { try await waiter(transport).runtimeDeleted(id: id) }
    }

    @Test func aDeletionThatNeverEndsTimesOutOnTheClockItWasGiven() async throws {
        let transport = FakeAWSTransport { _ in FakeAWSTransport.json(Samples.endpoint(status: "DELETING")) }
        let clock = TestClock()
        let policy = WaitPolicy(initialDelay: .seconds(1), maxDelay: .seconds(10), timeout: .seconds(60))
        await #expect { try await waiter(transport, policy: policy, clock: clock).endpointDeleted(runtimeId: id, name: "live") }
            throws: { ($0 as? WaiterError)?.kind == .timedOut(after: .seconds(60)) }
        #expect(clock.elapsed == .seconds(60))
        #expect(clock.sleeps == [1, 2, 4, 8, 10, 10, 10, 10, 5].map { .seconds($0) })
    }
}
