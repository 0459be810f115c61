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

    /// Every non-empty value is redacted, however short: each was declared a secret. Values
    /// `${NAME}` reads are at least `EnvironmentSettings.minimumSecretLength` long (shorter ones
    /// are refused and left out, see `AgentSource.redactor`), so this never replaces every "a"
    /// or "1" of a message.
    public init(secrets: [String]) {
        self.secrets = Set(secrets.filter { !$0.isEmpty }).sorted { $0.count > $1.count || ($0.count == $1.count && $0 < $1) }
    }

    /// A variable whose name only looks secret (`MAX_TOKENS=1000`) may hold an ordinary setting:
    /// values shorter than this are left in the text.
    static let minimumGuessedSecretLength = 6

    /// The values of `secretVariables`, and of any variable whose name says it holds a secret.
    public init(environment: [String: String]) {
        let named = ["TOKEN", "SECRET", "PASSWORD", "PRIVATE_KEY", "API_KEY"]
        self.init(secrets: environment.compactMap { name, value in
            if Self.secretVariables.contains(name) { return value }
            let upper = name.uppercased()
            return named.contains(where: upper.contains) && value.count >= Self.minimumGuessedSecretLength ? value : nil
        })
    }

    public func redact(_ text: String) -> String {
        // A stand-in no secret contains (environment values cannot hold NUL), so a shorter
        // secret is never found inside the placeholder a longer one left.
        let standIn = "\u{0}"
        var text = text.replacingOccurrences(of: standIn, with: "")
        for secret in secrets {
            let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
            for form in [secret] + [encoded].compactMap({ $0 }) + Self.jsonForms(of: secret) {
                text = text.replacingOccurrences(of: form, with: standIn)
            }
        }
        return Self.redactCredentialShapes(text.replacingOccurrences(of: standIn, with: Self.placeholder))
    }

    /// The secret as a JSON string's content, the way an agent's JSON answer quotes it: `"`,
    /// `\` and control characters escaped; with `/` escaped (some encoders); with every
    /// non-ASCII character as `\uXXXX` (Python's default).
    static func jsonForms(of secret: String) -> [String] {
        func escaped(slash: Bool, asciiOnly: Bool) -> String {
            var out = ""
            for scalar in secret.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "/" where slash: out += "\\/"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                default:
                    if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                        out += String(scalar).utf16.map { String(format: "\\u%04x", $0) }.joined()
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out
        }
        let forms = [false, true].flatMap { slash in [false, true].map { escaped(slash: slash, asciiOnly: $0) } }
        return Array(Set(forms).subtracting([secret]))
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
