import Foundation

/// Deletes a pull request's runtime: its named endpoints first, then the runtime, waiting for each.
/// The ownership check runs again right before deleting, so nothing but this repository's
/// `pr_<n>` is ever deleted unasked. Gone already (a rerun, a race, a sweep) is success.
struct PRRuntimeRemover: Sendable {
    let agentCore: any AgentCoreControlClient
    let waiter: AgentCoreWaiter
    let identity: OwningRepository
    let log: @Sendable (String) -> Void

    func remove(runtimeID: String, pullRequest number: Int) async throws -> PRRuntimeRemoval {
        do {
            let runtime = try await agentCore.getAgentRuntime(id: runtimeID)
            guard try await identity.deletablePullRequest(name: runtime.agentRuntimeName, description: runtime.description) == number
            else {
                throw PRRuntimeNotOursError(runtimeID: runtimeID, pullRequest: number, repository: identity.name)
            }
            if runtime.status != .deleting {
                try await deleteNamedEndpoints(of: runtimeID)
                try await deleteWhenSettled(runtime)
            }
            try await waiter.runtimeDeleted(id: runtimeID)
            return .deleted
        } catch let error as AWSError where error.isNotFound {
            return .alreadyGone
        }
    }

    /// AgentCore refuses to delete a runtime while a version is being made (ConflictException), as
    /// when the pull request's last push is still deploying: wait until it settles, well or not,
    /// and again if another change started in between.
    private func deleteWhenSettled(_ runtime: AgentRuntime) async throws {
        let runtimeID = runtime.agentRuntimeId
        var status = runtime.status
        for attempt in 1...Self.maxConflicts {
            if status == .creating || status == .updating {
                log("Runtime \(runtime.agentRuntimeName) is \(status); waiting for it to settle before deleting it")
                try await waiter.runtimeSettled(id: runtimeID)
            }
            log("Deleting runtime \(runtime.agentRuntimeName) (\(runtimeID))")
            do {
                _ = try await agentCore.deleteAgentRuntime(
                    id: runtimeID, clientToken: DeterministicClientToken.make("DeleteAgentRuntime", runtimeID))
                return
            } catch let error as AWSError where error.isConflict && attempt < Self.maxConflicts {
                log("AgentCore says runtime \(runtimeID) is busy (\(error.message)); waiting, then trying again")
                status = try await agentCore.getAgentRuntime(id: runtimeID).status
                if status == .deleting { return }
                if status != .creating && status != .updating {
                    try await waiter.pause(afterAttempt: attempt)
                }
            }
        }
    }

    static let maxConflicts = 5

    /// DEFAULT goes with the runtime; the others must go first.
    private func deleteNamedEndpoints(of runtimeID: String) async throws {
        let named = try await agentCore.allAgentRuntimeEndpoints(runtimeId: runtimeID).filter { !$0.isDefault }
        for endpoint in named {
            log("Deleting endpoint \(endpoint.name) of \(runtimeID)")
            do {
                if endpoint.status != .deleting {
                    _ = try await agentCore.deleteAgentRuntimeEndpoint(
                        runtimeId: runtimeID, name: endpoint.name,
                        clientToken: DeterministicClientToken.make("DeleteAgentRuntimeEndpoint", runtimeID, endpoint.name))
                }
                try await waiter.endpointDeleted(runtimeId: runtimeID, name: endpoint.name)
            } catch let error as AWSError where error.isNotFound {
                continue
            }
        }
    }
}

extension PRRuntimeRemover {
    /// For the flow's repository, logging to its reporter.
    init(context: FlowContext) {
        self.init(
            agentCore: context.agentCore, waiter: context.waiter, identity: context.owningRepository,
            log: context.reporter.info)
    }
}
