import Foundation
@testable import AgentCoreGitOps

/// An AgentCore that passes every call on to `wrapped`, running a hook first where one is set:
/// what someone else does between a flow's calls (an endpoint moving, a runtime being deleted).
struct InterceptingAgentCore: AgentCoreControlClient {
    let wrapped: any AgentCoreControlClient
    /// Runs before each `DeleteAgentRuntime` of one version, with the runtime id and version.
    var beforeDeletingVersion: @Sendable (_ id: String, _ version: String) async throws -> Void = { _, _ in }
    /// Runs before each page of `ListAgentRuntimeVersions`, with the runtime id.
    var beforeListingVersions: @Sendable (_ id: String) async throws -> Void = { _ in }
    /// Runs before each `DeleteAgentRuntime` of a whole runtime, with its id.
    var beforeDeletingRuntime: @Sendable (_ id: String) async throws -> Void = { _ in }

    func deleteAgentRuntimeVersion(id: String, version: String, clientToken: String) async throws -> AgentCoreDeletion {
        try await beforeDeletingVersion(id, version)
        return try await wrapped.deleteAgentRuntimeVersion(id: id, version: version, clientToken: clientToken)
    }
    func listAgentRuntimeVersions(id: String, maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeSummary> {
        try await beforeListingVersions(id)
        return try await wrapped.listAgentRuntimeVersions(id: id, maxResults: maxResults, nextToken: nextToken)
    }

    func createAgentRuntime(_ request: CreateAgentRuntimeRequest) async throws -> AgentRuntimeChange { try await wrapped.createAgentRuntime(request) }
    func updateAgentRuntime(_ request: UpdateAgentRuntimeRequest) async throws -> AgentRuntimeChange { try await wrapped.updateAgentRuntime(request) }
    func getAgentRuntime(id: String, version: String?) async throws -> AgentRuntime { try await wrapped.getAgentRuntime(id: id, version: version) }
    func deleteAgentRuntime(id: String, clientToken: String) async throws -> AgentCoreDeletion {
        try await beforeDeletingRuntime(id)
        return try await wrapped.deleteAgentRuntime(id: id, clientToken: clientToken)
    }
    func listAgentRuntimes(maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeSummary> {
        try await wrapped.listAgentRuntimes(maxResults: maxResults, nextToken: nextToken)
    }
    func createAgentRuntimeEndpoint(_ request: CreateAgentRuntimeEndpointRequest) async throws -> AgentRuntimeEndpointChange {
        try await wrapped.createAgentRuntimeEndpoint(request)
    }
    func getAgentRuntimeEndpoint(runtimeId: String, name: String) async throws -> AgentRuntimeEndpoint {
        try await wrapped.getAgentRuntimeEndpoint(runtimeId: runtimeId, name: name)
    }
    func updateAgentRuntimeEndpoint(_ request: UpdateAgentRuntimeEndpointRequest) async throws -> AgentRuntimeEndpointChange {
        try await wrapped.updateAgentRuntimeEndpoint(request)
    }
    func deleteAgentRuntimeEndpoint(runtimeId: String, name: String, clientToken: String) async throws -> AgentCoreDeletion {
        try await wrapped.deleteAgentRuntimeEndpoint(runtimeId: runtimeId, name: name, clientToken: clientToken)
    }
    func listAgentRuntimeEndpoints(runtimeId: String, maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeEndpoint> {
        try await wrapped.listAgentRuntimeEndpoints(runtimeId: runtimeId, maxResults: maxResults, nextToken: nextToken)
    }
}
