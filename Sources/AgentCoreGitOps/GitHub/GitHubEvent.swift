import Foundation

/// The event that started a workflow run, read from `GITHUB_EVENT_PATH` as `GITHUB_EVENT_NAME`
/// names it. Only the fields the flows use are decoded; optional ones may be missing or null.
public enum GitHubEvent: Sendable, Equatable {
    case pullRequest(PullRequestEvent)
    case push(PushEvent)
    case issues(IssuesEvent)
    case workflowDispatch(WorkflowDispatchEvent)

    public static let supportedNames = ["pull_request", "push", "issues", "workflow_dispatch"]

    public static func load(environment: [String: String]) throws -> GitHubEvent {
        guard let name = environment["GITHUB_EVENT_NAME"], !name.isEmpty else {
            throw GitHubEventError.missingEnvironment("GITHUB_EVENT_NAME")
        }
        guard let path = environment["GITHUB_EVENT_PATH"], !path.isEmpty else {
            throw GitHubEventError.missingEnvironment("GITHUB_EVENT_PATH")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw GitHubEventError.unreadable(path: path, detail: error.localizedDescription)
        }
        return try decode(name: name, json: data)
    }

    public static func decode(name: String, json: Data) throws -> GitHubEvent {
        do {
            switch name {
            case "pull_request": return .pullRequest(try JSONDecoder().decode(PullRequestEvent.self, from: json))
            case "push": return .push(try JSONDecoder().decode(PushEvent.self, from: json))
            case "issues": return .issues(try JSONDecoder().decode(IssuesEvent.self, from: json))
            case "workflow_dispatch": return .workflowDispatch(try JSONDecoder().decode(WorkflowDispatchEvent.self, from: json))
            default: throw GitHubEventError.unsupportedEvent(name)
            }
        } catch let error as DecodingError {
            throw GitHubEventError(error, event: name)
        }
    }
}

public enum GitHubEventError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingEnvironment(String)
    case unreadable(path: String, detail: String)
    case unsupportedEvent(String)
    /// A required field is missing or null; the path is dotted, e.g. `pull_request.head.sha`.
    case missingField(event: String, path: String)
    case invalidField(event: String, path: String, detail: String)
    case notJSON(event: String, detail: String)

    public var description: String {
        switch self {
        case .missingEnvironment(let name):
            "\(name) is not set: run this inside a GitHub Actions job, or set it to test by hand"
        case .unreadable(let path, let detail):
            "Cannot read the event file \(path) (GITHUB_EVENT_PATH): \(detail)"
        case .unsupportedEvent(let name):
            "The event \(name.debugDescription) is not handled; trigger the workflow on one of: "
                + GitHubEvent.supportedNames.joined(separator: ", ")
        case .missingField(let event, let path):
            "The \(event) event payload lacks the required field `\(path)`"
        case .invalidField(let event, let path, let detail):
            "The \(event) event payload field `\(path)` is invalid: \(detail)"
        case .notJSON(let event, let detail):
            "The \(event) event payload is not valid JSON: \(detail)"
        }
    }

    init(_ error: DecodingError, event: String) {
        func dotted(_ path: [CodingKey]) -> String {
            path.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .missingField(event: event, path: dotted(context.codingPath + [key]))
        case .valueNotFound(_, let context):
            self = .missingField(event: event, path: dotted(context.codingPath))
        case .typeMismatch(let type, let context):
            self = .invalidField(event: event, path: dotted(context.codingPath), detail: "expected \(type)")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self = .notJSON(event: event, detail: context.debugDescription)
        case .dataCorrupted(let context):
            self = .invalidField(event: event, path: dotted(context.codingPath), detail: context.debugDescription)
        @unknown default:
            self = .notJSON(event: event, detail: "\(error)")
        }
    }
}

