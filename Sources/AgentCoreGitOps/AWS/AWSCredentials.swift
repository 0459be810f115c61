import Foundation

/// An access key pair, with a session token when temporary. Printing it never shows the secret
/// or the token, so a stray `print` or string interpolation cannot leak them.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-lived keys.
    public var expiration: Date?

    public var description: String {
        "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>"
            + (sessionToken == nil ? "" : ", sessionToken: <redacted>")
            + (expiration.map { ", expiration: \($0)" } ?? "") + ")"
    }

    public var debugDescription: String { description }

    /// True when the credentials expire within `margin` of `now`.
    public func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < margin
    }
}

/// Hands out credentials for each request; temporary ones are refreshed before they expire.
public protocol AWSCredentialsProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Credentials that never change: environment variables or a profile's keys.
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    public let fixed: AWSCredentials
    public init(_ credentials: AWSCredentials) { fixed = credentials }
    public func credentials() async throws -> AWSCredentials { fixed }
}

/// Exchanges an OIDC token (GitHub Actions writes one to a file) for temporary credentials with
/// STS `AssumeRoleWithWebIdentity`, and reuses them until five minutes before they expire.
/// The token file is read again on each exchange because the issuer rotates it.
public actor WebIdentityCredentialsProvider: AWSCredentialsProvider {
    public struct Source: Sendable, Equatable {
        public var roleARN: String
        public var tokenFile: URL
        public var sessionName: String
    }

    /// Refresh this long before expiry so a request never leaves with credentials about to lapse.
    public static let refreshMargin: TimeInterval = 5 * 60

    private let source: Source
    private let sts: any AWSRequestSending
    private var cached: AWSCredentials?
    private var refreshing: Task<AWSCredentials, any Error>?

    /// - Parameter sts: sends the unsigned STS call; `AWSClient` with any credentials will do.
    public init(source: Source, sts: any AWSRequestSending) {
        self.source = source
        self.sts = sts
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !cached.expires(within: Self.refreshMargin) { return cached }
        // Concurrent callers share one STS call instead of each starting their own.
        if let refreshing { return try await refreshing.value }
        let task = Task { [source, sts] in try await Self.assumeRole(source, sts: sts) }
        refreshing = task
        defer { refreshing = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }

    private static func assumeRole(_ source: Source, sts: any AWSRequestSending) async throws -> AWSCredentials {
        let token: String
        do {
            token = try String(contentsOf: source.tokenFile, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw AWSConfigurationError.unreadableWebIdentityToken(path: source.tokenFile.path, reason: "\(error)")
        }
        let form = SigV4Encoding.encodeQuery([
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", source.roleARN),
            ("RoleSessionName", source.sessionName),
            ("WebIdentityToken", token),
        ])
        var request = AWSRequest(
            service: .sts, operation: "AssumeRoleWithWebIdentity", method: "POST", path: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
            body: .data(Data(form.utf8)))
        request.isUnsigned = true
        let response = try await sts.send(request)
        return try parseAssumeRoleResponse(response.body)
    }

    /// Reads `<Credentials>` from an `AssumeRoleWithWebIdentityResponse`.
    static func parseAssumeRoleResponse(_ body: Data) throws -> AWSCredentials {
        let values = XMLValues(body)
        guard let accessKeyID = values["AccessKeyId"], let secret = values["SecretAccessKey"],
              let token = values["SessionToken"]
        else {
            throw AWSConfigurationError.malformedSTSResponse(String(decoding: body.prefix(500), as: UTF8.self))
        }
        let expiration = values["Expiration"].flatMap(parseISO8601)
        return AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    private static func parseISO8601(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
