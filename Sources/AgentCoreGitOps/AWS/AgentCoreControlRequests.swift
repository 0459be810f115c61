import Foundation

// The inputs of the mutating calls. Each carries its `clientToken`, made once when the input is
// made: the transport's retries resend the same bytes, and a caller that keeps the input (or the
// token) can repeat the call after a crash and get the same result instead of a duplicate.

/// A fresh idempotency token: a UUID (36 characters) fits AWS's 33-256 character pattern.
public func makeClientToken() -> String { UUID().uuidString.lowercased() }

public struct CreateAgentRuntimeRequest: Encodable, Hashable, Sendable {
    public var agentRuntimeName: String
    public var configuration: AgentRuntimeConfiguration
    /// Only a create takes tags; TagResource changes them later.
    public var tags: [String: String]?
    public var clientToken: String

    public init(
        agentRuntimeName: String, configuration: AgentRuntimeConfiguration, tags: [String: String]? = nil,
        clientToken: String = makeClientToken()
    ) {
        self.agentRuntimeName = agentRuntimeName
        self.configuration = configuration
        self.tags = tags
        self.clientToken = clientToken
    }

    private enum CodingKeys: String, CodingKey { case agentRuntimeName, tags, clientToken }

    /// The body is the configuration's fields with the name, tags and token beside them.
    public func encode(to encoder: any Encoder) throws {
        try configuration.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agentRuntimeName, forKey: .agentRuntimeName)
        if let tags, !tags.isEmpty { try container.encode(tags, forKey: .tags) }
        try container.encode(clientToken, forKey: .clientToken)
    }
}

public struct UpdateAgentRuntimeRequest: Encodable, Hashable, Sendable {
    /// Goes in the path, not the body.
    public var agentRuntimeId: String
    public var configuration: AgentRuntimeConfiguration
    public var clientToken: String

    public init(agentRuntimeId: String, configuration: AgentRuntimeConfiguration, clientToken: String = makeClientToken()) {
        self.agentRuntimeId = agentRuntimeId
        self.configuration = configuration
        self.clientToken = clientToken
    }

    private enum CodingKeys: String, CodingKey { case clientToken }

    public func encode(to encoder: any Encoder) throws {
        try configuration.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clientToken, forKey: .clientToken)
    }
}

public struct CreateAgentRuntimeEndpointRequest: Encodable, Hashable, Sendable {
    /// Goes in the path, not the body.
    public var agentRuntimeId: String
    public var name: String
    /// The version to serve; AWS takes the latest when it is nil.
    public var agentRuntimeVersion: String?
    public var description: String?
    public var clientToken: String

    public init(
        agentRuntimeId: String, name: String, agentRuntimeVersion: String?, description: String? = nil,
        clientToken: String = makeClientToken()
    ) {
        self.agentRuntimeId = agentRuntimeId
        self.name = name
        self.agentRuntimeVersion = agentRuntimeVersion
        self.description = description
        self.clientToken = clientToken
    }

    private enum CodingKeys: String, CodingKey { case name, agentRuntimeVersion, description, clientToken }
}

public struct UpdateAgentRuntimeEndpointRequest: Encodable, Hashable, Sendable {
    /// Both go in the path, not the body.
    public var agentRuntimeId: String
    public var endpointName: String
    public var agentRuntimeVersion: String?
    public var description: String?
    public var clientToken: String

    public init(
        agentRuntimeId: String, endpointName: String, agentRuntimeVersion: String?, description: String? = nil,
        clientToken: String = makeClientToken()
    ) {
        self.agentRuntimeId = agentRuntimeId
        self.endpointName = endpointName
        self.agentRuntimeVersion = agentRuntimeVersion
        self.description = description
        self.clientToken = clientToken
    }

    private enum CodingKeys: String, CodingKey { case agentRuntimeVersion, description, clientToken }
}
