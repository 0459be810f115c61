import Foundation

/// The AgentCore control plane over any `AWSRequestSending` transport (rest-json).
///
/// Methods and paths follow the service model; every path ends in a slash. Names, ids and
/// versions are checked against the model's patterns before anything is sent, which also means
/// every path segment is plain ASCII that needs no escaping beyond what the transport does.
public struct AgentCoreControl: AgentCoreControlClient {
    private let transport: any AWSRequestSending

    public init(transport: any AWSRequestSending) {
        self.transport = transport
    }

    // MARK: Runtimes

    public func createAgentRuntime(_ request: CreateAgentRuntimeRequest) async throws -> AgentRuntimeChange {
        try AgentCoreValidation.checkName(request.agentRuntimeName)
        return try await call("CreateAgentRuntime", "PUT", "/runtimes/", body: request)
    }

    public func updateAgentRuntime(_ request: UpdateAgentRuntimeRequest) async throws -> AgentRuntimeChange {
        try await call("UpdateAgentRuntime", "PUT", try runtimePath(request.agentRuntimeId), body: request)
    }

    public func getAgentRuntime(id: String, version: String?) async throws -> AgentRuntime {
        var query: [URLQueryItem] = []
        if let version {
            try AgentCoreValidation.checkVersion(version)
            query.append(URLQueryItem(name: "version", value: version))
        }
        let answer = try await send("GetAgentRuntime", "GET", try runtimePath(id), query: query)
        var runtime: AgentRuntime = try decode("GetAgentRuntime", answer)
        let unmanaged = AgentRuntime.unmanagedSettings(inAnswer: answer.body)
        runtime.unmanagedSettings = unmanaged.isEmpty ? nil : unmanaged
        return runtime
    }

    public func deleteAgentRuntime(id: String, clientToken: String) async throws -> AgentCoreDeletion {
        try await call(
            "DeleteAgentRuntime", "DELETE", try runtimePath(id),
            query: [URLQueryItem(name: "clientToken", value: clientToken)])
    }

    public func deleteAgentRuntimeVersion(id: String, version: String, clientToken: String) async throws -> AgentCoreDeletion {
        try AgentCoreValidation.checkVersion(version)
        return try await call(
            "DeleteAgentRuntime", "DELETE", try runtimePath(id),
            query: [URLQueryItem(name: "clientToken", value: clientToken), URLQueryItem(name: "version", value: version)])
    }

