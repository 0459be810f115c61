import Foundation

/// The agent directory's `.agentcoreignore`: paths kept out of the package, in gitignore syntax
/// (`#` comments, `!` negation, `*`, `?`, `[...]`, `**`, a leading `/` anchors to the agent
/// directory, a trailing `/` matches directories only; the last matching pattern wins, and a
/// file inside an ignored directory cannot be brought back).
public struct IgnoreFile: Sendable, Equatable {
    public static let fileName = ".agentcoreignore"

    /// The pattern lines as written (comments and blank lines dropped): part of the package identity.
    public private(set) var patterns: [String] = []
    private var rules: [Rule] = []

    public init(_ text: String) {
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            guard let rule = Rule(String(rawLine)) else { continue }
            patterns.append(rule.source)
            rules.append(rule)
        }
    }

    /// The agent directory's ignore file, or nil when it has none.
    public static func load(agentDirectory: URL) throws -> IgnoreFile? {
        let file = agentDirectory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw PackagingError.unreadable(path: file.path, reason: "not UTF-8 text; write one gitignore pattern per line")
        }
        return IgnoreFile(text)
    }

    /// Whether `path` (relative, slash-separated) is ignored; its parent directories are checked
    /// by the walk, which never enters an ignored directory.
    public func ignores(_ path: String, isDirectory: Bool) -> Bool {
        let components = path.split(separator: "/").map { Array($0.utf8) }
        var ignored = false
        for rule in rules where rule.negated == ignored {
            if rule.matches(components, isDirectory: isDirectory) { ignored = !rule.negated }
        }
        return ignored
    }

    private struct Rule: Sendable, Equatable {
        enum Part: Sendable, Equatable {
            case anyDirectories  // `**`
            case glob([UInt8])
        }

        var source: String
        var negated = false
        var directoryOnly = false
        var parts: [Part] = []

        init?(_ line: String) {
            var text = line
            // Trailing spaces are dropped unless escaped.
            while text.hasSuffix(" ") && !text.hasSuffix("\\ ") { text.removeLast() }
            guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
            source = text
            if text.hasPrefix("!") {
                negated = true
                text.removeFirst()
            } else if text.hasPrefix("\\!") || text.hasPrefix("\\#") {
                text.removeFirst()
            }
            if text.hasSuffix("/") {
                directoryOnly = true
                text.removeLast()
            }
            // A slash at the start or in the middle anchors the pattern to the agent directory;
            // otherwise it matches at any depth.
            let anchored = text.contains("/")
            if text.hasPrefix("/") { text.removeFirst() }
            guard !text.isEmpty else { return nil }
            if !anchored { parts.append(.anyDirectories) }
            for component in text.split(separator: "/", omittingEmptySubsequences: true) {
                parts.append(component == "**" ? .anyDirectories : .glob(Array(component.utf8)))
            }
            // `dir/**` matches what is inside `dir`, not `dir` itself.
            if parts.last == .anyDirectories { parts.append(.glob(Array("*".utf8))) }
        }

        func matches(_ path: [[UInt8]], isDirectory: Bool) -> Bool {
            if directoryOnly && !isDirectory { return false }
            return Self.match(parts[...], path[...])
        }

        private static func match(_ parts: ArraySlice<Part>, _ path: ArraySlice<[UInt8]>) -> Bool {
            guard let part = parts.first else { return path.isEmpty }
            switch part {
            case .anyDirectories:
                // Zero or more whole components.
                var rest = path
                while true {
                    if match(parts.dropFirst(), rest) { return true }
                    guard !rest.isEmpty else { return false }
                    rest = rest.dropFirst()
                }
            case .glob(let pattern):
                guard let component = path.first, glob(pattern[...], component[...]) else { return false }
                return match(parts.dropFirst(), path.dropFirst())
            }
        }

        /// fnmatch within one component: `*`, `?`, `[...]` (with `!` or `^` negation and
        /// ranges), `\x` for a literal x.
        static func glob(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
            var p = pattern.startIndex, n = name.startIndex
            var starP: Int?, starN = 0
            while n < name.endIndex {
                if p < pattern.endIndex {
                    let byte = pattern[p]
                    if byte == UInt8(ascii: "*") {
                        starP = p
                        starN = n
                        p += 1
                        continue
                    }
                    if byte == UInt8(ascii: "?") {
                        p += 1
                        n += 1
                        continue
                    }
                    if byte == UInt8(ascii: "["), let (matched, next) = bracket(pattern, p, name[n]) {
                        if matched {
                            p = next
                            n += 1
                            continue
                        }
                    } else {
                        var literal = byte
                        var next = p + 1
                        if byte == UInt8(ascii: "\\"), next < pattern.endIndex {
                            literal = pattern[next]
                            next += 1
                        }
                        if literal == name[n] {
                            p = next
                            n += 1
                            continue
                        }
                    }
                }
                // Mismatch: let the last `*` take one more byte.
                guard let star = starP else { return false }
                p = star + 1
                starN += 1
                n = starN
            }
            while p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") { p += 1 }
            return p == pattern.endIndex
        }

        /// A `[...]` class at `start`: whether `byte` is in it and where the pattern continues;
        /// nil when the bracket is not closed (then `[` is a literal).
        private static func bracket(_ pattern: ArraySlice<UInt8>, _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
            var index = start + 1
            var negate = false
            if index < pattern.endIndex && (pattern[index] == UInt8(ascii: "!") || pattern[index] == UInt8(ascii: "^")) {
                negate = true
                index += 1
            }
            var matched = false
            var first = true
            while index < pattern.endIndex {
                var low = pattern[index]
                if low == UInt8(ascii: "]") && !first { return (matched != negate, index + 1) }
                first = false
                if low == UInt8(ascii: "\\") && index + 1 < pattern.endIndex {
                    index += 1
                    low = pattern[index]
                }
                var high = low
                if index + 2 < pattern.endIndex && pattern[index + 1] == UInt8(ascii: "-") && pattern[index + 2] != UInt8(ascii: "]") {
                    high = pattern[index + 2]
                    index += 2
                }
                if low <= byte && byte <= high { matched = true }
                index += 1
            }
            return nil
        }
    }
}
