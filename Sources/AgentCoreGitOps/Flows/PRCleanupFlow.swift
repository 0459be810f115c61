import Foundation

/// Deletes a pull request's runtime `pr_<n>` with its custom endpoints, but only when
/// `RuntimeOwnership.deletablePullRequest` says it is this repository's runtime for that pull
/// request. A runtime already gone counts as deleted, so a rerun after a crash finishes the job.
public struct PRRuntimeCleanup: Sendable {
    public enum Outcome: Sendable, Equatable {
        case deleted(runtimeID: String, endpoints: [String])
        /// Not ours to delete: left alone.
        case refused(runtimeID: String)
    }

    public var agentCore: any AgentCoreControlClient
    public var waiter: AgentCoreWaiter
    public var repository: String
    public var log: @Sendable (String) -> Void

    public init(context: FlowContext) {
        agentCore = context.agentCore
        waiter = context.waiter
        repository = context.github.repository.description
        let reporter = context.reporter
        log = { reporter.info($0) }
    }

    public func delete(_ runtime: AgentRuntime, pullRequest number: Int) async throws -> Outcome {
        guard RuntimeOwnership.deletablePullRequest(
            name: runtime.agentRuntimeName, description: runtime.description, repository: repository) == number
        else {
            log("\(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) is not this repository's runtime for pull request #\(number); not deleting it")
            return .refused(runtimeID: runtime.agentRuntimeId)
        }
        let id = runtime.agentRuntimeId
        do {
            try await waitWhileChanging(runtime)
            let endpoints = try await deleteCustomEndpoints(of: id)
            if runtime.status != .deleting {
                _ = try await agentCore.deleteAgentRuntime(
                    id: id, clientToken: DeterministicClientToken.make("DeleteAgentRuntime", id))
            }
            log("deleting \(runtime.agentRuntimeName) (\(id))")
            try await waiter.runtimeDeleted(id: id)
            return .deleted(runtimeID: id, endpoints: endpoints)
        } catch let error as AWSError where error.isNotFound {
            return .deleted(runtimeID: id, endpoints: [])
        }
    }

    /// AWS refuses to delete a runtime in the middle of a change, so a version still being made
    /// (a deploy racing the close) is waited for; how it ends does not matter.
    private func waitWhileChanging(_ runtime: AgentRuntime) async throws {
        guard runtime.status == .creating || runtime.status == .updating else { return }
        do {
            try await waiter.runtimeReady(id: runtime.agentRuntimeId)
        } catch let error as WaiterError {
            guard case .failed = error.kind else { throw error }
        }
    }

    /// DEFAULT goes with the runtime; every other endpoint is deleted first and awaited.
    private func deleteCustomEndpoints(of id: String) async throws -> [String] {
        let named = try await agentCore.allAgentRuntimeEndpoints(runtimeId: id).filter { !$0.isDefault }
        for endpoint in named {
            log("deleting endpoint \(endpoint.name)")
            do {
                if endpoint.status != .deleting {
                    _ = try await agentCore.deleteAgentRuntimeEndpoint(
                        runtimeId: id, name: endpoint.name,
                        clientToken: DeterministicClientToken.make("DeleteAgentRuntimeEndpoint", id, endpoint.name))
                }
                try await waiter.endpointDeleted(runtimeId: id, name: endpoint.name)
            } catch let error as AWSError where error.isNotFound {
                continue
            }
        }
        return named.map(\.name).sorted()
    }
}
