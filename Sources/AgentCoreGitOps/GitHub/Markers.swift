import Foundation

/// Why hidden markers in a comment or issue body could not be read. Values in messages are
/// shortened and made printable: they may come from a hostile body.
public enum MarkerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two markers, two metadata blocks or a key twice: we cannot tell which one is ours.
    case ambiguous(String)
    /// A marker that starts like ours but does not follow the format.
    case malformed(String)
    case invalidValue(key: String, value: String, expected: String)
    case missingKey(String)

    public var description: String {
        switch self {
        case .ambiguous(let detail): "Ambiguous deployment markers: \(detail). Remove the extra marker by hand"
        case .malformed(let detail): "Malformed deployment marker: \(detail)"
        case .invalidValue(let key, let value, let expected):
            "Deployment marker \(key) has the invalid value \(MarkerError.printable(value)); expected \(expected)"
        case .missingKey(let key): "Deployment metadata lacks \(key)"
        }
    }

    static func printable(_ value: String) -> String {
        let cleaned = String(value.unicodeScalars.map { scalar in
            scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7f ? Character(scalar) : "?"
        })
        return (cleaned.count > 60 ? String(cleaned.prefix(60)) + "..." : cleaned).debugDescription
    }
}

/// The value formats markers may carry, from the AgentCore API and Git.
public enum MarkerValue {
    public static let runtimeIDPattern = "[a-zA-Z][a-zA-Z0-9_]{0,99}-[a-zA-Z0-9]{10}"
    public static let runtimeNamePattern = "[a-zA-Z][a-zA-Z0-9_]{0,47}"
    public static let versionPattern = "[1-9][0-9]{0,4}"
    public static let commitSHAPattern = "[0-9a-f]{40}"
    public static let sha256Pattern = "[0-9a-f]{64}"
    public static let prNumberPattern = "[1-9][0-9]{0,9}"

    /// Whole-string match, ASCII only.
    public static func matches(_ value: String, _ pattern: String) -> Bool {
        guard value.utf8.allSatisfy({ $0 < 0x80 }), let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }

    /// The runtime name an id starts with (`pr_42` for `pr_42-AbCd1234Ef`), nil for no runtime id.
    /// Lets a flow check that a runtime it is about to delete really is `pr_<number>`.
    public static func runtimeName(ofRuntimeID runtimeID: String) -> String? {
        guard matches(runtimeID, runtimeIDPattern), let dash = runtimeID.lastIndex(of: "-") else { return nil }
        return String(runtimeID[..<dash])
    }

    static func check(_ key: String, _ value: String, _ pattern: String) throws {
        guard matches(value, pattern) else {
            throw MarkerError.invalidValue(key: key, value: value, expected: pattern)
        }
    }
}

/// `<!-- RUNTIME_ID: pr_42-AbCd1234Ef -->`, the hidden line in the pull request's sticky comment
/// that says which runtime belongs to it.
public enum RuntimeIDMarker {
    public static func render(_ runtimeID: String) throws -> String {
        try MarkerValue.check("RUNTIME_ID", runtimeID, MarkerValue.runtimeIDPattern)
        return "<!-- RUNTIME_ID: \(runtimeID) -->"
    }

    /// The runtime id in `text`, nil when there is no marker; throws when there are several or
    /// the value is not a runtime id.
    public static func parse(_ text: String) throws -> String? {
        let found = try MarkerScanner.scan(text).runtimeIDs
        guard found.count <= 1 else { throw MarkerError.ambiguous("\(found.count) RUNTIME_ID markers") }
        guard let value = found.first else { return nil }
        try MarkerValue.check("RUNTIME_ID", value, MarkerValue.runtimeIDPattern)
        return value
    }
}