    public func listAgentRuntimes(maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeSummary> {
        try await list(RuntimeListPage.self, "ListAgentRuntimes", "/runtimes/", maxResults, nextToken)
    }

    public func listAgentRuntimeVersions(
        id: String, maxResults: Int?, nextToken: String?
    ) async throws -> AgentCorePage<AgentRuntimeSummary> {
        try await list(RuntimeListPage.self, "ListAgentRuntimeVersions", try runtimePath(id) + "versions/", maxResults, nextToken)
    }

    // MARK: Endpoints

    public func createAgentRuntimeEndpoint(
        _ request: CreateAgentRuntimeEndpointRequest
    ) async throws -> AgentRuntimeEndpointChange {
        try AgentCoreValidation.checkName(request.name, kind: "endpoint name")
        if let version = request.agentRuntimeVersion { try AgentCoreValidation.checkVersion(version) }
        return try await call(
            "CreateAgentRuntimeEndpoint", "PUT", try runtimePath(request.agentRuntimeId) + "runtime-endpoints/",
            body: request)
    }

    public func getAgentRuntimeEndpoint(runtimeId: String, name: String) async throws -> AgentRuntimeEndpoint {
        try await call("GetAgentRuntimeEndpoint", "GET", try endpointPath(runtimeId, name))
    }

    public func updateAgentRuntimeEndpoint(
        _ request: UpdateAgentRuntimeEndpointRequest
    ) async throws -> AgentRuntimeEndpointChange {
        if let version = request.agentRuntimeVersion { try AgentCoreValidation.checkVersion(version) }
        return try await call(
            "UpdateAgentRuntimeEndpoint", "PUT", try endpointPath(request.agentRuntimeId, request.endpointName),
            body: request)
    }

    public func deleteAgentRuntimeEndpoint(
        runtimeId: String, name: String, clientToken: String
    ) async throws -> AgentCoreDeletion {
        try await call(
            "DeleteAgentRuntimeEndpoint", "DELETE", try endpointPath(runtimeId, name),
            query: [URLQueryItem(name: "clientToken", value: clientToken)])
    }

    public func listAgentRuntimeEndpoints(
        runtimeId: String, maxResults: Int?, nextToken: String?
    ) async throws -> AgentCorePage<AgentRuntimeEndpoint> {
        try await list(
            EndpointListPage.self, "ListAgentRuntimeEndpoints", try runtimePath(runtimeId) + "runtime-endpoints/",
            maxResults, nextToken)
    }

    // MARK: Building requests

    private func runtimePath(_ id: String) throws -> String {
        try AgentCoreValidation.checkRuntimeID(id)
        return "/runtimes/\(id)/"
    }

    private func endpointPath(_ runtimeId: String, _ name: String) throws -> String {
        try AgentCoreValidation.checkName(name, kind: "endpoint name")
        return try runtimePath(runtimeId) + "runtime-endpoints/\(name)/"
    }

    /// The list calls are POSTs with paging in the query and an empty JSON body.
    private func list<Page: ListPage>(
        _ page: Page.Type, _ operation: String, _ path: String, _ maxResults: Int?, _ nextToken: String?
    ) async throws -> AgentCorePage<Page.Item> {
        var query: [URLQueryItem] = []
        if let maxResults { query.append(URLQueryItem(name: "maxResults", value: String(min(max(maxResults, 1), 100)))) }
        if let nextToken { query.append(URLQueryItem(name: "nextToken", value: nextToken)) }
        let answer: Page = try await call(operation, "POST", path, query: query, body: EmptyBody())
        // Some services end with an empty token rather than none.
        return AgentCorePage(items: answer.items, nextToken: answer.nextToken.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Builds the request once, so the transport's retries resend the same body and client token.
    private func call<Output: Decodable>(
        _ operation: String, _ method: String, _ path: String,
        query: [URLQueryItem] = [], body: (any Encodable)? = nil
    ) async throws -> Output {
        try decode(operation, try await send(operation, method, path, query: query, body: body))
    }

    private func send(
        _ operation: String, _ method: String, _ path: String,
        query: [URLQueryItem] = [], body: (any Encodable)? = nil
    ) async throws -> AWSResponse {
        var headers: [String: String] = [:]
        var payload = AWSBody.empty
        if let body {
            payload = .data(try AgentCoreJSON.encoder.encode(body))
            headers["Content-Type"] = "application/json"
        }
        let request = AWSRequest(
            service: .agentCoreControl, operation: operation, method: method, path: path,
            query: query, headers: headers, body: payload)
        return try await transport.send(request)
    }

    private func decode<Output: Decodable>(_ operation: String, _ response: AWSResponse) throws -> Output {
        do {
            return try AgentCoreJSON.decoder.decode(Output.self, from: response.body)
        } catch {
            throw AgentCoreControlError.unreadableResponse(operation: operation, detail: String(describing: error))
        }
    }
}

/// rest-json sends `{}` for an operation with nothing in the body.
private struct EmptyBody: Encodable {}

private protocol ListPage: Decodable {
    associatedtype Item: Sendable
    var items: [Item] { get }
    var nextToken: String? { get }
}

private struct RuntimeListPage: ListPage {
    var agentRuntimes: [AgentRuntimeSummary]
    var nextToken: String?
    var items: [AgentRuntimeSummary] { agentRuntimes }
}

private struct EndpointListPage: ListPage {
    var runtimeEndpoints: [AgentRuntimeEndpoint]
    var nextToken: String?
    var items: [AgentRuntimeEndpoint] { runtimeEndpoints }
}
