import Foundation

/// The runtime's own settings, kept in git beside the agent as `agent/agentcore.json`.
///
/// JSON rather than YAML: Foundation parses it with no extra dependency, and YAML would read
/// `python: 3.10` as the number 3.1 — exactly the field users edit most. Editors validate the
/// file against `agent/agentcore.schema.json`.
public struct RuntimeSettings: Sendable, Equatable {
    public var entryPoint = "agent.py"
    public var python = "3.11"
    /// Paths are relative to the agent directory and must stay inside the repository.
    public var requirements = "requirements.txt"
    /// The system prompt packaged as `system_prompt.txt`.
    public var prompt: String?
    public var description: String?
    public var environmentVariables: [String: String] = [:]
    public var idleRuntimeSessionTimeout = 900
    public var maxLifetime = 28800
    public var networkMode = "PUBLIC"
    public var serverProtocol = "HTTP"

    public static let fileName = "agentcore.json"

    public init() {}

    /// The settings of the agent in `agentDirectory`; defaults when it has no `agentcore.json`.
    /// Files it names must exist inside `repositoryRoot` (by default the agent directory's parent).
    public static func load(agentDirectory: URL, repositoryRoot: URL? = nil) throws -> RuntimeSettings {
        let file = agentDirectory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return RuntimeSettings() }
        let data = try Data(contentsOf: file)
        let settings = try parse(data, source: file.path)
        try settings.checkFiles(
            in: agentDirectory, repositoryRoot: repositoryRoot ?? agentDirectory.deletingLastPathComponent(),
            source: file.path)
        return settings
    }

    /// Where a path from the settings points, resolved against the agent directory.
    public static func resolve(_ path: String, in agentDirectory: URL) -> URL {
        agentDirectory.appendingPathComponent(path).standardizedFileURL
    }

    /// Parses and checks the JSON; every error names the field and the allowed values.
    public static func parse(_ data: Data, source: String = fileName) throws -> RuntimeSettings {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw RuntimeSettingsError(source: source, field: nil, problem: "is not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any] else {
            throw RuntimeSettingsError(source: source, field: nil, problem: "must be a JSON object")
        }
        let reader = FieldReader(source: source)
        var settings = RuntimeSettings()
        try reader.rejectUnknownKeys(in: root, allowed: [
            "$schema", "entryPoint", "python", "requirements", "prompt", "description",
            "environmentVariables", "lifecycle", "networkMode", "protocol",
        ])
        if let value = try reader.string(root, "entryPoint") {
            guard value.wholeMatch(of: /[A-Za-z0-9_][A-Za-z0-9_.-]*\.py/) != nil else {
                throw reader.error("entryPoint", "'\(value)' must be a .py file name at the package root, like agent.py")
            }
            settings.entryPoint = value
        }
        if let value = try reader.string(root, "python") {
            guard let minor = value.wholeMatch(of: /3\.([0-9]{2})/).flatMap({ Int($0.1) }), (10...14).contains(minor) else {
                throw reader.error("python", "'\(value)' must be a string from \"3.10\" to \"3.14\" (AgentCore's PYTHON_3_10…PYTHON_3_14)")
            }
            settings.python = value
        }
        settings.requirements = try reader.relativePath(root, "requirements") ?? settings.requirements
        settings.prompt = try reader.relativePath(root, "prompt")
        if let value = try reader.string(root, "description") {
            guard value.awsLength <= 200 else { throw reader.error("description", "is \(value.awsLength) characters; keep it to 200") }
            settings.description = value
        }
        if let variables = root["environmentVariables"] {
            guard let map = variables as? [String: Any] else {
                throw reader.error("environmentVariables", "must be an object of names to string values")
            }
            guard map.count <= AgentCoreValidation.maxEnvironmentVariables else { throw reader.error("environmentVariables", "has \(map.count) entries; AgentCore allows 50") }
            for (key, value) in map {
                // Code points, as AWS counts the 100 a name may have.
                guard key.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]{0,99}/.matchingSemantics(.unicodeScalar)) != nil else {
                    throw reader.error("environmentVariables.\(key)", "is not a valid variable name (letters, digits, underscores; at most 100)")
                }
                guard let text = value as? String else {
                    throw reader.error("environmentVariables.\(key)", "must be a string; quote numbers and booleans")
                }
                guard text.awsLength <= AgentCoreValidation.maxEnvironmentValueLength else {
                    throw reader.error("environmentVariables.\(key)", "is \(text.awsLength) characters; AgentCore allows 5,000")
                }
                settings.environmentVariables[key] = text
            }
        }
        if let lifecycle = root["lifecycle"] {
            guard let map = lifecycle as? [String: Any] else {
                throw reader.error("lifecycle", "must be an object with idleRuntimeSessionTimeout and/or maxLifetime")
            }
            try reader.rejectUnknownKeys(in: map, allowed: ["idleRuntimeSessionTimeout", "maxLifetime"], prefix: "lifecycle.")
            settings.idleRuntimeSessionTimeout = try reader.seconds(map, "idleRuntimeSessionTimeout", prefix: "lifecycle.")
                ?? settings.idleRuntimeSessionTimeout
            settings.maxLifetime = try reader.seconds(map, "maxLifetime", prefix: "lifecycle.") ?? settings.maxLifetime
            guard settings.idleRuntimeSessionTimeout <= settings.maxLifetime else {
                throw reader.error("lifecycle.idleRuntimeSessionTimeout",
                                   "(\(settings.idleRuntimeSessionTimeout) s) cannot exceed lifecycle.maxLifetime (\(settings.maxLifetime) s)")
            }
        }
        if let value = try reader.string(root, "networkMode") {
            guard value == "PUBLIC" else {
                throw reader.error("networkMode", "'\(value)' is not supported: use PUBLIC (VPC mode needs subnets and security groups this tool does not manage yet)")
            }
            settings.networkMode = value
        }
        if let value = try reader.string(root, "protocol") {
            guard ["HTTP", "MCP", "A2A", "AGUI"].contains(value) else {
                throw reader.error("protocol", "'\(value)' must be one of HTTP, MCP, A2A, AGUI")
            }
            settings.serverProtocol = value
        }
        return settings
    }

    /// The files the settings name must exist inside the repository, so a typo fails before
    /// anything is built and nothing outside the checkout is ever packaged.
    func checkFiles(in agentDirectory: URL, repositoryRoot: URL, source: String) throws {
        let reader = FieldReader(source: source)
        let root = repositoryRoot.standardizedFileURL.path
        let checks: [(String, String?)] = [("entryPoint", entryPoint), ("requirements", requirements), ("prompt", prompt)]
        for case let (field, path?) in checks {
            let url = Self.resolve(path, in: agentDirectory)
            guard url.path.hasPrefix(root + "/") else {
                throw reader.error(field, "'\(path)' points outside the repository (\(root))")
            }
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw reader.error(field, "names \(path), which does not exist in \(agentDirectory.path)")
            }
        }
    }
}

