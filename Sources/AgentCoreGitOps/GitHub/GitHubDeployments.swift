import Foundation

// GitHub Deployments: what was deployed (a commit) to which environment, and its statuses.
// The repository's Environments page and each pull request show them.

/// A deployment as GitHub returns it.
public struct GitHubDeployment: Codable, Sendable, Equatable {
    public var id: Int
    public var sha: String
    public var ref: String?
    public var task: String?
    public var environment: String
    /// The string-valued members of the payload; nil when it is no such object (GitHub also
    /// allows a string, and people may write anything).
    public var payload: [String: String]?
    public var creator: GitHubUser?
    public var createdAt: String?
    public var transientEnvironment: Bool?
    public var productionEnvironment: Bool?

    enum CodingKeys: String, CodingKey {
        case id, sha, ref, task, environment, payload, creator
        case createdAt = "created_at"
        case transientEnvironment = "transient_environment"
        case productionEnvironment = "production_environment"
    }
}

// Initializers written here leave the struct its memberwise one.
extension GitHubDeployment {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        sha = try container.decode(String.self, forKey: .sha)
        ref = try container.decodeIfPresent(String.self, forKey: .ref)
        task = try container.decodeIfPresent(String.self, forKey: .task)
        environment = try container.decodeIfPresent(String.self, forKey: .environment) ?? ""
        payload = try? container.decodeIfPresent([String: String].self, forKey: .payload)
        creator = try container.decodeIfPresent(GitHubUser.self, forKey: .creator)
        createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt)
        transientEnvironment = try container.decodeIfPresent(Bool.self, forKey: .transientEnvironment)
        productionEnvironment = try container.decodeIfPresent(Bool.self, forKey: .productionEnvironment)
    }
}

/// The states a deployment status may have.
public enum GitHubDeploymentState: String, Codable, Sendable {
    case error, failure, inactive, pending, success, queued
    case inProgress = "in_progress"
}

/// What `POST /deployments` takes. `auto_merge` is off (GitHub's default would merge the default
/// branch into the ref first) and no commit status is required: the tool records what it
/// deployed, whatever checks say.
public struct GitHubDeploymentRequest: Encodable, Sendable, Equatable {
    public var ref: String
    public var task: String
    public var environment: String
    public var description: String
    public var payload: [String: String]
    public var transientEnvironment: Bool
    public var productionEnvironment: Bool
    public var autoMerge = false
    public var requiredContexts: [String] = []

    enum CodingKeys: String, CodingKey {
        case ref, task, environment, description, payload
        case transientEnvironment = "transient_environment"
        case productionEnvironment = "production_environment"
        case autoMerge = "auto_merge"
        case requiredContexts = "required_contexts"
    }

    public init(
        ref: String, task: String, environment: String, description: String, payload: [String: String],
        transientEnvironment: Bool, productionEnvironment: Bool
    ) {
        self.ref = ref
        self.task = task
        self.environment = environment
        self.description = GitHubDeploymentStatusRequest.shortened(description)
        self.payload = payload
        self.transientEnvironment = transientEnvironment
        self.productionEnvironment = productionEnvironment
    }
}

/// What `POST /deployments/{id}/statuses` takes.
public struct GitHubDeploymentStatusRequest: Encodable, Sendable, Equatable {
    /// GitHub refuses longer descriptions.
    public static let maximumDescriptionLength = 140

    public var state: GitHubDeploymentState
    public var description: String?
    public var environmentURL: String?
    public var logURL: String?
    /// Leave unset for GitHub's default (mark older deployments to the environment inactive).
    public var autoInactive: Bool?

    enum CodingKeys: String, CodingKey {
        case state, description
        case environmentURL = "environment_url"
        case logURL = "log_url"
        case autoInactive = "auto_inactive"
    }

    public init(
        state: GitHubDeploymentState, description: String? = nil, environmentURL: String? = nil, logURL: String? = nil,
        autoInactive: Bool? = nil
    ) {
        self.state = state
        self.description = description.map(Self.shortened)
        self.environmentURL = environmentURL
        self.logURL = logURL
        self.autoInactive = autoInactive
    }

    static func shortened(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > maximumDescriptionLength else { return text }
        return String(String.UnicodeScalarView(scalars.prefix(maximumDescriptionLength - 1))) + "…"
    }
}

public struct GitHubDeploymentStatus: Codable, Sendable, Equatable {
    public var id: Int
    public var state: String
    public var description: String?
    public var environmentURL: String?
    public var logURL: String?
    public var creator: GitHubUser?
    public var createdAt: String?

    enum CodingKeys: String, CodingKey {
        case id, state, description, creator
        case environmentURL = "environment_url"
        case logURL = "log_url"
        case createdAt = "created_at"
    }
}
