import Foundation

/// Region, credentials, endpoints and retries, found the way the AWS SDKs and CLI find them, so
/// whatever already works for `aws` works here with no extra set-up.
///
/// Credentials, first match wins: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+
/// `AWS_SESSION_TOKEN`); `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`),
/// which is what GitHub Actions' OIDC set-up provides; then the profile named by `AWS_PROFILE`
/// (default `default`) in `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE` (default `~/.aws/...`).
/// Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
/// Endpoints: `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `_S3`, `_STS`, `_BEDROCK_AGENTCORE_CONTROL`),
/// then `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`; otherwise the AWS endpoint.
/// Retries: `AWS_MAX_ATTEMPTS` or the profile's `max_attempts` (default 3).
public struct AWSConfiguration: Sendable {
    public enum CredentialSource: Sendable, Equatable {
        /// Fixed keys; `origin` says where they came from, for messages.
        case keys(AWSCredentials, origin: String)
        case webIdentity(WebIdentityCredentialsProvider.Source)
    }

    public var region: String
    public var credentialSource: CredentialSource
    /// An endpoint for every service (`AWS_ENDPOINT_URL`), e.g. the sandbox.
    public var endpoint: URL?
    /// Per-service endpoints, keyed by `AWSService.endpointEnvironmentSuffix`.
    public var serviceEndpoints: [String: URL] = [:]
    public var retryPolicy: AWSRetryPolicy = AWSRetryPolicy()

    /// One line for logs and `--verbose` output; names the access key id, never the secret.
    public var summary: String {
        let credentials = switch credentialSource {
        case let .keys(keys, origin): "key \(keys.accessKeyID) from \(origin)"
        case let .webIdentity(source): "role \(source.roleARN) via web identity token \(source.tokenFile.path)"
        }
        let endpoints = ([endpoint.map { "all services: \($0.absoluteString)" }]
            + serviceEndpoints.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.absoluteString)" })
            .compactMap { $0 }
        return "AWS region \(region), \(credentials), endpoints "
            + (endpoints.isEmpty ? "AWS default" : endpoints.joined(separator: ", "))
            + ", up to \(retryPolicy.maxAttempts) attempts"
    }

    /// The endpoint set for `service`, or nil to use AWS's own.
    public func endpointOverride(for service: AWSService) -> URL? {
        serviceEndpoints[service.endpointEnvironmentSuffix] ?? endpoint
    }

    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AWSConfiguration {
        let env = environment.filter { !$0.value.isEmpty }
        let files = try AWSSharedConfigFiles(environment: env)
        let explicitProfile = env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"]
        let profileName = explicitProfile ?? "default"
        let profile = files.profile(profileName)
        if let explicitProfile, profile == nil {
            throw AWSConfigurationError.profileNotFound(explicitProfile, searched: files.searchedFiles)
        }
        let settings = profile ?? [:]

        guard let region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? settings["region"] else {
            throw AWSConfigurationError.missingRegion(profile: profileName, configFile: files.configFile.path)
        }
        let credentialSource = try resolveCredentials(
            env: env, settings: settings, profileName: profileName, hasProfile: profile != nil, files: files)
        return AWSConfiguration(
            region: region,
            credentialSource: credentialSource,
            endpoint: try env["AWS_ENDPOINT_URL"].map { try endpointURL($0, variable: "AWS_ENDPOINT_URL") }
                ?? settings["endpoint_url"].map { try endpointURL($0, variable: "endpoint_url in profile \(profileName)") },
            serviceEndpoints: try serviceEndpoints(env),
            retryPolicy: AWSRetryPolicy(maxAttempts: try maxAttempts(env["AWS_MAX_ATTEMPTS"] ?? settings["max_attempts"])))
    }

    private static func resolveCredentials(
        env: [String: String], settings: [String: String], profileName: String, hasProfile: Bool,
        files: AWSSharedConfigFiles
    ) throws -> CredentialSource {
        switch (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) {
        case let (id?, secret?):
            return .keys(
                AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: env["AWS_SESSION_TOKEN"]),
                origin: "environment variables")
        case (_?, nil):
            throw AWSConfigurationError.incompleteKeys(present: "AWS_ACCESS_KEY_ID", missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, _?):
            throw AWSConfigurationError.incompleteKeys(present: "AWS_SECRET_ACCESS_KEY", missing: "AWS_ACCESS_KEY_ID")
        case (nil, nil):
            break
        }

        if let tokenFile = env["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? settings["web_identity_token_file"] {
            guard let roleARN = env["AWS_ROLE_ARN"] ?? settings["role_arn"] else {
                throw AWSConfigurationError.incompleteWebIdentity
            }
            let sessionName = env["AWS_ROLE_SESSION_NAME"] ?? settings["role_session_name"]
                ?? "agentcore-gitops-\(Int(Date().timeIntervalSince1970))"
            return .webIdentity(.init(roleARN: roleARN, tokenFile: URL(fileURLWithPath: tokenFile), sessionName: sessionName))
        }

