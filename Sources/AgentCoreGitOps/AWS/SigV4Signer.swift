import Foundation

/// AWS Signature Version 4, as a small value type: give it a request's method, wire path, query,
/// headers and payload hash, get back the canonical request, the string to sign, the signature
/// and the headers (or query items) to add. It does no I/O, so the official test suite in
/// `../shared/test-vectors/sigv4/` checks every step of it.
public struct SigV4Signer: Sendable {
    /// How the signer treats a request; the SDKs differ per service, and so do the test vectors.
    public struct Options: Sendable, Equatable {
        /// Remove `.` and `..` segments and empty segments from the path before encoding it.
        public var normalizesPath: Bool
        /// Percent-encode the (already encoded) wire path again for the canonical request.
        /// Every service but S3 does; S3 signs the path exactly as sent.
        public var encodesPath: Bool
        /// Send and sign `x-amz-content-sha256` with the payload hash (S3 requires it).
        public var signsContentHash: Bool
        /// Whether `x-amz-security-token` is part of the signature or added after signing.
        public var signsSessionToken: Bool = true

        /// What the SDKs do for every service but S3.
        public static let standard = Options(normalizesPath: true, encodesPath: true, signsContentHash: false)
        /// S3: the path is signed as sent, and the payload hash travels in a header.
        public static let s3 = Options(normalizesPath: false, encodesPath: false, signsContentHash: true)
    }

    /// The steps of one signature, kept so tests and debugging can see each of them.
    public struct Signature: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        /// Lower-case hex HMAC of the string to sign.
        public var signature: String
        public var signedHeaders: String
    }

    /// Header signing: the signature plus the headers to add to the request, `authorization` last.
    public struct SignedHeaders: Sendable, Equatable {
        public var signature: Signature
        public var headers: [(name: String, value: String)]

        public static func == (lhs: SignedHeaders, rhs: SignedHeaders) -> Bool {
            lhs.signature == rhs.signature && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
        }
    }

    /// Query signing (a presigned URL): the signature plus every query item to send, in order.
    public struct SignedQuery: Sendable, Equatable {
        public var signature: Signature
        public var queryItems: [(name: String, value: String)]

        public static func == (lhs: SignedQuery, rhs: SignedQuery) -> Bool {
            lhs.signature == rhs.signature && lhs.queryItems.elementsEqual(rhs.queryItems) { $0 == $1 }
        }
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The SHA-256 of an empty payload, which every bodiless request signs.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public var credentials: AWSCredentials
    public var region: String
    /// The credential-scope service name, e.g. `bedrock-agentcore` or `s3`.
    public var service: String
    public var options: Options = .standard

    /// Signs with an `Authorization` header.
    /// - Parameters:
    ///   - path: the path as it goes on the wire (percent-encoded once).
    ///   - query: decoded names and values; the signer encodes them.
    ///   - headers: every header to sign, `host` included; repeated names are allowed.
    ///   - payloadHash: lower-case hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public func signHeaders(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadHash: String, date: Date
    ) -> SignedHeaders {
        let time = SigningTime(date)
        var added: [(name: String, value: String)] = [("X-Amz-Date", time.timestamp)]
        let hasContentHash = headers.contains { $0.name.lowercased() == "x-amz-content-sha256" }
        if options.signsContentHash && !hasContentHash { added.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken, options.signsSessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        let signature = sign(
            method: method, path: path, query: query, headers: headers + added,
            payloadHash: payloadHash, time: time)
        if let token = credentials.sessionToken, !options.signsSessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(time.scope(region, service)), "
            + "SignedHeaders=\(signature.signedHeaders), Signature=\(signature.signature)"
        return SignedHeaders(signature: signature, headers: added + [("Authorization", authorization)])
    }

    /// Signs in the query string, for a URL that works without headers until `expires` runs out.
    public func signQuery(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadHash: String, date: Date, expires: Int
    ) -> SignedQuery {
        let time = SigningTime(date)
        var added: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(time.scope(region, service))"),
            ("X-Amz-Date", time.timestamp),
            ("X-Amz-SignedHeaders", Self.signedHeaderNames(headers)),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken, options.signsSessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        let signature = sign(
            method: method, path: path, query: query + added, headers: headers,
            payloadHash: payloadHash, time: time)
        added.append(("X-Amz-Signature", signature.signature))
        if let token = credentials.sessionToken, !options.signsSessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        return SignedQuery(signature: signature, queryItems: query + added)
    }

    // MARK: - The four steps

    private func sign(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], payloadHash: String, time: SigningTime
    ) -> Signature {
        let canonicalHeaders = Self.canonicalHeaders(headers)
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            method.uppercased(),
            canonicalPath(path),
            Self.canonicalQuery(query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let stringToSign = [
            Self.algorithm,
            time.timestamp,
            time.scope(region, service),
            SHA256Hasher.hash(Data(canonicalRequest.utf8)).hexString,
        ].joined(separator: "\n")
        let signature = HMACSHA256.authenticate(Data(stringToSign.utf8), key: signingKey(day: time.day)).hexString
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signature: signature, signedHeaders: signedHeaders)
    }

    private func signingKey(day: String) -> [UInt8] {
        var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [day, region, service, "aws4_request"] {
            key = HMACSHA256.authenticate(Data(part.utf8), key: key)
        }
        return key
    }

    private func canonicalPath(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        let normalized = options.normalizesPath ? Self.removingDotSegments(path) : path
        return options.encodesPath ? SigV4Encoding.encode(normalized, keepingSlashes: true) : normalized
    }

    /// `/a/./b//../c/` becomes `/a/c/`: empty and `.` segments go, `..` removes its parent.
    static func removingDotSegments(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var result = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") && !result.hasSuffix("/") { result += "/" }
        return result
    }

    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map {
            (SigV4Encoding.encode($0.name), SigV4Encoding.encode($0.value))
        }
        let sorted = encoded.sorted { lhs, rhs in
            lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name
        }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Lower-case names, sorted; values trimmed with inner runs of white space (line breaks of a
    /// folded header included) collapsed to one space; repeated names joined with commas in order.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            guard !unsignedHeaderNames.contains(name) else { continue }
            let words = header.value.split(whereSeparator: { $0.isWhitespace })
            values[name, default: []].append(words.joined(separator: " "))
        }
        return values.keys.sorted().map { ($0, values[$0]!.joined(separator: ",")) }
    }

    static func signedHeaderNames(_ headers: [(name: String, value: String)]) -> String {
        canonicalHeaders(headers).map(\.name).joined(separator: ";")
    }

    /// Headers that proxies and HTTP stacks may change or add, so the SDKs never sign them.
    static let unsignedHeaderNames: Set<String> = [
        "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection",
    ]
}

/// The date forms SigV4 uses, from one instant in UTC.
private struct SigningTime {
    /// `20150830T123600Z`
    let timestamp: String
    /// `20150830`
    let day: String

    init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        day = String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        timestamp = day + String(format: "T%02d%02d%02dZ", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    func scope(_ region: String, _ service: String) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }
}

/// SigV4's percent-encoding (RFC 3986): only `A-Z a-z 0-9 - _ . ~` stay as they are, every other
/// byte of the UTF-8 becomes `%XX` with upper-case hex. Also used for paths and query strings
/// on the wire, so what is signed is what is sent.
public enum SigV4Encoding {
    public static func encode(_ string: String, keepingSlashes: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) || (keepingSlashes && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `name=value&...` with both sides encoded, in the order given.
    public static func encodeQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { "\(encode($0.name))=\(encode($0.value))" }.joined(separator: "&")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "."), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
