import Foundation

/// The service model's patterns, checked locally so a typo fails fast with a useful message
/// instead of a ValidationException (or, against an emulator, not at all). Input AWS would
/// reject is an `ActionableError`.
public enum AgentCoreValidation {
    public static let maxNameLength = 48
    /// A runtime's environment variables: how many, and how long a name and a value may be.
    public static let maxEnvironmentVariables = 50
    public static let maxEnvironmentKeyLength = 100
    public static let maxEnvironmentValueLength = 5_000

    /// Runtime and endpoint names: `[a-zA-Z][a-zA-Z0-9_]{0,47}`.
    public static func checkName(_ name: String, kind: String = "runtime name") throws(ActionableError) {
        guard !name.isEmpty else {
            throw ActionableError("the \(kind) is empty", fix: "give a name such as pr_42")
        }
        let invalid = name.unicodeScalars.filter { !isNameCharacter($0) }
        if !invalid.isEmpty {
            let shown = Set(invalid.map { "'\($0)'" }).sorted().joined(separator: ", ")
            throw ActionableError(
                "\(kind) '\(name)' contains \(shown), but names allow only letters, digits and underscores",
                fix: "use underscores: \(suggestedName(for: name))")
        }
        if !isLetter(name.unicodeScalars.first!) {
            throw ActionableError(
                "\(kind) '\(name)' starts with '\(name.first!)', but names start with a letter",
                fix: "put a letter first, e.g. \(suggestedName(for: name))")
        }
        if name.awsLength > maxNameLength {
            throw ActionableError(
                "\(kind) '\(name)' is \(name.awsLength) characters long; the limit is \(maxNameLength)",
                fix: "shorten it, e.g. \(suggestedName(for: name))")
        }
    }

    /// Runtime versions: `[1-9][0-9]{0,4}`, sent as strings. `listing` tells the user where to
    /// find the versions, in the words of the front end they use.
    public static func checkVersion(_ version: String, listing: String? = nil) throws(ActionableError) {
        if version.first == "v" || version.first == "V", (try? checkVersion(String(version.dropFirst()))) != nil {
            throw ActionableError(
                "version '\(version)' has a prefix", fix: "use the number alone: \(version.dropFirst())")
        }
        guard !version.isEmpty, version.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ActionableError(
                "version '\(version)' is not a number",
                fix: "give a version number such as 3" + (listing.map { " (\($0))" } ?? ""))
        }
        guard version.first != "0" else {
            throw ActionableError(
                "version '\(version)' starts with 0", fix: "versions count from 1 without leading zeros")
        }
        guard version.awsLength <= 5 else {
            throw ActionableError("version '\(version)' is too large", fix: "versions have at most 5 digits")
        }
    }

    /// A runtime id is `{name}-{10 letters or digits}`; a name can never contain `-`.
    public static func isRuntimeID(_ text: String) -> Bool {
        guard let dash = text.lastIndex(of: "-") else { return false }
        let name = text[..<dash], suffix = text[text.index(after: dash)...]
        return !name.isEmpty && name.awsLength <= 100 && isLetter(name.unicodeScalars.first!)
            && name.unicodeScalars.allSatisfy(isNameCharacter)
            && suffix.awsLength == 10 && suffix.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) }
    }

    public static func checkRuntimeID(_ id: String) throws(ActionableError) {
        guard isRuntimeID(id) else {
            throw ActionableError(
                "'\(id)' is not a runtime id (ids look like pr_42-AbCdEfGhIj)",
                fix: "copy the id from the list of runtimes, or give the runtime's name")
        }
    }

    /// What a runtime argument names: ids contain a dash, names never do.
    public enum RuntimeReference: Equatable, Sendable {
        case id(String)
        case name(String)
    }

    public static func runtimeReference(_ text: String) throws(ActionableError) -> RuntimeReference {
        if isRuntimeID(text) { return .id(text) }
        if text.contains("-") {
            throw ActionableError(
                "'\(text)' is neither a runtime id (name-AbCdEfGhIj) nor a runtime name "
                    + "(letters, digits and underscores)",
                fix: "if you meant a name, use underscores: \(suggestedName(for: text))")
        }
        try checkName(text)
        return .name(text)
    }

    /// The nearest valid name: invalid characters become underscores, a letter goes first.
    public static func suggestedName(for name: String) -> String {
        var result = String(String.UnicodeScalarView(name.unicodeScalars.map { isNameCharacter($0) ? $0 : "_" }))
        if result.isEmpty || !isLetter(result.unicodeScalars.first!) { result = "r_" + result }
        return String(result.prefix(maxNameLength))
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isLetter(scalar) || isDigit(scalar) || scalar == "_"
    }
}