        if let id = settings["aws_access_key_id"] {
            guard let secret = settings["aws_secret_access_key"] else {
                throw AWSConfigurationError.incompleteProfile(profileName, searched: files.searchedFiles)
            }
            return .keys(
                AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: settings["aws_session_token"]),
                origin: "profile \(profileName)")
        }
        if let unsupported = ["source_profile", "credential_process", "sso_session", "sso_start_url"]
            .first(where: { settings[$0] != nil }) {
            throw AWSConfigurationError.unsupportedProfile(profileName, setting: unsupported)
        }
        throw AWSConfigurationError.missingCredentials(
            profile: hasProfile ? profileName : nil, searched: files.searchedFiles)
    }

    private static func serviceEndpoints(_ env: [String: String]) throws -> [String: URL] {
        let prefix = "AWS_ENDPOINT_URL_"
        var endpoints: [String: URL] = [:]
        for (name, value) in env where name.hasPrefix(prefix) {
            endpoints[String(name.dropFirst(prefix.count))] = try endpointURL(value, variable: name)
        }
        return endpoints
    }

    private static func endpointURL(_ text: String, variable: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil
        else {
            throw AWSConfigurationError.invalidEndpoint(variable: variable, value: text)
        }
        return url
    }

    private static func maxAttempts(_ text: String?) throws -> Int {
        guard let text else { return AWSRetryPolicy.defaultMaxAttempts }
        guard let attempts = Int(text.trimmingCharacters(in: .whitespaces)), attempts >= 1 else {
            throw AWSConfigurationError.invalidMaxAttempts(text)
        }
        return attempts
    }
}

/// Why the AWS set-up cannot be used, each with the exact way to fix it.
public enum AWSConfigurationError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case missingRegion(profile: String, configFile: String)
    case missingCredentials(profile: String?, searched: String)
    case incompleteKeys(present: String, missing: String)
    case incompleteWebIdentity
    case incompleteProfile(String, searched: String)
    case unsupportedProfile(String, setting: String)
    case profileNotFound(String, searched: String)
    case invalidEndpoint(variable: String, value: String)
    case invalidMaxAttempts(String)
    case unreadableFile(path: String, reason: String)
    case unreadableWebIdentityToken(path: String, reason: String)
    case malformedSTSResponse(String)

    public var description: String {
        switch self {
        case let .missingRegion(profile, configFile):
            "No AWS region is set. Set AWS_REGION (for example `export AWS_REGION=us-east-1`), "
                + "or add `region = us-east-1` to the [\(profile == "default" ? "default" : "profile \(profile)")] "
                + "section of \(configFile)."
        case let .missingCredentials(profile, searched):
            "No AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN "
                + "for temporary keys); or, in GitHub Actions, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN "
                + "(aws-actions/configure-aws-credentials sets them); or set AWS_PROFILE to a profile with "
                + "aws_access_key_id and aws_secret_access_key in \(searched)"
                + (profile.map { " (profile '\($0)' has none)" } ?? "") + "."
        case let .incompleteKeys(present, missing):
            "\(present) is set but \(missing) is not. Set both, or unset \(present) to use a profile."
        case .incompleteWebIdentity:
            "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not. Set AWS_ROLE_ARN to the IAM role to assume "
                + "(for example arn:aws:iam::123456789012:role/agentcore-deployer)."
        case let .incompleteProfile(profile, searched):
            "Profile '\(profile)' has aws_access_key_id but no aws_secret_access_key. Add it to the profile in \(searched)."
        case let .unsupportedProfile(profile, setting):
            "Profile '\(profile)' uses `\(setting)`, which this tool does not support. Export the keys instead "
                + "(`eval \"$(aws configure export-credentials --profile \(profile) --format env)\"`), "
                + "or use a profile with aws_access_key_id and aws_secret_access_key."
        case let .profileNotFound(profile, searched):
            "AWS_PROFILE names profile '\(profile)', which is not in \(searched). "
                + "Create it with `aws configure --profile \(profile)` or set AWS_PROFILE to an existing profile."
        case let .invalidEndpoint(variable, value):
            "\(variable) is '\(value)', which is not an http(s) URL. Use a URL such as http://127.0.0.1:5000 or unset it."
        case let .invalidMaxAttempts(value):
            "AWS_MAX_ATTEMPTS (or max_attempts) is '\(value)'; it must be a whole number of at least 1, such as 3."
        case let .unreadableFile(path, reason):
            "Cannot read the AWS settings file \(path): \(reason). Fix its permissions or point "
                + "AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere."
        case let .unreadableWebIdentityToken(path, reason):
            "Cannot read the web identity token at \(path) (AWS_WEB_IDENTITY_TOKEN_FILE): \(reason). "
                + "In GitHub Actions, give the job `permissions: id-token: write`."
        case let .malformedSTSResponse(body):
            "STS answered AssumeRoleWithWebIdentity without credentials: \(body)"
        }
    }

    public var errorDescription: String? { description }
}
