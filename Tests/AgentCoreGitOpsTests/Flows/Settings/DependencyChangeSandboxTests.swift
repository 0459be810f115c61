import Foundation
import Testing
@testable import AgentCoreGitOps

/// Issue 12's scenario through `prod-deploy`: `requirements.txt` is `-r pinned.txt`, and a merge
/// changes `pinned.txt` from `somelib==1.0` to `somelib==2.0`. The new package holds 2.0 and the
/// deployment issue says `somelib 1.0 → 2.0`. Wheels are made here and found through the uv
/// configuration `agentcore.json` names (`uvConfig`), with no index.
@Suite("dependency change end to end", .tags(.sandbox, .process))
struct DependencyChangeSandboxTests {
    /// A checkout of the small agent, in a repository of its own on the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    @Test("a pin bump in a file pulled in with -r deploys the new version and the issue names it")
    func pinBumpThroughProdDeploy() async throws {
        let agent = fixture.checkout.url("agent")
        try await LocalWheels.make(in: agent.appendingPathComponent("wheels"), name: "somelib", version: "1.0")
        try await LocalWheels.make(in: agent.appendingPathComponent("wheels"), name: "somelib", version: "2.0")
        try fixture.checkout.file("agent/requirements.txt", "--no-index\n-r pinned.txt\n")
        try fixture.checkout.file("agent/pinned.txt", "somelib==1.0\n")
        try fixture.checkout.file("agent/uv.toml", "[pip]\nfind-links = [\"wheels\"]\n")
        try fixture.checkout.file("agent/.agentcoreignore", "/wheels/\n")
        try fixture.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt", "uvConfig": "uv.toml"}
            """)

        let first = try await fixture.prodDeploy(after: FlowFixture.sha())
        #expect(first.succeeded, "\(first.process.output)")
        #expect(try await somelib(fixture, version: "1") == "VERSION = '1.0'\n")
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        // As an approval would: prod serves version 1.
        _ = try await fixture.agentCore().createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(
            agentRuntimeId: prod.agentRuntimeId, name: "prod", agentRuntimeVersion: "1"))

        try fixture.checkout.file("agent/pinned.txt", "somelib==2.0\n")
        let merge = FlowFixture.sha()
        let second = try await fixture.prodDeploy(after: merge)
        #expect(second.succeeded, "\(second.process.output)")
        #expect(second.outputs["runtime_version"] == "2")
        #expect(try await somelib(fixture, version: "2") == "VERSION = '2.0'\n")
        let body = try #require(try await fixture.deploymentIssues(forCommit: merge).first?.body)
        #expect(body.contains("- **Dependencies**: `somelib 1.0 → 2.0`"), "\(body)")
        #expect(body.contains("Compared with version 1"), "\(body)")
    }

    /// The `somelib/__init__.py` inside version `version`'s stored code.
    private func somelib(_ fixture: FlowFixture, version: String) async throws -> String? {
        let file = fixture.checkout.url("downloads/v\(version)-\(UUID().uuidString).zip")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await fixture.s3().getObject(bucket: fixture.sandbox.info.s3Bucket, key: "\(fixture.prodRuntime)/v\(version)/code.zip", to: file)
        return try LocalWheels.installedModule("somelib", in: file)
    }
}
