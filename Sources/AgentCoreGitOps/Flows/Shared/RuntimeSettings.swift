import Foundation

/// The runtime's own settings, kept in git beside the agent as `agent/agentcore.json`.
///
/// JSON rather than YAML: Foundation parses it with no extra dependency, and YAML would read
/// `python: 3.10` as the number 3.1 — exactly the field users edit most. Editors validate the
/// file against `agent/agentcore.schema.json`.
///
/// The top level holds how the agent is packaged (entry point, Python, requirements, prompt,
/// uv configuration), what to do about drift, and the runtime settings every environment starts
/// from; `environments.pr` and `environments.prod` override them (objects merged by key, lists
/// and values replaced).
public struct RuntimeSettings: Sendable, Equatable {
    public var entryPoint = "agent.py"
    public var python = "3.11"
    /// Paths are relative to the agent directory and must stay inside the repository.
    public var requirements = "requirements.txt"
    /// The system prompt packaged as `system_prompt.txt`.
    public var prompt: String?
    /// A `uv.toml` the packager gives uv; none runs uv with `--no-config`.
    public var uvConfig: String?
    public var onDrift = DriftPolicy.report
    /// The runtime settings without any environment's overrides (`agentcore deploy`).
    public var base = EnvironmentSettings()
    /// Each environment's settings, overrides merged and checked when the file is read.
    public var environments: [DeploymentEnvironment: EnvironmentSettings] = [:]
    /// What a newly deployed version must answer, in every environment (nil: `SmokeTestSettings.minimal`).
    public var smokeTest: SmokeTestSettings?

    public static let fileName = "agentcore.json"

    /// What prod-deploy does when prod's live settings are not what git last deployed.
    public enum DriftPolicy: String, Sendable, Equatable {
        /// Name the differing fields in the deployment issue, then deploy.
        case report
        /// Refuse before changing anything.
        case fail
    }

    static let packagingKeys = ["entryPoint", "python", "requirements", "prompt", "uvConfig"]

    public init() {}

    /// The base settings and each environment's, merged.
    public var allEnvironments: [EnvironmentSettings] {
        [base] + DeploymentEnvironment.allCases.map { settings(for: $0) }
    }

    /// The settings `environment` gets; the base settings when the file does not name it.
    public func settings(for environment: DeploymentEnvironment?) -> EnvironmentSettings {
        environment.flatMap { environments[$0] } ?? base
    }

    /// The settings for `environment` with `${NAME}` references read from `variables` (the
    /// job's environment); throws naming any that is missing.
    public func resolved(for environment: DeploymentEnvironment?, variables: [String: String]) throws -> EnvironmentSettings {
        let path = environment.map { "environments.\($0.rawValue)" } ?? ""
        return try settings(for: environment).resolvingReferences(in: variables, source: Self.fileName, path: path)
    }

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

    /// Parses and checks the JSON, every environment included; every error names the field and
    /// what to write instead.
    public static func parse(_ data: Data, source: String = fileName) throws -> RuntimeSettings {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw RuntimeSettingsError(source: source, field: nil, problem: "is not valid JSON (\(error.localizedDescription))")
        }
        let reader = SettingsReader(source: source)
        guard let root = object as? [String: Any] else {
            throw RuntimeSettingsError(source: source, field: nil, problem: "must be a JSON object")
        }
        try reader.rejectUnknownKeys(
            root, "",
            allowed: ["$schema", "environments", "onDrift", SmokeTestSettings.field] + packagingKeys + EnvironmentSettings.keys
                + EnvironmentSettings.shorthands.map(\.key))

        var settings = RuntimeSettings()
        try settings.readPackaging(root, reader)
        settings.smokeTest = try SmokeTestSettings.section(of: data, source: source)
        if let policy = root["onDrift"] {
            let text = try reader.string(policy, "onDrift", oneOf: ["report", "fail"])
            settings.onDrift = DriftPolicy(rawValue: text) ?? .report
        }

        let runtimeKeys = Set(EnvironmentSettings.keys + EnvironmentSettings.shorthands.map(\.key))
        let base = root.filter { runtimeKeys.contains($0.key) }
        let (expandedBase, baseNames) = try EnvironmentSettings.expandShorthands(base, reader: reader, path: "")
        settings.base = try writtenPaths(baseNames) {
            try EnvironmentSettings.parse(expandedBase, reader: reader, path: "")
        }

