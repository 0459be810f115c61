import Foundation

// The runtime settings newer than the first release of the API, with the service model's names
// (botocore 1.44.18, `bedrock-agentcore-control/2023-06-05`). Optional members AWS leaves out
// stay nil, so a configuration read back compares equal to the one sent.

/// Who may call the runtime: without it, any caller with IAM permission; with a JWT authorizer,
/// only bearers of a token the discovery URL's issuer signed.
public struct AuthorizerConfiguration: Codable, Hashable, Sendable {
    public var customJWTAuthorizer: CustomJWTAuthorizerConfiguration?
}

public struct CustomJWTAuthorizerConfiguration: Codable, Hashable, Sendable {
    /// `https://issuer/.well-known/openid-configuration` (or `oauth-authorization-server`).
    public var discoveryUrl: String
    public var allowedAudience: [String]?
    public var allowedClients: [String]?
    public var allowedScopes: [String]?
    /// Which scope each advertised scope stands for; every key is one of `allowedScopes`.
    public var advertisedScopeMapping: [String: String]?
    public var customClaims: [CustomClaimValidation]?
}

/// A claim the token must carry: `inboundTokenClaimName` compared with the match value.
public struct CustomClaimValidation: Codable, Hashable, Sendable {
    public struct MatchValue: Codable, Hashable, Sendable {
        /// A union: exactly one is set.
        public var matchValueString: String?
        public var matchValueStringList: [String]?
    }
    public struct AuthorizingClaimMatchValue: Codable, Hashable, Sendable {
        public var claimMatchValue: MatchValue
        /// `EQUALS`, `CONTAINS` or `CONTAINS_ANY`.
        public var claimMatchOperator: String
    }

    public var inboundTokenClaimName: String
    /// `STRING` or `STRING_ARRAY`.
    public var inboundTokenClaimValueType: String
    public var authorizingClaimMatchValue: AuthorizingClaimMatchValue
}

/// The request headers AgentCore passes through to the agent (besides its own).
public struct RequestHeaderConfiguration: Codable, Hashable, Sendable {
    public var requestHeaderAllowlist: [String]?
}

/// One file system mounted into the runtime's sessions: a union, so exactly one member is set.
/// Session storage lives as long as the version: a new version starts with it empty.
public struct FilesystemConfiguration: Codable, Hashable, Sendable {
    public struct SessionStorage: Codable, Hashable, Sendable {
        public var mountPath: String
    }
    public struct AccessPoint: Codable, Hashable, Sendable {
        public var accessPointArn: String
        public var mountPath: String
    }
    public struct S3BucketMount: Codable, Hashable, Sendable {
        public var bucket: String
        public var mountPath: String
        public var prefix: String?
        public var s3BucketOwner: String?
        public var s3BucketRegion: String?
    }

    public var sessionStorage: SessionStorage?
    public var efsAccessPoint: AccessPoint?
    public var s3FilesAccessPoint: AccessPoint?
    public var s3BucketMount: S3BucketMount?
}

/// A port (or an inclusive range) reachable through the session URL besides the server's own.
public struct AllowedPort: Codable, Hashable, Sendable {
    public struct PortRange: Codable, Hashable, Sendable {
        public var from: Int
        public var to: Int
    }
    /// A union: exactly one is set.
    public var port: Int?
    public var portRange: PortRange?
}

public struct ResourceConfiguration: Codable, Hashable, Sendable {
    public var minimumMemoryInMiB: Int
}

/// Lifecycle hooks: a warm-up request AgentCore sends to each new session before it is used.
public struct RuntimeHooksConfiguration: Codable, Hashable, Sendable {
    public struct HTTPPost: Codable, Hashable, Sendable {
        public var path: String
        public var port: Int?
    }
    public struct Action: Codable, Hashable, Sendable {
        public var httpPost: HTTPPost?
    }
    public struct Hook: Codable, Hashable, Sendable {
        public var action: Action
    }
    public struct Build: Codable, Hashable, Sendable {
        public var warmup: Hook?
    }
    public var build: Build?
}
