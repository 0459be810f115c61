import Foundation

/// Typed access to the JSON of `agentcore.json` with the service model's rules (lengths in code
/// points, patterns, enums, ranges, list sizes); every error names the field's whole path.
struct SettingsReader {
    let source: String

    func error(_ path: String, _ problem: String, fix: String? = nil) -> RuntimeSettingsError {
        RuntimeSettingsError(source: source, field: path, problem: problem, fix: fix)
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func object(_ value: Any, _ path: String, what: String = "an object") throws -> [String: Any] {
        guard let object = value as? [String: Any] else { throw error(path, "must be \(what)") }
        return object
    }

    /// Unknown keys are refused, so a typo fails here rather than silently deploying without it.
    func rejectUnknownKeys(_ object: [String: Any], _ path: String, allowed: [String]) throws {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let known = allowed.filter { $0 != "$schema" }.sorted().joined(separator: ", ")
            throw error(Self.join(path, unknown), "is not a known setting", fix: "use one of: \(known)")
        }
    }

    /// Exactly one member of a union.
    func oneOf(_ object: [String: Any], _ path: String, members: [String]) throws -> String {
        let set = members.filter { object[$0] != nil && !(object[$0] is NSNull) }
        guard set.count == 1 else {
            throw error(
                path, set.isEmpty ? "sets none of its members" : "sets \(set.joined(separator: " and "))",
                fix: "set exactly one of \(members.joined(separator: ", "))")
        }
        return set[0]
    }

    func required(_ object: [String: Any], _ key: String, _ path: String) throws -> Any {
        guard let value = object[key], !(value is NSNull) else {
            throw error(Self.join(path, key), "is missing", fix: "it is required here")
        }
        return value
    }

    /// A string within `length` code points (as AWS counts) matching `pattern` whole.
    func string(
        _ value: Any, _ path: String, length: ClosedRange<Int>? = nil, pattern: Regex<Substring>? = nil,
        patternHint: String? = nil, oneOf allowed: [String]? = nil
    ) throws -> String {
        guard let text = value as? String else { throw error(path, "must be a string") }
        if let allowed, !allowed.contains(text) {
            throw error(path, "'\(text)' is not allowed", fix: "use one of \(allowed.joined(separator: ", "))")
        }
        if let length, !length.contains(text.awsLength) {
            let limits = length.lowerBound == length.upperBound ? "\(length.lowerBound)"
                : "\(length.lowerBound) to \(length.upperBound.formatted(.number.grouping(.automatic)))"
            throw error(path, "is \(text.awsLength) characters long", fix: "AgentCore takes \(limits) characters (code points)")
        }
        if let pattern, text.wholeMatch(of: pattern.matchingSemantics(.unicodeScalar)) == nil {
            throw error(path, "'\(text)' has the wrong form", fix: patternHint ?? "see agentcore.schema.json")
        }
        return text
    }

    func integer(_ value: Any, _ path: String, range: ClosedRange<Int>, unit: String = "") throws -> Int {
        guard !Self.isBoolean(value), let number = value as? NSNumber, let integer = Int(exactly: number.doubleValue),
              range.contains(integer)
        else {
            throw error(path, "must be a whole number\(unit) from \(range.lowerBound) to \(range.upperBound.formatted(.number.grouping(.automatic)))")
        }
        return integer
    }

    func bool(_ value: Any, _ path: String) throws -> Bool {
        guard Self.isBoolean(value), let flag = value as? Bool else { throw error(path, "must be true or false") }
        return flag
    }

    /// JSONSerialization gives numbers and booleans as NSNumber, and on Linux `1 is Bool` holds:
    /// only the boolean class tells `true` from `1`.
    static func isBoolean(_ value: Any) -> Bool {
        String(describing: type(of: value)) == "__NSCFBoolean"
    }

    func list(_ value: Any, _ path: String, count: ClosedRange<Int>) throws -> [Any] {
        guard let items = value as? [Any] else { throw error(path, "must be a list") }
        guard count.contains(items.count) else {
            throw error(path, "has \(items.count) entries", fix: "AgentCore takes \(count.lowerBound) to \(count.upperBound)")
        }
        return items
    }

    func strings(
        _ value: Any, _ path: String, count: ClosedRange<Int>, length: ClosedRange<Int>? = nil,
        pattern: Regex<Substring>? = nil, patternHint: String? = nil
    ) throws -> [String] {
        try list(value, path, count: count).enumerated().map { index, item in
            try string(item, "\(path)[\(index)]", length: length, pattern: pattern, patternHint: patternHint)
        }
    }
}
