import Foundation

/// How many versions of a runtime to keep: the newest `keepNewest` and the last `keepPromoted`
/// promoted, besides every version an endpoint serves or targets. Read from
/// `AGENTCORE_KEEP_VERSIONS` (default 50) and `AGENTCORE_KEEP_PROMOTED` (default 10).
public struct RetentionPolicy: Sendable, Equatable, Encodable {
    public static let defaultKeepNewest = 50
    public static let defaultKeepPromoted = 10

    public var keepNewest: Int
    public var keepPromoted: Int

    /// Checks the numbers: at least one newest version (AWS never deletes the latest anyway), and
    /// no more than a runtime can hold.
    public init(keepNewest: Int = defaultKeepNewest, keepPromoted: Int = defaultKeepPromoted) throws {
        var problems: [String] = []
        if !(1...Headroom.versionsPerRuntime).contains(keepNewest) {
            problems.append("the number of newest versions to keep is \(keepNewest); it must be from 1 to \(Headroom.versionsPerRuntime)")
        }
        if !(0...Headroom.versionsPerRuntime).contains(keepPromoted) {
            problems.append("the number of promoted versions to keep is \(keepPromoted); it must be from 0 to \(Headroom.versionsPerRuntime)")
        }
        guard problems.isEmpty else {
            throw ActionableError(problems.joined(separator: "; "), fix: "give whole numbers in those ranges")
        }
        self.keepNewest = keepNewest
        self.keepPromoted = keepPromoted
    }

    /// The policy the environment sets; `keepNewest` and `keepPromoted` (command-line options)
    /// win over the variables. An empty variable counts as unset, as Actions passes an undefined `vars.X`.
    public static func fromEnvironment(
        _ environment: [String: String], keepNewest: Int? = nil, keepPromoted: Int? = nil
    ) throws -> RetentionPolicy {
        func number(_ name: String, default fallback: Int) throws -> Int {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                return fallback
            }
            guard let value = Int(text) else {
                throw ActionableError("\(name) is \(MarkerError.printable(text)), not a whole number",
                                      fix: "set \(name) to a whole number, or leave it unset for \(fallback)")
            }
            return value
        }
        return try RetentionPolicy(
            keepNewest: try keepNewest ?? number("AGENTCORE_KEEP_VERSIONS", default: defaultKeepNewest),
            keepPromoted: try keepPromoted ?? number("AGENTCORE_KEEP_PROMOTED", default: defaultKeepPromoted))
    }
}
