import Foundation

/// The start of an error message, fit to quote to people: secrets removed, control and
/// direction-changing characters dropped, at most `maxLines` lines of at most `maxLineLength`
/// characters. Plain text: whoever shows it escapes it for the medium.
public struct ErrorExcerpt: Sendable, Equatable {
    public var text: String
    /// Lines or characters were cut; the whole message is only in the log.
    public var truncated: Bool

    public static let maxLines = 8
    public static let maxLineLength = 300
}

// Initializers written here leave the struct its memberwise one.
extension ErrorExcerpt {
    /// The error as the executable prints it (`String(describing:)`), made fit.
    public init(describing error: any Error, redactor: SecretRedactor) {
        self.init(message: String(describing: error), redactor: redactor)
    }

    public init(message: String, redactor: SecretRedactor) {
        // Secrets go before anything is cut, so a secret on the cut is not left half visible.
        let cleaned = Self.printable(redactor.redact(message))
        var lines = cleaned.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.replacing(/[ \t]+$/, with: "")) }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        var truncated = lines.count > Self.maxLines
        lines = Array(lines.prefix(Self.maxLines)).map { line in
            guard line.count > Self.maxLineLength else { return line }
            truncated = true
            return String(line.prefix(Self.maxLineLength)) + "…"
        }
        let text = lines.joined(separator: "\n")
        self.init(text: text.isEmpty ? "(the error has no message)" : text, truncated: truncated)
    }

    /// Newlines made `\n`, tabs spaces; other control characters and invisible format
    /// characters (bidirectional overrides, zero-width spaces) removed.
    static func printable(_ text: String) -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var scalars = String.UnicodeScalarView()
        for scalar in unified.unicodeScalars {
            switch scalar {
            case "\n": scalars.append(scalar)
            case "\t": scalars.append(" ")
            default:
                switch scalar.properties.generalCategory {
                case .control, .format, .surrogate, .privateUse: continue
                default: scalars.append(scalar)
                }
            }
        }
        return String(scalars)
    }
}
