import Foundation

/// Finds the runtime a flow works on, and makes sure it is ours before anything changes it:
/// named as expected, with the ownership tag of this repository and role in its description.
public struct RuntimeLookup: Sendable {
    public let agentCore: any AgentCoreControlClient
    /// This repository, whose tags count as ours.
    public let identity: OwningRepository

    /// `owner/name` of this repository.
    public var repository: String { identity.name }

    public init(agentCore: any AgentCoreControlClient, identity: OwningRepository) {
        self.agentCore = agentCore
        self.identity = identity
    }

    /// The context's control plane, for the context's repository.
    public init(context: FlowContext) {
        self.init(agentCore: context.agentCore, identity: context.owningRepository)
    }

    /// Whether `runtime` is the one named `name` that this repository created for `role`.
    public func isOurs(_ runtime: AgentRuntime, name: String, role: RuntimeOwnership.Role) async throws -> Bool {
        guard runtime.agentRuntimeName == name,
              let tag = RuntimeOwnership.owner(fromDescription: runtime.description), tag.role == role
        else { return false }
        return try await identity.owns(tag)
    }

    /// The runtime a trusted marker names, when it still exists and is still ours; nil for a
    /// stale marker (deleted runtime, or an id that now names something else).
    public func runtime(markedID id: String, name: String, role: RuntimeOwnership.Role) async throws -> AgentRuntime? {
        guard MarkerValue.runtimeName(ofRuntimeID: id) == name else { return nil }
        do {
            let runtime = try await agentCore.getAgentRuntime(id: id)
            return try await isOurs(runtime, name: name, role: role) ? runtime : nil
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
    }

    /// The runtime called `name` whoever made it, or nil when there is none.
    public func anyRuntime(named name: String) async throws -> AgentRuntime? {
        guard let summary = try await agentCore.findRuntime(named: name) else { return nil }
        do {
            return try await agentCore.getAgentRuntime(id: summary.agentRuntimeId)
        } catch let error as AWSError where error.isNotFound {
            return nil  // deleted since it was listed
        }
    }

    /// The runtime called `name`, or nil when there is none. One with that name that this
    /// repository did not create for `role` is refused: it is someone else's.
    public func runtime(named name: String, role: RuntimeOwnership.Role) async throws -> AgentRuntime? {
        guard let runtime = try await anyRuntime(named: name) else { return nil }
        guard try await isOurs(runtime, name: name, role: role) else {
            let tag = try await identity.description(nil, role: role)
            throw ActionableError(
                "runtime \(name) (\(runtime.agentRuntimeId)) exists but was not created by agentcore-gitops for "
                    + "\(repository): its description does not end in \(tag)",
                fix: role == .production
                    ? "set AGENTCORE_PROD_RUNTIME to a name of its own, or delete that runtime by hand if it is not needed"
                    : "delete that runtime by hand if it is not needed; "
                        + "another repository deploying into this account may own it")
        }
        return runtime
    }

    /// The marked runtime when the marker is good, else the one found by name.
    public func runtime(markedID: String?, name: String, role: RuntimeOwnership.Role) async throws -> AgentRuntime? {
        if let markedID, let runtime = try await runtime(markedID: markedID, name: name, role: role) {
            return runtime
        }
        return try await runtime(named: name, role: role)
    }
}
