import Foundation

/// The AgentCore control plane: runtimes, their versions and their endpoints.
/// `AgentCoreControl` is the real one; unit tests may fake it.
public protocol AgentCoreControlClient: Sendable {
    func createAgentRuntime(_ request: CreateAgentRuntimeRequest) async throws -> AgentRuntimeChange
    func updateAgentRuntime(_ request: UpdateAgentRuntimeRequest) async throws -> AgentRuntimeChange
    /// One version of a runtime, or its latest when `version` is nil.
    func getAgentRuntime(id: String, version: String?) async throws -> AgentRuntime
    func deleteAgentRuntime(id: String, clientToken: String) async throws -> AgentCoreDeletion
    /// Deletes one version of a runtime (DeleteAgentRuntime with `version`). AWS refuses the
    /// latest version and any version an endpoint serves or targets (ConflictException).
    func deleteAgentRuntimeVersion(id: String, version: String, clientToken: String) async throws -> AgentCoreDeletion
    func listAgentRuntimes(maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeSummary>
    func listAgentRuntimeVersions(
        id: String, maxResults: Int?, nextToken: String?
    ) async throws -> AgentCorePage<AgentRuntimeSummary>

    func createAgentRuntimeEndpoint(_ request: CreateAgentRuntimeEndpointRequest) async throws -> AgentRuntimeEndpointChange
    func getAgentRuntimeEndpoint(runtimeId: String, name: String) async throws -> AgentRuntimeEndpoint
    func updateAgentRuntimeEndpoint(_ request: UpdateAgentRuntimeEndpointRequest) async throws -> AgentRuntimeEndpointChange
    func deleteAgentRuntimeEndpoint(runtimeId: String, name: String, clientToken: String) async throws -> AgentCoreDeletion
    func listAgentRuntimeEndpoints(
        runtimeId: String, maxResults: Int?, nextToken: String?
    ) async throws -> AgentCorePage<AgentRuntimeEndpoint>
}

/// What the client itself found wrong, as opposed to an `AWSError` AWS returned.
public enum AgentCoreControlError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadableResponse(operation: String, detail: String)
    case repeatedPageToken(operation: String)
    case runtimeNameNotFound(String)
    case ambiguousRuntimeName(String, ids: [String])
    case versionNotFound(runtimeName: String, version: String, existing: [String])

    public var problem: String {
        switch self {
        case .unreadableResponse(let operation, let detail):
            "\(operation) answered with a body this client cannot read (\(detail))"
        case .repeatedPageToken(let operation):
            "\(operation) returned the same page token twice: the listing is not advancing"
        case .runtimeNameNotFound(let name):
            "no runtime is named '\(name)'"
        case .ambiguousRuntimeName(let name, let ids):
            "\(ids.count) runtimes are named '\(name)' (\(ids.joined(separator: ", ")))"
        case .versionNotFound(let name, let version, let existing):
            "runtime \(name) has no version \(version) (it has: \(existing.isEmpty ? "none" : existing.joined(separator: ", ")))"
        }
    }

    public var fix: String {
        switch self {
        case .unreadableResponse: "check AWS_ENDPOINT_URL points at the AgentCore control plane"
        case .repeatedPageToken: "try again later"
        case .runtimeNameNotFound: "check the name against the list of runtimes, or create the runtime first"
        case .ambiguousRuntimeName: "give the runtime id instead"
        case .versionNotFound: "pick one of its versions"
        }
    }

    public var description: String { ActionableError(problem, fix: fix).description }
}

extension AgentCoreControlClient {
    public func getAgentRuntime(id: String) async throws -> AgentRuntime {
        try await getAgentRuntime(id: id, version: nil)
    }

    public func deleteAgentRuntime(id: String) async throws -> AgentCoreDeletion {
        try await deleteAgentRuntime(id: id, clientToken: makeClientToken())
    }

