import Foundation
import Testing
@testable import AgentCoreGitOps

/// The web identity provider against a scripted STS: the call it makes, the caching, the refresh.
@Suite struct WebIdentityCredentialsTests {
    static func stsAnswer(key: String, expiresIn seconds: TimeInterval) -> ScriptedTransport.Step {
        let expiration = ISO8601DateFormatter().string(from: Date().addingTimeInterval(seconds))
        return .respond(status: 200, body: """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <Credentials>
                  <AccessKeyId>\(key)</AccessKeyId><SecretAccessKey>secret-\(key)</SecretAccessKey>
                  <SessionToken>token-\(key)</SessionToken><Expiration>\(expiration)</Expiration>
                </Credentials>
              </AssumeRoleWithWebIdentityResult>
            </AssumeRoleWithWebIdentityResponse>
            """)
    }

    private func provider(_ transport: ScriptedTransport, tokenFile: URL) -> WebIdentityCredentialsProvider {
        WebIdentityCredentialsProvider(
            source: .init(roleARN: "arn:aws:iam::123456789012:role/deployer", tokenFile: tokenFile, sessionName: "gha-7"),
            sts: AWSFixtures.client(transport))
    }

    @Test func exchangesTheTokenWithAnUnsignedFormPostAndCaches() async throws {
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try "eyJ.oidc+token/=\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let transport = ScriptedTransport([Self.stsAnswer(key: "ASIAONE", expiresIn: 3600)])
        let provider = provider(transport, tokenFile: tokenFile)

        let first = try await provider.credentials()
        let second = try await provider.credentials()

        #expect(first == second)
        #expect(first.accessKeyID == "ASIAONE" && first.secretAccessKey == "secret-ASIAONE" && first.sessionToken == "token-ASIAONE")
        let sent = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(sent.method == "POST")
        #expect(sent.url.absoluteString == "http://127.0.0.1:5000/")
        #expect(sent.headers["Authorization"] == nil)
        guard case .data(let body) = sent.body else {
            Issue.record("expected a form body")
            return
        }
        let form = String(decoding: body, as: UTF8.self)
        #expect(form == "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
            + "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeployer&RoleSessionName=gha-7"
            + "&WebIdentityToken=eyJ.oidc%2Btoken%2F%3D")
    }

    @Test func refreshesCredentialsThatAreAboutToExpire() async throws {
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try "t".write(to: tokenFile, atomically: true, encoding: .utf8)
        let transport = ScriptedTransport([
            Self.stsAnswer(key: "ASIASHORT", expiresIn: 60),
            Self.stsAnswer(key: "ASIALONG", expiresIn: 3600),
        ])
        let provider = provider(transport, tokenFile: tokenFile)

        #expect(try await provider.credentials().accessKeyID == "ASIASHORT")
        #expect(try await provider.credentials().accessKeyID == "ASIALONG")
        #expect(try await provider.credentials().accessKeyID == "ASIALONG")
        #expect(transport.requests.count == 2)
    }

    @Test func aMissingTokenFileSaysWhatGitHubNeeds() async throws {
        let provider = provider(ScriptedTransport([]), tokenFile: URL(fileURLWithPath: "/nonexistent/token"))
        let error = try await #require(throws: AWSConfigurationError.self) { try await provider.credentials() }
        #expect(error.description.contains("/nonexistent/token"))
        #expect(error.description.contains("id-token: write"))
    }
}
