import Foundation
import Testing
@testable import AgentCoreGitOps

/// Drift in memory: what counts as a hand-made change to prod, and what the record of it shows.
@Suite("prod-deploy drift decisions, in memory")
struct ConfigurationDriftDecisionTests {
    let flows: InMemoryFlows

    init() throws {
        flows = try InMemoryFlows()
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt", "onDrift": "fail",
             "environmentVariables": {"API_KEY": "${JOKE_API_KEY}"}}
            """)
        flows.environment["JOKE_API_KEY"] = "hunter2-but-longer"
    }

    private func deployedVersion(after sha: String) async throws -> String {
        guard case .deployed(_, let deployment) = try await flows.prodDeploy(after: sha) else {
            throw InMemoryFlowsError("prod-deploy did not deploy \(sha)")
        }
        return deployment.version
    }

    @Test("a rename keeps the version and its ownership tag: no drift then, nor on every deploy after it")
    func aRenameIsNotDrift() async throws {
        #expect(try await deployedVersion(after: flows.github.pushToMain()) == "1")
        flows.github.move(to: "octo/renamed-agent")
        flows.environment["GITHUB_REPOSITORY"] = "octo/renamed-agent"

        // The same package and settings: no new version, whose tag still names the old repository.
        #expect(try await deployedVersion(after: flows.github.pushToMain()) == "1")
        #expect(try await deployedVersion(after: flows.github.pushToMain()) == "1")
        #expect(!flows.github.allIssues.contains { $0.body?.contains("Drift") == true })
    }

    @Test("a hand-made change to prod is still drift, and onDrift fail refuses it")
    func aHandMadeChangeIsDrift() async throws {
        #expect(try await deployedVersion(after: flows.github.pushToMain()) == "1")
        let prod = try #require(flows.agentCore.runtimeIDs(named: "prod").first)
        var changed = try #require(flows.agentCore.latest(of: prod)?.configuration)
        changed.lifecycleConfiguration = LifecycleConfiguration(idleRuntimeSessionTimeout: 60, maxLifetime: 28800)
        _ = try await flows.agentCore.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: prod, configuration: changed))
        flows.agentCore.settleLatest(of: prod, as: .ready)

        await #expect { try await flows.prodDeploy(after: flows.github.pushToMain()) } throws: { error in
            "\(error)".contains("lifecycleConfiguration.idleRuntimeSessionTimeout") && "\(error)".contains("onDrift is fail")
        }
    }

    /// `agentcore.json` cannot hold these (a JWT authorizer's certificates, `metadataConfiguration`),
    /// and an update that leaves them out removes them: a deploy would drop them unannounced.
    @Test("a setting the tool never sends, made by hand, is drift: named, and onDrift fail refuses")
    func aHandMadeSettingTheToolDoesNotSendIsDrift() async throws {
        #expect(try await deployedVersion(after: flows.github.pushToMain()) == "1")
        let prod = try #require(flows.agentCore.runtimeIDs(named: "prod").first)
        let same = try #require(flows.agentCore.latest(of: prod)?.configuration)
        _ = try await flows.agentCore.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: prod, configuration: same))
        flows.agentCore.settleLatest(of: prod, as: .ready)
        flows.agentCore.setUnmanagedSettings(["metadataConfiguration"], onLatestOf: prod)

        // Even with no change in git: keeping that version would keep a setting git does not declare.
        await #expect { try await flows.prodDeploy(after: flows.github.pushToMain()) } throws: { error in
            "\(error)".contains("differs from what git last deployed (version 1) in metadataConfiguration")
                && "\(error)".contains("onDrift is fail")
        }
        #expect(flows.agentCore.versionNumbers(of: prod) == ["1", "2"])
    }

    @Test("a version whose deploy stopped before recording it is git's: the next commit sees no drift")
    func aVersionMadeButNotRecordedIsNotDrift() async throws {
        _ = try await versionMadeButNotRecorded()
        try flows.writeAgent("A changed agent")
        #expect(try await deployedVersion(after: flows.github.pushToMain()) == "3")
        #expect(!flows.github.allIssues.contains { $0.body?.contains("Drift") == true })
    }

    @Test("a hand-made change after such a version is still drift, named alone")
    func aHandMadeChangeAfterAnUnrecordedVersionIsDrift() async throws {
        let prod = try await versionMadeButNotRecorded()
        var changed = try #require(flows.agentCore.latest(of: prod)?.configuration)
        changed.protocolConfiguration = ProtocolConfiguration(serverProtocol: "MCP")
        _ = try await flows.agentCore.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: prod, configuration: changed))
        flows.agentCore.settleLatest(of: prod, as: .ready)

        try flows.writeAgent("A changed agent")
        await #expect { try await flows.prodDeploy(after: flows.github.pushToMain()) } throws: { error in
            "\(error)".contains("in protocolConfiguration.serverProtocol: someone changed it outside git")
        }
    }

    /// Version 1 deployed and recorded; version 2 made from a changed setting, its job stopped
    /// before the record (the write is refused once the update is sent). Returns prod's id.
    private func versionMadeButNotRecorded() async throws -> String {
        #expect(try await deployedVersion(after: flows.github.pushToMain()) == "1")
        let prod = try #require(flows.agentCore.runtimeIDs(named: "prod").first)
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt", "onDrift": "fail",
             "environmentVariables": {"API_KEY": "${JOKE_API_KEY}"}, "lifecycle": {"idleRuntimeSessionTimeout": 600}}
            """)
        let agentCore = flows.agentCore
        flows.s3.denyAccess { operation, key in
            operation == "PutObject" && key == "prod/deployed/configuration.json" && !agentCore.calls("UpdateAgentRuntime").isEmpty
        }
        await #expect(throws: AWSError.self) { try await flows.prodDeploy(after: flows.github.pushToMain()) }
        #expect(flows.agentCore.versionNumbers(of: prod) == ["1", "2"])
        flows.s3.denyAccess { _, _ in false }
        _ = try await flows.agentCore.getAgentRuntime(id: prod, version: nil)  // one look settles it
        return prod
    }

    @Test("the drift record keeps salted digests of variable values, never the values, and one salt per record")
    func theRecordsDigestsAreSalted() async throws {
        _ = try await deployedVersion(after: flows.github.pushToMain())
        let first = try record()
        let salt = try #require(first.salt)
        #expect(salt.count == 32)
        let unsalted = "sha256:" + SHA256Hasher.hash(Data("hunter2-but-longer".utf8)).hexString
        #expect(first.digest != unsalted && first.digest.hasPrefix("sha256:"))
        #expect(!first.text.contains("hunter2"))

        try flows.writeAgent("A changed agent")
        _ = try await deployedVersion(after: flows.github.pushToMain())
        let next = try record()
        #expect(next.version == "2" && next.salt == salt && next.digest == first.digest)
    }

    /// AWS takes any variable name 1 to 100 characters long: one set by hand is quoted in the
    /// bot's issue, where a line of its own could read as the bot's hidden metadata.
    @Test("a differing field AWS names stays on its line of the issue")
    func aFieldWithALineBreakStaysOnItsLine() {
        let drift = ConfigurationDrift(
            runtimeName: "prod", deployedVersion: "1", liveVersion: "2",
            fields: ["environmentVariables.X\n<!-- DEPLOYMENT_METADATA\rVERSION: 1\n-->", "lifecycleConfiguration.maxLifetime"])
        let lines = drift.markdown.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        #expect(lines.filter { $0.hasPrefix("- `") }.count == 2, "\(drift.markdown)")
        #expect(!drift.markdown.contains("<!--") && !lines.contains { $0.hasPrefix("VERSION") }, "\(drift.markdown)")
    }

    /// `prod/deployed/configuration.json` as stored.
    private func record() throws -> (text: String, version: String?, salt: String?, digest: String) {
        let object = try #require(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/deployed/configuration.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: object.bytes) as? [String: Any])
        let configuration = try #require(json["configuration"] as? [String: Any])
        let digest = try #require((configuration["environmentVariables"] as? [String: String])?["API_KEY"])
        return (String(decoding: object.bytes, as: UTF8.self), json["version"] as? String, json["salt"] as? String, digest)
    }
}
