import Foundation

/// The profile settings from `~/.aws/credentials` and `~/.aws/config`, read as the SDKs read them:
/// `[name]` sections in the credentials file, `[profile name]` (or `[default]`) in the config
/// file, `key = value` lines, `#` and `;` comments. A key in the credentials file wins over the
/// same key in the config file. Indented sub-settings (`s3 =` blocks) are skipped.
struct AWSSharedConfigFiles {
    let credentialsFile: URL
    let configFile: URL
    private let credentialsSections: [String: [String: String]]
    private let configSections: [String: [String: String]]

    init(environment: [String: String]) throws {
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        credentialsFile = environment["AWS_SHARED_CREDENTIALS_FILE"].map { Self.expandingTilde($0, home: home) }
            ?? home.appendingPathComponent(".aws/credentials")
        configFile = environment["AWS_CONFIG_FILE"].map { Self.expandingTilde($0, home: home) }
            ?? home.appendingPathComponent(".aws/config")
        credentialsSections = try Self.parse(fileAt: credentialsFile)
        configSections = Dictionary(
            try Self.parse(fileAt: configFile).compactMap { name, values in
                Self.configProfileName(name).map { ($0, values) }
            },
            uniquingKeysWith: { first, _ in first })
    }

    /// The merged settings of a profile, or nil when neither file has it.
    func profile(_ name: String) -> [String: String]? {
        let fromCredentials = credentialsSections[name]
        let fromConfig = configSections[name]
        if fromCredentials == nil && fromConfig == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentials in credentials }
    }

    var searchedFiles: String { "\(credentialsFile.path) and \(configFile.path)" }

    /// `profile x` → `x`; `default` → `default`; anything else is not a profile section.
    private static func configProfileName(_ section: String) -> String? {
        if section == "default" { return section }
        let parts = section.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0] == "profile" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    private static func expandingTilde(_ path: String, home: URL) -> URL {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home.appendingPathComponent(String(path.dropFirst(2))) }
        return URL(fileURLWithPath: path)
    }

    /// A missing file is an empty one, as for the SDKs; an unreadable one is an error.
    static func parse(fileAt url: URL) throws -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw AWSConfigurationError.unreadableFile(path: url.path, reason: "\(error)")
        }
        return parse(text)
    }

    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let isIndented = rawLine.first?.isWhitespace ?? false
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || isIndented { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = Self.strippingInlineComment(line[line.index(after: equals)...])
            sections[section]?[key] = value
        }
        return sections
    }

    /// `region = us-east-1 # work` → `us-east-1`; a `#` inside a value needs white space before it.
    private static func strippingInlineComment(_ value: Substring) -> String {
        var text = String(value)
        for marker in [" #", "\t#", " ;", "\t;"] {
            if let range = text.range(of: marker) { text = String(text[..<range.lowerBound]) }
        }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
