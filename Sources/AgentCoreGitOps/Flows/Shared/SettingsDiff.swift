import Foundation

/// One setting that differs between two runtime configurations, by its API path
/// (`authorizerConfiguration.customJWTAuthorizer.allowedAudience`), with values ready to print.
public struct SettingChange: Sendable, Equatable {
    public var path: String
    /// Nil: not set on that side.
    public var old: String?
    public var new: String?

    public init(path: String, old: String?, new: String?) {
        self.path = path
        self.old = old
        self.new = new
    }
}

/// Compares two configurations field by field. The code location is left out (the package's
/// SHA-256 says that); the runtime and entry point are kept. Environment variable values, and any
/// value that looks like a credential, are redacted.
public struct SettingsDiff: Sendable {
    /// Variables whose `${NAME}` could not be read in this job: not compared.
    public var unresolvedVariables: Set<String>
    public var redactor: SecretRedactor

    public init(unresolvedVariables: Set<String> = [], redactor: SecretRedactor = SecretRedactor(secrets: [])) {
        self.unresolvedVariables = unresolvedVariables
        self.redactor = redactor
    }

    public func changes(from old: AgentRuntimeConfiguration?, to new: AgentRuntimeConfiguration) -> [SettingChange] {
        let before = old.map { Self.flatten($0.normalized) } ?? [:]
        let after = Self.flatten(new.normalized)
        var changes: [SettingChange] = []
        for path in Set(before.keys).union(after.keys).sorted() {
            if let variable = Self.variableName(path), unresolvedVariables.contains(variable) { continue }
            guard before[path] != after[path] else { continue }
            changes.append(SettingChange(path: path, old: before[path].map { shown($0, path) }, new: after[path].map { shown($0, path) }))
        }
        return changes
    }

    /// Tags by key (`tags.team`), sent apart from the configuration. Their values are not secret.
    public static func tagChanges(from old: [String: String]?, to new: [String: String]?) -> [SettingChange] {
        let before = old ?? [:], after = new ?? [:]
        return Set(before.keys).union(after.keys).sorted().compactMap { key in
            before[key] == after[key] ? nil : SettingChange(path: "tags.\(key)", old: before[key], new: after[key])
        }
    }

    /// The paths that differ, for a drift report (values are not compared by their text there).
    public static func differingPaths(_ old: AgentRuntimeConfiguration, _ new: AgentRuntimeConfiguration) -> [String] {
        let before = flatten(old.normalized, includingCode: true), after = flatten(new.normalized, includingCode: true)
        return Set(before.keys).union(after.keys).sorted().filter { before[$0] != after[$0] }
    }

    /// Environment variable values are never shown: prod keeps `${NAME}` secrets resolved, and a
    /// change that removes or renames one would otherwise print its value from prod's side.
    private func shown(_ value: String, _ path: String) -> String {
        if Self.variableName(path) != nil { return SecretRedactor.placeholder }
        return redactor.redact(value)
    }

    static func variableName(_ path: String) -> String? {
        path.hasPrefix("environmentVariables.") ? String(path.dropFirst("environmentVariables.".count)) : nil
    }

    /// Leaves of the JSON AWS would get, by dotted path; lists are one value each.
    static func flatten(_ configuration: AgentRuntimeConfiguration, includingCode: Bool = false) -> [String: String] {
        guard let data = try? AgentCoreJSON.encoder.encode(configuration),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        var leaves: [String: String] = [:]
        func walk(_ value: Any, _ path: String) {
            if let map = value as? [String: Any], !path.hasPrefix("environmentVariables.") {
                for (key, inner) in map { walk(inner, path.isEmpty ? key : "\(path).\(key)") }
            } else {
                leaves[path] = render(value)
            }
        }
        walk(object, "")
        // Where the code is stored is the package's identity, reported as its SHA-256.
        return includingCode ? leaves : leaves.filter { !$0.key.hasPrefix("agentRuntimeArtifact.codeConfiguration.code.") }
    }

    static func render(_ value: Any) -> String {
        if let text = value as? String { return text }
        if SettingsReader.isBoolean(value) { return (value as? Bool) == true ? "true" : "false" }
        if let number = value as? NSNumber { return number.stringValue }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: options) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
