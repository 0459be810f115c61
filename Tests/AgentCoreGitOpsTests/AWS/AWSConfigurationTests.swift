import Foundation
import Testing
@testable import AgentCoreGitOps

/// The credential, region, endpoint and retry settings chain, from environment dictionaries and
/// temporary `~/.aws` files (HOME points at an empty scratch directory unless a test fills it).
@Suite struct AWSConfigurationTests {
    private func withHome<T>(_ body: (URL, [String: String]) throws -> T) throws -> T {
        let home = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        return try body(home, ["HOME": home.path])
    }

    private func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func environmentKeysWinAndCarryTheSessionToken() throws {
        try withHome { home, env in
            try write("[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = filesecret\n",
                      to: home.appendingPathComponent(".aws/credentials"))
            let configuration = try AWSConfiguration.resolve(environment: env.merging([
                "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret",
                "AWS_SESSION_TOKEN": "envtoken", "AWS_REGION": "eu-central-1",
            ]) { $1 })
            #expect(configuration.region == "eu-central-1")
            #expect(configuration.credentialSource == .keys(
                AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "envsecret", sessionToken: "envtoken"),
                origin: "environment variables"))
            #expect(configuration.retryPolicy.maxAttempts == 3)
        }
    }

    @Test func namedProfileReadsCredentialsFileAndProfileSectionOfConfig() throws {
        try withHome { home, env in
            let credentials = home.appendingPathComponent("creds.ini")
            let config = home.appendingPathComponent("config.ini")
            try write("""
                # comment
                [default]
                aws_access_key_id = DEFAULTKEY
                aws_secret_access_key = defaultsecret
                [ci]
                aws_access_key_id = CIKEY
                aws_secret_access_key = ci/secret+x   # trailing comment
                """, to: credentials)
            try write("""
                [default]
                region = us-east-1
                [profile ci]
                region = ap-southeast-2
                max_attempts = 5
                s3 =
                  addressing_style = path
                """, to: config)
            let configuration = try AWSConfiguration.resolve(environment: env.merging([
                "AWS_PROFILE": "ci", "AWS_SHARED_CREDENTIALS_FILE": credentials.path, "AWS_CONFIG_FILE": config.path,
            ]) { $1 })
            #expect(configuration.region == "ap-southeast-2")
            #expect(configuration.credentialSource == .keys(
                AWSCredentials(accessKeyID: "CIKEY", secretAccessKey: "ci/secret+x"), origin: "profile ci"))
            #expect(configuration.retryPolicy.maxAttempts == 5)
        }
    }

    @Test func defaultProfileComesFromHomeAndRegionVariablesBeatIt() throws {
        try withHome { home, env in
            try write("[default]\naws_access_key_id = K\naws_secret_access_key = S\n",
                      to: home.appendingPathComponent(".aws/credentials"))
            try write("[default]\nregion = us-west-2\n", to: home.appendingPathComponent(".aws/config"))
            #expect(try AWSConfiguration.resolve(environment: env).region == "us-west-2")
            #expect(try AWSConfiguration.resolve(environment: env.merging(["AWS_DEFAULT_REGION": "eu-west-3"]) { $1 }).region == "eu-west-3")
            #expect(try AWSConfiguration.resolve(environment: env.merging(
                ["AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "sa-east-1"]) { $1 }).region == "sa-east-1")
        }
    }

    @Test func webIdentityFromEnvironmentOrProfile() throws {
        try withHome { home, env in
            let fromEnvironment = try AWSConfiguration.resolve(environment: env.merging([
                "AWS_REGION": "us-east-1", "AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/token",
                "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/deployer", "AWS_ROLE_SESSION_NAME": "gha-42",
            ]) { $1 })
            #expect(fromEnvironment.credentialSource == .webIdentity(.init(
                roleARN: "arn:aws:iam::123456789012:role/deployer", tokenFile: URL(fileURLWithPath: "/tmp/token"),
                sessionName: "gha-42")))

            try write("[profile oidc]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /var/token\n",
                      to: home.appendingPathComponent(".aws/config"))
            let fromProfile = try AWSConfiguration.resolve(environment: env.merging(["AWS_PROFILE": "oidc"]) { $1 })
            guard case .webIdentity(let source) = fromProfile.credentialSource else {
                Issue.record("expected web identity, got \(fromProfile.credentialSource)")
                return
            }
            #expect(source.roleARN == "arn:aws:iam::1:role/r")
            #expect(source.tokenFile.path == "/var/token")
            #expect(source.sessionName.hasPrefix("agentcore-gitops-"))
        }
    }

    @Test func endpointOverridesUseTheSDKNames() throws {
        try withHome { _, env in
            let configuration = try AWSConfiguration.resolve(environment: env.merging([
                "AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S", "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
                "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000",
                "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL": "http://127.0.0.1:7000",
            ]) { $1 })
            #expect(configuration.endpointOverride(for: .s3)?.absoluteString == "http://127.0.0.1:9000")
            #expect(configuration.endpointOverride(for: .agentCoreControl)?.absoluteString == "http://127.0.0.1:7000")
            #expect(configuration.endpointOverride(for: .sts)?.absoluteString == "http://127.0.0.1:5000")
            #expect(configuration.summary == "AWS region us-east-1, key K from environment variables, endpoints "
                + "all services: http://127.0.0.1:5000, BEDROCK_AGENTCORE_CONTROL: http://127.0.0.1:7000, "
                + "S3: http://127.0.0.1:9000, up to 3 attempts")
        }
    }

    // MARK: Errors that say how to fix them

    @Test func missingRegionSaysHowToSetIt() throws {
        try withHome { _, env in
            let error = try #require(throws: AWSConfigurationError.self) {
                try AWSConfiguration.resolve(environment: env.merging(["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S"]) { $1 })
            }
            #expect(error.description.contains("export AWS_REGION=us-east-1"))
            #expect(error.description.contains("region = us-east-1"))
        }
    }

    @Test func missingCredentialsListEveryWayToSetThem() throws {
        try withHome { home, env in
            let error = try #require(throws: AWSConfigurationError.self) {
                try AWSConfiguration.resolve(environment: env.merging(["AWS_REGION": "us-east-1", "AWS_SESSION_TOKEN": ""]) { $1 })
            }
            for hint in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                         "AWS_PROFILE", home.appendingPathComponent(".aws/credentials").path] {
                #expect(error.description.contains(hint))
            }
        }
    }

    @Test(arguments: [
        (["AWS_ACCESS_KEY_ID": "K"], "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"),
        (["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"], "AWS_ROLE_ARN"),
        (["AWS_PROFILE": "nope"], "AWS_PROFILE names profile 'nope'"),
        (["AWS_ENDPOINT_URL": "localhost:5000"], "AWS_ENDPOINT_URL is 'localhost:5000', which is not an http(s) URL"),
        (["AWS_MAX_ATTEMPTS": "0"], "AWS_MAX_ATTEMPTS"),
    ])
    func badSettingsAreNamed(_ extra: [String: String], _ message: String) throws {
        try withHome { _, env in
            let base = ["AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S"]
            var environment = env.merging(base) { $1 }.merging(extra) { $1 }
            if extra["AWS_ACCESS_KEY_ID"] != nil || extra["AWS_WEB_IDENTITY_TOKEN_FILE"] != nil {
                environment["AWS_SECRET_ACCESS_KEY"] = nil
                if extra["AWS_WEB_IDENTITY_TOKEN_FILE"] != nil { environment["AWS_ACCESS_KEY_ID"] = nil }
            }
            let error = try #require(throws: AWSConfigurationError.self) { try AWSConfiguration.resolve(environment: environment) }
            #expect(error.description.contains(message))
        }
    }

    @Test func unsupportedProfileKindsSayWhatToDoInstead() throws {
        try withHome { home, env in
            try write("[profile assume]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\nregion = us-east-1\n",
                      to: home.appendingPathComponent(".aws/config"))
            let error = try #require(throws: AWSConfigurationError.self) {
                try AWSConfiguration.resolve(environment: env.merging(["AWS_PROFILE": "assume"]) { $1 })
            }
            #expect(error.description.contains("source_profile"))
            #expect(error.description.contains("aws configure export-credentials --profile assume"))
        }
    }
}
