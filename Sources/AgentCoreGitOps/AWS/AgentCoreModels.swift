import Foundation

// The AgentCore control plane's shapes, with the field names of the service model
// (botocore `bedrock-agentcore-control/2023-06-05`), so JSON round-trips unchanged.

/// Where a runtime or an endpoint is in its life. A string wrapper rather than an enum so a status
/// AWS adds later decodes instead of failing the whole response.
public struct AgentCoreStatus: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }

    public static let creating = AgentCoreStatus(rawValue: "CREATING")
    public static let createFailed = AgentCoreStatus(rawValue: "CREATE_FAILED")
    public static let updating = AgentCoreStatus(rawValue: "UPDATING")
    public static let updateFailed = AgentCoreStatus(rawValue: "UPDATE_FAILED")
    public static let ready = AgentCoreStatus(rawValue: "READY")
    public static let deleting = AgentCoreStatus(rawValue: "DELETING")

    /// CREATE_FAILED or UPDATE_FAILED: the resource carries a `failureReason`.
    public var isFailed: Bool { self == .createFailed || self == .updateFailed }
}

// MARK: - Runtime configuration

/// The service model's `S3Location` (named apart from `S3Client`'s): `prefix` is the whole object key.
public struct S3CodeLocation: Codable, Hashable, Sendable {
    public var bucket: String
    public var prefix: String
    public var versionId: String?

    public init(bucket: String, prefix: String, versionId: String? = nil) {
        self.bucket = bucket
        self.prefix = prefix
        self.versionId = versionId
    }

    /// `s3://BUCKET/KEY` as people write it.
    public var uri: String { "s3://\(bucket)/\(prefix)" }
}

public struct CodeConfiguration: Codable, Hashable, Sendable {
    public struct Code: Codable, Hashable, Sendable {
        public var s3: S3CodeLocation?
    }

    public var code: Code
    /// `PYTHON_3_10` … `PYTHON_3_14` or `NODE_22`.
    public var runtime: String
    /// The file to run, at the zip's root, plus at most one argument.
    public var entryPoint: [String]
}

public struct ContainerConfiguration: Codable, Hashable, Sendable {
    public var containerUri: String
}

/// What a runtime runs: a union, so exactly one member is set.
public struct AgentRuntimeArtifact: Codable, Hashable, Sendable {
    public var codeConfiguration: CodeConfiguration?
    public var containerConfiguration: ContainerConfiguration?

    /// A code zip in S3 run by a managed language runtime.
    public static func code(_ location: S3CodeLocation, runtime: String, entryPoint: [String]) -> AgentRuntimeArtifact {
        AgentRuntimeArtifact(codeConfiguration: CodeConfiguration(
            code: .init(s3: location), runtime: runtime, entryPoint: entryPoint))
    }
}

public struct NetworkConfiguration: Codable, Hashable, Sendable {
    public struct VpcConfig: Codable, Hashable, Sendable {
        public var securityGroups: [String]
        public var subnets: [String]
        /// Route S3 through the service's own endpoint rather than the VPC's.
        public var requireServiceS3Endpoint: Bool?
    }

    /// `PUBLIC` or `VPC`.
    public var networkMode: String
    public var networkModeConfig: VpcConfig?

    public static let `public` = NetworkConfiguration(networkMode: "PUBLIC")
}

public struct ProtocolConfiguration: Codable, Hashable, Sendable {
    /// `HTTP`, `MCP`, `A2A` or `AGUI`.
    public var serverProtocol: String
    /// The agent's server port (8000-12000, not 8443); AgentCore's default when nil.
    public var port: Int?
    /// The path the server answers on; the protocol's default when nil.
    public var path: String?

    public static let http = ProtocolConfiguration(serverProtocol: "HTTP")
}

public struct LifecycleConfiguration: Codable, Hashable, Sendable {
    /// Seconds, 60-1,209,600; AWS's default is 900.
    public var idleRuntimeSessionTimeout: Int?
    /// Seconds, 60-1,209,600; AWS's default is 28800.
    public var maxLifetime: Int?
}

