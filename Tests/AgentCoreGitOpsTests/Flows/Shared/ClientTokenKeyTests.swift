import Foundation
import Testing
@testable import AgentCoreGitOps

/// A client token is visible in CloudTrail. Hashed from the settings alone, it would let whoever
/// reads it test guesses of a short secret; keyed by the runtime's stored key, it tells nothing
/// about the values and still repeats for the same change.
@Suite("Client tokens keep referenced secrets out of reach, in memory")
struct ClientTokenKeyTests {
    let flows: InMemoryFlows

    init() throws {
        flows = try InMemoryFlows()
        // Four digits: ten thousand guesses would find it from an unkeyed token.
        flows.environment["DB_PIN"] = "4821"
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt",
             "environments": {"pr": {"environmentVariables": {"DB_PIN": "${DB_PIN}", "LOG_LEVEL": "INFO"}}}}
            """)
    }

    private func updateTokens() -> [String] { flows.agentCore.calls("UpdateAgentRuntime").compactMap(\.clientToken) }

    /// The token the deployer made before it was keyed: the settings as sent, secret included, hashed plain.
    private func unkeyedToken(runtimeID: String, baseVersion: String, packageSHA256: String) throws -> String {
        let sent = try #require(flows.agentCore.latest(of: runtimeID)?.configuration)
        #expect(sent.environmentVariables?["DB_PIN"] == flows.environment["DB_PIN"], "the version runs the secret itself")
        let plain = SHA256Hasher.hash(try AgentCoreJSON.encoder.encode(sent.normalized)).hexString
        return DeterministicClientToken.make("UpdateAgentRuntime", runtimeID, baseVersion, packageSHA256, plain)
    }

    @Test("the update token: the same on a rerun, another for another secret, and no plain hash of the settings")
    func updateTokens() async throws {
        let number = flows.github.openPullRequest()
        try await flows.prDeploy("opened", number)
        let runtimeID = try #require(flows.agentCore.runtimeIDs(named: "pr_\(number)").first)

        try flows.writeAgent("Hello again")
        flows.github.pushToPullRequest(number)
        flows.agentCore.failNext("UpdateAgentRuntime", with: FakeAgentCore.error(
            "InternalServerException", 500, "UpdateAgentRuntime", "the service failed"))
        await #expect(throws: AWSError.self) { try await flows.prDeploy("synchronize", number) }
        flows.environment["GITHUB_RUN_ATTEMPT"] = "2"
        guard case .deployed(let report) = try await flows.prDeploy("synchronize", number) else {
            Issue.record("the rerun did not deploy")
            return
        }
        #expect(report.version == "2")
        let (failed, rerun) = (updateTokens()[0], updateTokens()[1])
        #expect(failed == rerun, "a rerun of the same change repeats its token")
        #expect(rerun != (try unkeyedToken(runtimeID: runtimeID, baseVersion: "1", packageSHA256: report.packageSHA256)))
        #expect(!rerun.contains("4821"))

        flows.environment["DB_PIN"] = "7390"
        flows.environment["GITHUB_RUN_ATTEMPT"] = "3"
        guard case .deployed(let changed) = try await flows.prDeploy("synchronize", number) else {
            Issue.record("a new secret made no version")
            return
        }
        #expect(changed.version == "3" && updateTokens().count == 3)
        #expect(updateTokens()[2] != rerun, "a changed secret is another change")
        #expect(updateTokens()[2] != (try unkeyedToken(runtimeID: runtimeID, baseVersion: "2", packageSHA256: changed.packageSHA256)))
    }

    @Test("the key: made once per runtime, kept, another for another runtime; a broken one is named")
    func keys() async throws {
        let s3 = S3Client(client: flows.s3)
        let pr = ClientTokenKey(s3: s3, bucket: InMemoryFlows.bucket, runtimeName: "pr_1")
        let first = try await pr.key()
        #expect(try await pr.key() == first)
        #expect(first.count == 32)
        #expect(try await ClientTokenKey(s3: s3, bucket: InMemoryFlows.bucket, runtimeName: "prod").key() != first)

        _ = try await s3.putObject(bucket: pr.location.bucket, key: pr.location.key, data: Data("{}".utf8), contentType: "application/json")
        let error = await #expect(throws: ActionableError.self) { try await pr.key() }
        #expect(String(describing: error).contains("pr_1/deployed/client-token-key.json is not a client-token key"))
    }

    @Test("keyed digests: the same value and key give the same digest, another value or key another")
    func keyedDigests() {
        let configuration = AgentRuntimeConfiguration(
            agentRuntimeArtifact: .code(S3CodeLocation(bucket: "b-1", prefix: "pr_1/packages/a.zip"), runtime: "PYTHON_3_11", entryPoint: ["agent.py"]),
            roleArn: InMemoryFlows.roleArn, networkConfiguration: .public, environmentVariables: ["DB_PIN": "4821"])
        let digest = configuration.keyedDigests(key: "k1").environmentVariables?["DB_PIN"]
        #expect(digest?.hasPrefix("hmac-sha256:") == true && digest?.contains("4821") == false)
        #expect(digest == configuration.keyedDigests(key: "k1").environmentVariables?["DB_PIN"])
        #expect(digest != configuration.keyedDigests(key: "k2").environmentVariables?["DB_PIN"])
        var other = configuration
        other.environmentVariables = ["DB_PIN": "7390"]
        #expect(digest != other.keyedDigests(key: "k1").environmentVariables?["DB_PIN"])
    }
}