        guard let environments = root["environments"] else { return settings }
        let map = try reader.object(environments, "environments", what: "an object with pr and/or prod")
        try reader.rejectUnknownKeys(map, "environments", allowed: DeploymentEnvironment.allCases.map(\.rawValue))
        for environment in DeploymentEnvironment.allCases {
            guard let overrides = map[environment.rawValue] else { continue }
            let path = "environments.\(environment.rawValue)"
            let object = try reader.object(overrides, path)
            if let packaging = object.keys.sorted().first(where: packagingKeys.contains) {
                throw reader.error(
                    "\(path).\(packaging)", "is a packaging setting, the same for every environment",
                    fix: "set it at the top level of agentcore.json")
            }
            try reader.rejectUnknownKeys(object, path, allowed: EnvironmentSettings.keys + EnvironmentSettings.shorthands.map(\.key))
            let (expanded, names) = try EnvironmentSettings.expandShorthands(object, reader: reader, path: path)
            let merged = mergeSettings(expandedBase, with: expanded)
            do {
                settings.environments[environment] = try EnvironmentSettings.parse(merged, reader: reader, path: "")
            } catch var error as RuntimeSettingsError {
                // Name the override when it holds the failing field, else say which merge failed.
                guard let field = error.field else { throw error }
                if contains(expanded, path: field) {
                    error.field = "\(path).\(written(field, names))"
                } else {
                    error.field = "\(written(field, baseNames)) (with the overrides of \(path))"
                }
                throw error
            }
        }
        return settings
    }

    private mutating func readPackaging(_ root: [String: Any], _ reader: SettingsReader) throws {
        if let value = root["entryPoint"] {
            entryPoint = try reader.string(
                value, "entryPoint", pattern: /[A-Za-z0-9_][A-Za-z0-9_.-]*\.py/,
                patternHint: "a .py file name at the package root, like agent.py")
        }
        if let value = root["python"] {
            let text = try reader.string(value, "python")
            guard let minor = text.wholeMatch(of: /3\.([0-9]{2})/).flatMap({ Int($0.1) }), (10...14).contains(minor) else {
                throw reader.error("python", "'\(text)' is not a Python AgentCore runs",
                                   fix: "use a string from \"3.10\" to \"3.14\" (AgentCore's PYTHON_3_10…PYTHON_3_14)")
            }
            python = text
        }
        requirements = try Self.relativePath(root, "requirements", reader) ?? requirements
        prompt = try Self.relativePath(root, "prompt", reader)
        uvConfig = try Self.relativePath(root, "uvConfig", reader)
        if let uvConfig, !uvConfig.hasSuffix(".toml") || (uvConfig as NSString).lastPathComponent == "pyproject.toml" {
            throw reader.error("uvConfig", "'\(uvConfig)' is not a uv.toml file", fix: "name a uv.toml inside the agent directory")
        }
    }

    /// A relative path; whether it stays inside the repository is checked when files are resolved.
    private static func relativePath(_ object: [String: Any], _ key: String, _ reader: SettingsReader) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        let path = try reader.string(value, key)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("~") else {
            throw reader.error(key, "'\(path)' is not a relative path", fix: "give a path relative to the agent directory")
        }
        return path
    }

    /// Errors about a member written with a shorthand name it as written (`networkMode`, not
    /// `networkConfiguration.networkMode`).
    private static func writtenPaths<T>(_ names: [(api: String, written: String)], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as RuntimeSettingsError {
            error.field = error.field.map { written($0, names) }
            throw error
        }
    }

    private static func written(_ field: String, _ names: [(api: String, written: String)]) -> String {
        guard let name = names.first(where: { field == $0.api || field.hasPrefix($0.api + ".") }) else { return field }
        return name.written + field.dropFirst(name.api.count)
    }

    /// Objects merged by key, recursively; lists and values replaced; `null` removes the base's
    /// value (as in a JSON merge patch). A network is one choice, so an override replaces it whole:
    /// a pull request's `PUBLIC` never inherits prod's subnets.
    static func mergeSettings(_ base: [String: Any], with overrides: [String: Any]) -> [String: Any] {
        var merged = base
        for (key, value) in overrides {
            if value is NSNull {
                merged.removeValue(forKey: key)
            } else if key != "networkConfiguration", let inner = value as? [String: Any], let existing = merged[key] as? [String: Any] {
                merged[key] = mergeSettings(existing, with: inner)
            } else {
                merged[key] = value
            }
        }
        return merged
    }

    /// Whether `object` has a value at the dotted `path` (list indices as `[n]`).
    private static func contains(_ object: [String: Any], path: String) -> Bool {
        let first = path.split(separator: ".", maxSplits: 1).first.map(String.init) ?? path
        let key = first.split(separator: "[").first.map(String.init) ?? first
        return object[key] != nil
    }

    /// The files the settings name must exist inside the repository, so a typo fails before
    /// anything is built and nothing outside the checkout is ever packaged.
    func checkFiles(in agentDirectory: URL, repositoryRoot: URL, source: String) throws {
        let reader = SettingsReader(source: source)
        let root = repositoryRoot.standardizedFileURL.path
        let checks: [(String, String?)] = [
            ("entryPoint", entryPoint), ("requirements", requirements), ("prompt", prompt), ("uvConfig", uvConfig),
        ]
        for case let (field, path?) in checks {
            let url = Self.resolve(path, in: agentDirectory)
            guard url.path.hasPrefix(root + "/") else {
                throw reader.error(field, "'\(path)' points outside the repository (\(root))", fix: "name a file inside the repository")
            }
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw reader.error(field, "names \(path), which does not exist in \(agentDirectory.path)", fix: "correct the path or add the file")
            }
        }
    }
}

/// Which overrides of `agentcore.json` a deployment takes: pull-request runtimes `pr`, the prod runtime `prod`.
public enum DeploymentEnvironment: String, Sendable, Hashable, CaseIterable {
    case pr
    case prod

    /// `agentcore deploy`'s runtimes (`.manual`) take the base settings.
    public init?(role: RuntimeOwnership.Role) {
        switch role {
        case .pullRequest: self = .pr
        case .production: self = .prod
        case .manual: return nil
        }
    }
}