/// Everything CreateAgentRuntime and UpdateAgentRuntime share: each update sends the whole
/// configuration again and makes a new immutable version from it. Tags are not part of a version
/// (CreateAgentRuntime takes them, TagResource changes them).
public struct AgentRuntimeConfiguration: Codable, Hashable, Sendable {
    public var agentRuntimeArtifact: AgentRuntimeArtifact
    public var roleArn: String
    public var networkConfiguration: NetworkConfiguration
    public var description: String?
    public var protocolConfiguration: ProtocolConfiguration?
    public var lifecycleConfiguration: LifecycleConfiguration?
    public var environmentVariables: [String: String]?
    public var authorizerConfiguration: AuthorizerConfiguration?
    public var requestHeaderConfiguration: RequestHeaderConfiguration?
    public var filesystemConfigurations: [FilesystemConfiguration]?
    public var platformVersion: String?
    public var allowedPorts: [AllowedPort]?
    public var resourceConfigurations: [ResourceConfiguration]?
    public var hooksConfiguration: RuntimeHooksConfiguration?

    public init(
        agentRuntimeArtifact: AgentRuntimeArtifact, roleArn: String,
        networkConfiguration: NetworkConfiguration = .public, description: String? = nil,
        protocolConfiguration: ProtocolConfiguration? = .http, lifecycleConfiguration: LifecycleConfiguration? = nil,
        environmentVariables: [String: String]? = nil, authorizerConfiguration: AuthorizerConfiguration? = nil,
        requestHeaderConfiguration: RequestHeaderConfiguration? = nil,
        filesystemConfigurations: [FilesystemConfiguration]? = nil, platformVersion: String? = nil,
        allowedPorts: [AllowedPort]? = nil, resourceConfigurations: [ResourceConfiguration]? = nil,
        hooksConfiguration: RuntimeHooksConfiguration? = nil
    ) {
        self.agentRuntimeArtifact = agentRuntimeArtifact
        self.roleArn = roleArn
        self.networkConfiguration = networkConfiguration
        self.description = description
        self.protocolConfiguration = protocolConfiguration
        self.lifecycleConfiguration = lifecycleConfiguration
        self.environmentVariables = environmentVariables
        self.authorizerConfiguration = authorizerConfiguration
        self.requestHeaderConfiguration = requestHeaderConfiguration
        self.filesystemConfigurations = filesystemConfigurations
        self.platformVersion = platformVersion
        self.allowedPorts = allowedPorts
        self.resourceConfigurations = resourceConfigurations
        self.hooksConfiguration = hooksConfiguration
    }
}

// MARK: - Resources as AWS returns them

/// GetAgentRuntime's answer: one version of a runtime with its whole configuration.
public struct AgentRuntime: Codable, Hashable, Sendable {
    public var agentRuntimeArn: String
    public var agentRuntimeName: String
    public var agentRuntimeId: String
    public var agentRuntimeVersion: String
    public var createdAt: Date?
    public var lastUpdatedAt: Date?
    public var roleArn: String
    public var networkConfiguration: NetworkConfiguration
    public var status: AgentCoreStatus
    public var lifecycleConfiguration: LifecycleConfiguration?
    public var failureReason: String?
    public var description: String?
    public var agentRuntimeArtifact: AgentRuntimeArtifact?
    public var protocolConfiguration: ProtocolConfiguration?
    public var environmentVariables: [String: String]?
    public var authorizerConfiguration: AuthorizerConfiguration?
    public var requestHeaderConfiguration: RequestHeaderConfiguration?
    public var filesystemConfigurations: [FilesystemConfiguration]?
    public var platformVersion: String?
    public var allowedPorts: [AllowedPort]?
    public var resourceConfigurations: [ResourceConfiguration]?
    public var hooksConfiguration: RuntimeHooksConfiguration?
    /// Settings AWS answered with that this tool never sends (`metadataConfiguration`, a JWT
    /// authorizer's certificates, set in the console), by path: an update without them drops
    /// them. Named by `AgentCoreControl` from GetAgentRuntime's answer; nil when there are none.
    public var unmanagedSettings: [String]?

