import Foundation

/// What became of a pull-request runtime.
public enum PRRuntimeRemoval: String, Sendable, Equatable, Codable {
    case deleted
    case alreadyGone = "already gone"
}

/// A pull-request runtime and what became of it.
public struct RemovedPRRuntime: Sendable, Equatable {
    public var runtime: PRRuntimeReference
    public var removal: PRRuntimeRemoval
}

/// The runtime was about to be deleted but is not (any more) this repository's `pr_<n>`.
public struct PRRuntimeNotOursError: Error, Equatable, Sendable, CustomStringConvertible {
    public var runtimeID: String
    public var pullRequest: Int
    public var repository: String

    public var description: String {
        "refusing to delete \(runtimeID): it is not tagged as the runtime of PR \(pullRequest) of \(repository) — "
            + "delete it by hand with `agentcore cleanup \(runtimeID)` if it really is unused"
    }
}

/// Deletes a pull request's runtime: its named endpoints first, then the runtime, waiting for each.
/// The ownership check runs again right before deleting, so nothing but this repository's
/// `pr_<n>` is ever deleted unasked. Gone already (a rerun, a race, a sweep) is success.
struct PRRuntimeRemover: Sendable {
    let agentCore: any AgentCoreControlClient
    let waiter: AgentCoreWaiter
    let repository: String
    let log: @Sendable (String) -> Void

    func remove(runtimeID: String, pullRequest number: Int) async throws -> PRRuntimeRemoval {
        do {
            let runtime = try await agentCore.getAgentRuntime(id: runtimeID)
            guard RuntimeOwnership.deletablePullRequest(
                name: runtime.agentRuntimeName, description: runtime.description, repository: repository) == number
            else {
                throw PRRuntimeNotOursError(runtimeID: runtimeID, pullRequest: number, repository: repository)
            }
            if runtime.status != .deleting {
                try await deleteNamedEndpoints(of: runtimeID)
                log("Deleting runtime \(runtime.agentRuntimeName) (\(runtimeID))")
                _ = try await agentCore.deleteAgentRuntime(
                    id: runtimeID, clientToken: PromotionClientToken.make("DeleteAgentRuntime", runtimeID))
            }
            try await waiter.runtimeDeleted(id: runtimeID)
            return .deleted
        } catch let error as AWSError where error.isNotFound {
            return .alreadyGone
        }
    }

    /// DEFAULT goes with the runtime; the others must go first.
    private func deleteNamedEndpoints(of runtimeID: String) async throws {
        let named = try await agentCore.allAgentRuntimeEndpoints(runtimeId: runtimeID).filter { !$0.isDefault }
        for endpoint in named {
            log("Deleting endpoint \(endpoint.name) of \(runtimeID)")
            do {
                if endpoint.status != .deleting {
                    _ = try await agentCore.deleteAgentRuntimeEndpoint(
                        runtimeId: runtimeID, name: endpoint.name,
                        clientToken: PromotionClientToken.make("DeleteAgentRuntimeEndpoint", runtimeID, endpoint.name))
                }
                try await waiter.endpointDeleted(runtimeId: runtimeID, name: endpoint.name)
            } catch let error as AWSError where error.isNotFound {
                continue
            }
        }
    }
}
