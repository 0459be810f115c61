import Foundation

/// Takes secrets out of text that leaves the runner, such as an error quoted in a pull request
/// comment: the runner masks secrets in the log, but nothing masks what we post to GitHub.
/// Known secret values go first; then anything shaped like a credential, whatever it came from.
public struct SecretRedactor: Sendable {
    /// Variables whose values are secrets, masked in the log and redacted from comments.
    public static let secretVariables = [
        "GITHUB_TOKEN", "GH_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_RUNTIME_TOKEN",
    ]
    public static let placeholder = "[redacted]"

    /// Longest first, so a secret that contains another is replaced whole.
    public let secrets: [String]

    /// Values shorter than 6 characters are left out: replacing every "1" or "true" would wreck
    /// the text and hide nothing.
    public init(secrets: [String]) {
        self.secrets = Set(secrets.filter { $0.count >= 6 }).sorted { $0.count > $1.count || ($0.count == $1.count && $0 < $1) }
    }

    /// The values of `secretVariables`, and of any variable whose name says it holds a secret.
    public init(environment: [String: String]) {
        let named = ["TOKEN", "SECRET", "PASSWORD", "PRIVATE_KEY"]
        self.init(secrets: environment.compactMap { name, value in
            let upper = name.uppercased()
            return Self.secretVariables.contains(name) || named.contains(where: upper.contains) ? value : nil
        })
    }

    public func redact(_ text: String) -> String {
        var text = text
        for secret in secrets {
            text = text.replacingOccurrences(of: secret, with: Self.placeholder)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
                text = text.replacingOccurrences(of: encoded, with: Self.placeholder)
            }
        }
        return Self.redactCredentialShapes(text)
    }

    /// Headers and fields that carry credentials, bearer tokens, GitHub and AWS key formats,
    /// JSON web tokens and private keys.
    static func redactCredentialShapes(_ text: String) -> String {
        let placeholder = Self.placeholder
        var text = text
        // `Authorization: AWS4-HMAC-SHA256 Credential=..., Signature=...`: the rest of the line goes.
        let header = /(authorization|proxy-authorization|cookie|set-cookie|x-amz-security-token|x-amz-signature|x-amz-credential)(["']?[ \t]*[:=][ \t]*)[^\r\n]*/
            .ignoresCase()
        text = text.replacing(header) { "\($0.output.1)\($0.output.2)\(placeholder)" }
        let scheme = /\b(bearer|basic|token)([ \t]+)[A-Za-z0-9._~+\/=-]{12,}/.ignoresCase()
        text = text.replacing(scheme) { "\($0.output.1)\($0.output.2)\(placeholder)" }
        // A name that ends in the word, so `ExpiredTokenException: The token ...` keeps its message.
        let field = /\b([A-Za-z0-9_-]*(?:token|secret|password|passwd|signature|credentials?|api[_-]?key|access[_-]?key))(["']?[ \t]*[:=][ \t]*["']?)[^\s"'&,;]+/
            .ignoresCase()
        text = text.replacing(field) { "\($0.output.1)\($0.output.2)\(placeholder)" }
        text = text.replacing(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/, with: placeholder)
        text = text.replacing(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/, with: placeholder)
        text = text.replacing(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, with: placeholder)
        text = text.replacing(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\z)/, with: placeholder)
        return text
    }
}

/// The start of an error message, fit to quote to people: secrets removed, control and
/// direction-changing characters dropped, at most `maxLines` lines of at most `maxLineLength`
/// characters. Plain text: whoever shows it escapes it for the medium.
public struct ErrorExcerpt: Sendable, Equatable {
    public var text: String
    /// Lines or characters were cut; the whole message is only in the log.
    public var truncated: Bool

    public static let maxLines = 8
    public static let maxLineLength = 300

    public init(text: String, truncated: Bool) {
        self.text = text
        self.truncated = truncated
    }

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