    /// The configuration this version was made from, ready to send again with changes.
    public var configuration: AgentRuntimeConfiguration? {
        guard let agentRuntimeArtifact else { return nil }
        return AgentRuntimeConfiguration(
            agentRuntimeArtifact: agentRuntimeArtifact, roleArn: roleArn,
            // AWS reports a missing description as "" but refuses "" on input.
            networkConfiguration: networkConfiguration, description: description?.isEmpty == false ? description : nil,
            protocolConfiguration: protocolConfiguration, lifecycleConfiguration: lifecycleConfiguration,
            environmentVariables: environmentVariables, authorizerConfiguration: authorizerConfiguration,
            requestHeaderConfiguration: requestHeaderConfiguration, filesystemConfigurations: filesystemConfigurations,
            platformVersion: platformVersion, allowedPorts: allowedPorts, resourceConfigurations: resourceConfigurations,
            hooksConfiguration: hooksConfiguration)
    }
}

/// One entry of ListAgentRuntimes (the latest version of each runtime) or of
/// ListAgentRuntimeVersions (one entry per version); both lists sit under `agentRuntimes`.
public struct AgentRuntimeSummary: Codable, Hashable, Sendable {
    public var agentRuntimeArn: String
    public var agentRuntimeId: String
    public var agentRuntimeVersion: String
    public var agentRuntimeName: String
    public var description: String?
    public var lastUpdatedAt: Date?
    public var status: AgentCoreStatus
}

/// A named pointer to one version of a runtime (GetAgentRuntimeEndpoint, and the entries of
/// ListAgentRuntimeEndpoints under `runtimeEndpoints`). While an update rolls out,
/// `targetVersion` is the new version and `liveVersion` the one still serving.
public struct AgentRuntimeEndpoint: Codable, Hashable, Sendable {
    public var name: String
    public var liveVersion: String?
    public var targetVersion: String?
    public var agentRuntimeEndpointArn: String
    public var agentRuntimeArn: String
    public var status: AgentCoreStatus
    public var id: String
    public var description: String?
    public var createdAt: Date?
    public var lastUpdatedAt: Date?
    public var failureReason: String?

    /// AWS makes this endpoint with every runtime; it follows the latest version and goes with it.
    public static let defaultName = "DEFAULT"
    public var isDefault: Bool { name == Self.defaultName }
}

// MARK: - What the mutating calls answer

/// CreateAgentRuntime's and UpdateAgentRuntime's answer: the version the call made.
public struct AgentRuntimeChange: Codable, Hashable, Sendable {
    public var agentRuntimeArn: String
    public var agentRuntimeId: String
    public var agentRuntimeVersion: String
    public var createdAt: Date?
    public var lastUpdatedAt: Date?
    public var status: AgentCoreStatus
}

/// CreateAgentRuntimeEndpoint's and UpdateAgentRuntimeEndpoint's answer.
public struct AgentRuntimeEndpointChange: Codable, Hashable, Sendable {
    public var targetVersion: String?
    public var liveVersion: String?
    public var agentRuntimeEndpointArn: String
    public var agentRuntimeArn: String
    public var agentRuntimeId: String?
    public var endpointName: String?
    public var status: AgentCoreStatus
    public var createdAt: Date?
    public var lastUpdatedAt: Date?
}

/// DeleteAgentRuntime's and DeleteAgentRuntimeEndpoint's answer: deletion has started.
public struct AgentCoreDeletion: Codable, Hashable, Sendable {
    public var status: AgentCoreStatus
    public var agentRuntimeId: String?
    public var endpointName: String?
    /// Set when one version was deleted.
    public var agentRuntimeVersion: String?
}

/// One page of a list call; `nextToken` is nil on the last page.
public struct AgentCorePage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextToken: String?
}

// MARK: - JSON

public enum AgentCoreJSON {
    /// rest-json sends timestamps as epoch seconds; some emulators send ISO 8601. Accept both.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) { return Date(timeIntervalSince1970: seconds) }
            let text = try container.decode(String.self)
            if let date = parseISO8601(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp: \(text)")
        }
        return decoder
    }

    /// Requests and `--json` output: stable key order, ISO 8601 timestamps as the AWS CLI prints them.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    private static func parseISO8601(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        // Python's isoformat() without a zone: the emulators mean UTC.
        return plain.date(from: text + "Z") ?? withFraction.date(from: text + "Z")
    }
}