/// The hidden block in a deployment issue that carries what the promotion needs:
/// ```
/// <!-- DEPLOYMENT_METADATA
/// RUNTIME_ID: prod-XyZ9876WvU
/// VERSION: 5
/// PR_RUNTIME_ID: pr_42-AbCd1234Ef   (or NONE)
/// COMMIT_SHA: <40 hex>
/// PR_NUMBER: 42
/// PACKAGE_SHA256: <64 hex>
/// RUNTIME_NAME: prod
/// -->
/// ```
/// The last four are optional. Unknown keys are ignored so that newer writers stay readable.
public struct DeploymentMetadata: Sendable, Equatable {
    public let runtimeID: String
    public let version: String
    public let prRuntimeID: String?
    public let commitSHA: String?
    public let prNumber: Int?
    public let packageSHA256: String?
    public let runtimeName: String?

    /// Checks every value against its pattern.
    public init(
        runtimeID: String, version: String, prRuntimeID: String?, commitSHA: String? = nil,
        prNumber: Int? = nil, packageSHA256: String? = nil, runtimeName: String? = nil
    ) throws {
        try MarkerValue.check("RUNTIME_ID", runtimeID, MarkerValue.runtimeIDPattern)
        try MarkerValue.check("VERSION", version, MarkerValue.versionPattern)
        if let prRuntimeID { try MarkerValue.check("PR_RUNTIME_ID", prRuntimeID, MarkerValue.runtimeIDPattern) }
        if let commitSHA { try MarkerValue.check("COMMIT_SHA", commitSHA, MarkerValue.commitSHAPattern) }
        if let prNumber { try MarkerValue.check("PR_NUMBER", String(prNumber), MarkerValue.prNumberPattern) }
        if let packageSHA256 { try MarkerValue.check("PACKAGE_SHA256", packageSHA256, MarkerValue.sha256Pattern) }
        if let runtimeName { try MarkerValue.check("RUNTIME_NAME", runtimeName, MarkerValue.runtimeNamePattern) }
        self.runtimeID = runtimeID
        self.version = version
        self.prRuntimeID = prRuntimeID
        self.commitSHA = commitSHA
        self.prNumber = prNumber
        self.packageSHA256 = packageSHA256
        self.runtimeName = runtimeName
    }

    public func rendered() -> String {
        var lines = ["<!-- DEPLOYMENT_METADATA", "RUNTIME_ID: \(runtimeID)", "VERSION: \(version)",
                     "PR_RUNTIME_ID: \(prRuntimeID ?? "NONE")"]
        if let commitSHA { lines.append("COMMIT_SHA: \(commitSHA)") }
        if let prNumber { lines.append("PR_NUMBER: \(prNumber)") }
        if let packageSHA256 { lines.append("PACKAGE_SHA256: \(packageSHA256)") }
        if let runtimeName { lines.append("RUNTIME_NAME: \(runtimeName)") }
        lines.append("-->")
        return lines.joined(separator: "\n")
    }

    /// The metadata block in `text`, nil when there is none; throws when there are several,
    /// a key repeats, a required key is missing or a value does not match its pattern.
    public static func parse(_ text: String) throws -> DeploymentMetadata? {
        let blocks = try MarkerScanner.scan(text).metadataBlocks
        guard blocks.count <= 1 else { throw MarkerError.ambiguous("\(blocks.count) DEPLOYMENT_METADATA blocks") }
        guard let fields = blocks.first else { return nil }
        func required(_ key: String) throws -> String {
            guard let value = fields[key] else { throw MarkerError.missingKey(key) }
            return value
        }
        func optional(_ key: String) -> String? {
            fields[key].flatMap { $0 == "NONE" ? nil : $0 }
        }
        let prRuntime = try required("PR_RUNTIME_ID")
        var prNumber: Int?
        if let text = optional("PR_NUMBER") {
            try MarkerValue.check("PR_NUMBER", text, MarkerValue.prNumberPattern)
            prNumber = Int(text)
        }
        return try DeploymentMetadata(
            runtimeID: try required("RUNTIME_ID"), version: try required("VERSION"),
            prRuntimeID: prRuntime == "NONE" ? nil : prRuntime, commitSHA: optional("COMMIT_SHA"),
            prNumber: prNumber, packageSHA256: optional("PACKAGE_SHA256"), runtimeName: optional("RUNTIME_NAME"))
    }
}