    public func deleteAgentRuntimeEndpoint(runtimeId: String, name: String) async throws -> AgentCoreDeletion {
        try await deleteAgentRuntimeEndpoint(runtimeId: runtimeId, name: name, clientToken: makeClientToken())
    }

    // MARK: Every page

    /// The page size the "all" helpers ask for: the service's maximum, so few round trips.
    public static var largestPage: Int { 100 }

    public func allAgentRuntimes() async throws -> [AgentRuntimeSummary] {
        try await collectPages(operation: "ListAgentRuntimes") { token in
            try await listAgentRuntimes(maxResults: Self.largestPage, nextToken: token)
        }
    }

    /// Every version of a runtime, as the service orders them (newest first on AWS).
    public func allAgentRuntimeVersions(id: String) async throws -> [AgentRuntimeSummary] {
        try await collectPages(operation: "ListAgentRuntimeVersions") { token in
            try await listAgentRuntimeVersions(id: id, maxResults: Self.largestPage, nextToken: token)
        }
    }

    public func allAgentRuntimeEndpoints(runtimeId: String) async throws -> [AgentRuntimeEndpoint] {
        try await collectPages(operation: "ListAgentRuntimeEndpoints") { token in
            try await listAgentRuntimeEndpoints(runtimeId: runtimeId, maxResults: Self.largestPage, nextToken: token)
        }
    }

    private func collectPages<Item>(
        operation: String, _ fetch: (String?) async throws -> AgentCorePage<Item>
    ) async throws -> [Item] {
        var items: [Item] = []
        var token: String?
        var seenTokens: Set<String> = []
        repeat {
            let page = try await fetch(token)
            items += page.items
            token = page.nextToken
            // A service that hands back a token it already gave would otherwise loop forever.
            if let token, !seenTokens.insert(token).inserted {
                throw AgentCoreControlError.repeatedPageToken(operation: operation)
            }
        } while token != nil
        return items
    }

    // MARK: Finding runtimes

    /// The runtime with this name, or nil. AWS keeps names unique; should it ever hold two,
    /// this throws rather than guess which one the caller meant.
    public func findRuntime(named name: String) async throws -> AgentRuntimeSummary? {
        let matches = try await allAgentRuntimes().filter { $0.agentRuntimeName == name }
        guard matches.count <= 1 else {
            throw AgentCoreControlError.ambiguousRuntimeName(name, ids: matches.map(\.agentRuntimeId).sorted())
        }
        return matches.first
    }

    /// The latest version of the runtime a person named by id or by name.
    public func runtime(_ idOrName: String) async throws -> AgentRuntime {
        switch try AgentCoreValidation.runtimeReference(idOrName) {
        case .id(let id):
            return try await getAgentRuntime(id: id)
        case .name(let name):
            guard let summary = try await findRuntime(named: name) else {
                throw AgentCoreControlError.runtimeNameNotFound(name)
            }
            return try await getAgentRuntime(id: summary.agentRuntimeId)
        }
    }

    // MARK: Checking before changing

    /// Fails unless `version` is one of the runtime's versions. AWS checks this on some calls
    /// only, and emulators not at all, so callers check before pointing anything at a version.
    public func requireVersion(_ version: String, of runtime: AgentRuntime) async throws {
        let existing = try await allAgentRuntimeVersions(id: runtime.agentRuntimeId).map(\.agentRuntimeVersion)
        guard existing.contains(version) else {
            let sorted = existing.compactMap(Int.init).sorted().map(String.init)
            throw AgentCoreControlError.versionNotFound(
                runtimeName: runtime.agentRuntimeName, version: version, existing: sorted)
        }
    }

    /// The endpoint of that name, or nil when the runtime has none.
    public func findEndpoint(runtimeId: String, name: String) async throws -> AgentRuntimeEndpoint? {
        do {
            return try await getAgentRuntimeEndpoint(runtimeId: runtimeId, name: name)
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
    }
}