/// `pull_request`: opened, synchronize, reopened, closed (merged or not), and others passed through.
public struct PullRequestEvent: Decodable, Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case opened, synchronize, reopened, closed
        case other(String)

        init(_ raw: String) {
            switch raw {
            case "opened": self = .opened
            case "synchronize": self = .synchronize
            case "reopened": self = .reopened
            case "closed": self = .closed
            default: self = .other(raw)
            }
        }
    }

    public let action: Action
    public let number: Int
    public let pullRequest: GitHubPullRequest
    public let repository: GitHubRepositoryInfo
    public let sender: GitHubUser

    enum CodingKeys: String, CodingKey {
        case action, number, repository, sender
        case pullRequest = "pull_request"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = Action(try container.decode(String.self, forKey: .action))
        number = try container.decode(Int.self, forKey: .number)
        pullRequest = try container.decode(GitHubPullRequest.self, forKey: .pullRequest)
        repository = try container.decode(GitHubRepositoryInfo.self, forKey: .repository)
        sender = try container.decode(GitHubUser.self, forKey: .sender)
    }

    public var headSHA: String { pullRequest.head.sha }
    /// Fork pull requests get a read-only token and no secrets: nothing to deploy with.
    public var isFromFork: Bool { pullRequest.isFromFork }
    /// Closed by merging, as opposed to closed unmerged.
    public var isMerged: Bool { action == .closed && pullRequest.isMerged }
}

/// `push`: a branch or tag moved.
public struct PushEvent: Decodable, Sendable, Equatable {
    public struct Commit: Decodable, Sendable, Equatable {
        public let id: String
        public let message: String?
    }

    public let ref: String
    public let before: String
    public let after: String
    public let deleted: Bool
    public let headCommit: Commit?
    public let repository: GitHubRepositoryInfo
    public let sender: GitHubUser?

    enum CodingKeys: String, CodingKey {
        case ref, before, after, deleted, repository, sender
        case headCommit = "head_commit"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ref = try container.decode(String.self, forKey: .ref)
        before = try container.decode(String.self, forKey: .before)
        after = try container.decode(String.self, forKey: .after)
        deleted = try container.decodeIfPresent(Bool.self, forKey: .deleted) ?? false
        headCommit = try container.decodeIfPresent(Commit.self, forKey: .headCommit)
        repository = try container.decode(GitHubRepositoryInfo.self, forKey: .repository)
        sender = try container.decodeIfPresent(GitHubUser.self, forKey: .sender)
    }

    /// The branch name for `refs/heads/...`, nil for tags.
    public var branch: String? {
        ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : nil
    }
}

/// `issues`: for the flows, `labeled` (the `approved` label on a deployment issue).
public struct IssuesEvent: Decodable, Sendable, Equatable {
    public let action: String
    public let issue: GitHubIssue
    /// The label added or removed; required for `labeled` and `unlabeled`.
    public let label: GitHubLabel?
    public let repository: GitHubRepositoryInfo
    public let sender: GitHubUser

    enum CodingKeys: String, CodingKey {
        case action, issue, label, repository, sender
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decode(String.self, forKey: .action)
        issue = try container.decode(GitHubIssue.self, forKey: .issue)
        repository = try container.decode(GitHubRepositoryInfo.self, forKey: .repository)
        sender = try container.decode(GitHubUser.self, forKey: .sender)
        if action == "labeled" || action == "unlabeled" {
            label = try container.decode(GitHubLabel.self, forKey: .label)
        } else {
            label = try container.decodeIfPresent(GitHubLabel.self, forKey: .label)
        }
    }

    public var isLabeled: Bool { action == "labeled" }
}

/// `workflow_dispatch`: a run started by hand, with its inputs.
public struct WorkflowDispatchEvent: Decodable, Sendable, Equatable {
    /// Input values as strings; a null input is nil. `inputs` itself may be null.
    public let inputs: [String: String?]
    public let ref: String
    public let repository: GitHubRepositoryInfo
    public let sender: GitHubUser?

    enum CodingKeys: String, CodingKey {
        case inputs, ref, repository, sender
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try container.decodeIfPresent([String: InputValue].self, forKey: .inputs)?.mapValues(\.text) ?? [:]
        ref = try container.decode(String.self, forKey: .ref)
        repository = try container.decode(GitHubRepositoryInfo.self, forKey: .repository)
        sender = try container.decodeIfPresent(GitHubUser.self, forKey: .sender)
    }

    /// The input's value with surrounding whitespace removed; nil when absent, null or empty.
    public func input(_ name: String) -> String? {
        guard let value = inputs[name] ?? nil else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// GitHub sends strings; a boolean or number input written by another tool is read as text.
    private struct InputValue: Decodable {
        let text: String?

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                text = nil
            } else if let string = try? container.decode(String.self) {
                text = string
            } else if let bool = try? container.decode(Bool.self) {
                text = bool ? "true" : "false"
            } else if let number = try? container.decode(Int.self) {
                text = String(number)
            } else {
                throw DecodingError.typeMismatch(String.self, .init(
                    codingPath: decoder.codingPath, debugDescription: "an input must be a string"))
            }
        }
    }
}