/// Typed access to a JSON object's fields with errors that name the field.
private struct FieldReader {
    let source: String

    func error(_ field: String, _ problem: String) -> RuntimeSettingsError {
        RuntimeSettingsError(source: source, field: field, problem: problem)
    }

    func rejectUnknownKeys(in object: [String: Any], allowed: Set<String>, prefix: String = "") throws {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let known = allowed.subtracting(["$schema"]).sorted().joined(separator: ", ")
            throw error(prefix + unknown, "is not a known setting (known: \(known))")
        }
    }

    func string(_ object: [String: Any], _ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw error(key, "must be a string") }
        return text
    }

    /// A relative path; whether it stays inside the repository is checked when files are resolved.
    func relativePath(_ object: [String: Any], _ key: String) throws -> String? {
        guard let path = try string(object, key) else { return nil }
        guard !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("~") else {
            throw error(key, "'\(path)' must be a path relative to the agent directory")
        }
        return path
    }

    func seconds(_ object: [String: Any], _ key: String, prefix: String) throws -> Int? {
        guard let value = object[key] else { return nil }
        guard !(value is Bool), let seconds = value as? Int, (60...28800).contains(seconds) else {
            throw error(prefix + key, "must be a whole number of seconds from 60 to 28800")
        }
        return seconds
    }
}