/// Finds markers the way GitHub renders Markdown: a marker counts only as an HTML comment at
/// the start of a line (at most three spaces in), outside fenced and indented code blocks and
/// block quotes. Inline code cannot hold one, since the line must start with `<!--`.
enum MarkerScanner {
    struct Result {
        var runtimeIDs: [String] = []
        var metadataBlocks: [[String: String]] = []
        /// Other one-line markers `<!-- KEY: value -->` by key, values unchecked: informational
        /// markers that the caller validates, and ignores when they are not well formed.
        var lineMarkers: [String: [String]] = [:]
    }

    private struct Fence {
        let character: Character
        let length: Int
    }

    static func scan(_ text: String) throws -> Result {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        var result = Result()
        var fence: Fence?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            if let open = fence {
                if closesFence(line, open) { fence = nil }
                continue
            }
            if let opened = opensFence(line) {
                fence = opened
                continue
            }
            guard indentation(of: line) < 4 else { continue }
            let content = line.trimmingCharacters(in: .whitespaces)
            guard content.hasPrefix("<!--") else { continue }
            let inner = content.dropFirst(4).trimmingCharacters(in: .whitespaces)

            if inner.hasPrefix("RUNTIME_ID:") {
                guard inner.hasSuffix("-->") else { throw MarkerError.malformed("a RUNTIME_ID marker does not end with -->") }
                let value = inner.dropFirst("RUNTIME_ID:".count).dropLast(3).trimmingCharacters(in: .whitespaces)
                guard !value.contains("<!--"), !value.contains("-->") else {
                    throw MarkerError.malformed("a RUNTIME_ID marker holds another marker")
                }
                result.runtimeIDs.append(value)
            } else if inner == "DEPLOYMENT_METADATA" || inner.hasPrefix("DEPLOYMENT_METADATA ")
                        || inner.hasPrefix("DEPLOYMENT_METADATA\t") {
                guard inner == "DEPLOYMENT_METADATA" else {
                    throw MarkerError.malformed("text after DEPLOYMENT_METADATA on its first line")
                }
                let (fields, consumed) = try metadataBlock(lines[index...])
                result.metadataBlocks.append(fields)
                index += consumed
            } else if let marker = lineMarker(inner) {
                result.lineMarkers[marker.key, default: []].append(marker.value)
            }
        }
        return result
    }

    /// `KEY: value -->` on one line (after the `<!--`), nil for anything else.
    private static func lineMarker(_ inner: String) -> (key: String, value: String)? {
        guard inner.hasSuffix("-->"), let colon = inner.firstIndex(of: ":") else { return nil }
        let key = String(inner[..<colon])
        let value = inner[inner.index(after: colon)...].dropLast(3).trimmingCharacters(in: .whitespaces)
        guard MarkerValue.matches(key, "[A-Z][A-Z0-9_]{0,63}"), !value.contains("<!--"), !value.contains("-->") else { return nil }
        return (key, value)
    }

    /// Reads `KEY: value` lines up to `-->`; returns the fields and how many lines it used.
    private static func metadataBlock(_ lines: ArraySlice<Substring>) throws -> ([String: String], Int) {
        var fields: [String: String] = [:]
        var consumed = 0
        for line in lines {
            consumed += 1
            var content = line.trimmingCharacters(in: .whitespaces)
            if content.contains("<!--") { throw MarkerError.malformed("a marker nested in DEPLOYMENT_METADATA") }
            var closes = false
            if let end = content.range(of: "-->") {
                guard content[end.upperBound...].trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw MarkerError.malformed("text after the --> that ends DEPLOYMENT_METADATA")
                }
                content = content[..<end.lowerBound].trimmingCharacters(in: .whitespaces)
                closes = true
            }
            if !content.isEmpty {
                let (key, value) = try keyValue(content)
                guard fields[key] == nil else { throw MarkerError.ambiguous("DEPLOYMENT_METADATA has \(key) twice") }
                fields[key] = value
            }
            if closes { return (fields, consumed) }
        }
        throw MarkerError.malformed("DEPLOYMENT_METADATA is not closed with -->")
    }

    private static func keyValue(_ line: String) throws -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else {
            throw MarkerError.malformed("the line \(MarkerError.printable(line)) in DEPLOYMENT_METADATA is not KEY: value")
        }
        let key = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard MarkerValue.matches(key, "[A-Z][A-Z0-9_]{0,63}") else {
            throw MarkerError.malformed("the key \(MarkerError.printable(key)) in DEPLOYMENT_METADATA is not KEY_NAME")
        }
        guard !value.isEmpty, !value.contains(where: \.isWhitespace) else {
            throw MarkerError.invalidValue(key: key, value: value, expected: "one word")
        }
        return (key, value)
    }

    /// Columns of leading whitespace, a tab counting to the next multiple of four.
    private static func indentation(of line: Substring) -> Int {
        var columns = 0
        for character in line {
            if character == " " { columns += 1 } else if character == "\t" { columns += 4 - columns % 4 } else { break }
        }
        return columns
    }

    private static func opensFence(_ line: Substring) -> Fence? {
        guard indentation(of: line) < 4 else { return nil }
        let content = line.drop { $0 == " " }
        guard let first = content.first, first == "`" || first == "~" else { return nil }
        let length = content.prefix { $0 == first }.count
        guard length >= 3 else { return nil }
        // A backtick fence's info string may not contain backticks (it would be inline code).
        if first == "`", content.dropFirst(length).contains("`") { return nil }
        return Fence(character: first, length: length)
    }

    private static func closesFence(_ line: Substring, _ fence: Fence) -> Bool {
        guard indentation(of: line) < 4 else { return false }
        let content = line.drop { $0 == " " }
        let length = content.prefix { $0 == fence.character }.count
        return length >= fence.length && content.dropFirst(length).allSatisfy { $0 == " " || $0 == "\t" }
    }
}

