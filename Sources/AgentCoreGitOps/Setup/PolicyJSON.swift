import Foundation

/// JSON with object members in the order they were written, so generated policies read the way
/// IAM's documentation writes them (`Sid`, `Effect`, `Principal`, `Action`, ...), and print the same
/// on every run.
public indirect enum OrderedJSON: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([OrderedJSON])
    case object([Member])

    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: OrderedJSON

        public init(_ key: String, _ value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// Pretty text: two-space indentation; from `expandDepth` down, an array or object that fits
    /// on one line within `width` columns is written on one line.
    public func rendered(width: Int = 100, expandDepth: Int = 3) -> String {
        render(depth: 0, indent: 0, prefix: 0, width: width, expandDepth: expandDepth)
    }

    /// Everything on one line, as `--json` prints it when a line is wanted.
    public var compact: String {
        switch self {
        case .string(let text): Self.quoted(text)
        case .int(let number): String(number)
        case .bool(let value): value ? "true" : "false"
        case .array(let items): "[" + items.map(\.compact).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.map { Self.quoted($0.key) + ": " + $0.value.compact }.joined(separator: ", ") + "}"
        }
    }

    private func render(depth: Int, indent: Int, prefix: Int, width: Int, expandDepth: Int) -> String {
        let inline = compact
        switch self {
        case .string, .int, .bool:
            return inline
        case .array(let items):
            if items.isEmpty || (depth >= expandDepth && indent + prefix + inline.count <= width) { return inline }
            let inner = String(repeating: " ", count: indent + 2)
            let lines = items.map {
                inner + $0.render(depth: depth + 1, indent: indent + 2, prefix: 0, width: width, expandDepth: expandDepth)
            }
            return "[\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty || (depth >= expandDepth && indent + prefix + inline.count <= width) { return inline }
            let inner = String(repeating: " ", count: indent + 2)
            let lines = members.map { member -> String in
                let key = Self.quoted(member.key) + ": "
                return inner + key + member.value.render(
                    depth: depth + 1, indent: indent + 2, prefix: key.count, width: width, expandDepth: expandDepth)
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