/// Text GitHub says someone wrote: a comment or an issue with its author.
public protocol GitHubAuthoredText {
    var author: GitHubUser? { get }
    var text: String { get }
}

extension GitHubComment: GitHubAuthoredText {
    public var author: GitHubUser? { user }
    public var text: String { body ?? "" }
}

extension GitHubIssue: GitHubAuthoredText {
    public var author: GitHubUser? { user }
    public var text: String { body ?? "" }
}

/// Reads markers only from text the configured bot wrote: anyone who can comment can type a
/// marker, so text by anybody else is never parsed.
public struct TrustedMarkers: Sendable {
    public let botLogin: String

    public init(botLogin: String = GitHubConfiguration.defaultBotLogin) {
        self.botLogin = botLogin
    }

    public func isBot(_ user: GitHubUser?) -> Bool {
        guard let login = user?.login else { return false }
        return login.caseInsensitiveCompare(botLogin) == .orderedSame
    }

    /// The deployment metadata in `item`, or nil when someone other than the bot wrote it or
    /// it has none.
    public func deploymentMetadata(in item: some GitHubAuthoredText) throws -> DeploymentMetadata? {
        guard isBot(item.author) else { return nil }
        return try DeploymentMetadata.parse(item.text)
    }

    /// The runtime id in `item`, or nil when someone other than the bot wrote it or it has none.
    public func runtimeID(in item: some GitHubAuthoredText) throws -> String? {
        guard isBot(item.author) else { return nil }
        return try RuntimeIDMarker.parse(item.text)
    }

    /// The runtime id the bot recorded among a pull request's comments; throws when its
    /// comments name two different runtimes.
    public func runtimeID(inComments comments: [GitHubComment]) throws -> String? {
        let found = Set(try comments.compactMap { try runtimeID(in: $0) })
        guard found.count <= 1 else {
            throw MarkerError.ambiguous("the bot's comments name \(found.count) different runtimes")
        }
        return found.first
    }
}
