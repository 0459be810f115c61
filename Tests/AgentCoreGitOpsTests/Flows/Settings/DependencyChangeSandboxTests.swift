import Foundation
import Testing
@testable import AgentCoreGitOps

/// Issue 12's scenario through `prod-deploy`: a merge changes what the agent's dependencies
/// resolve to, the new package holds the new version and the deployment issue says
/// `somelib 1.0 → 2.0`. Each way of changing it is a scenario: a file pulled in with `-r`, a
/// constraint file (`-c`), a wheel added to a `--find-links` directory (no text changes), and the
/// uv configuration `agentcore.json` names (`uvConfig`). Wheels are made here; there is no index.
@Suite("dependency change end to end", .heavy, .tags(.sandbox, .process))
struct DependencyChangeSandboxTests {
    /// A checkout of the small agent, in a repository of its own on the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    /// What the agent declares before the merge, and what the merge changes.
    struct Scenario: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// Files under `agent/` before the merge (path → text).
        var files: [String: String]
        /// Wheels of somelib before the merge (directory under `agent/` → versions).
        var wheels: [String: [String]]
        /// What the merge changes.
        var change: @Sendable (FlowFixture) async throws -> Void
        /// The uv configuration agentcore.json names, if any.
        var uvConfig: String? = nil
    }

    static let scenarios: [Scenario] = [
        Scenario(
            testDescription: "a pin bump in a file pulled in with -r",
            files: ["requirements.txt": "--no-index\n--find-links wheels\n-r pinned.txt\n", "pinned.txt": "somelib==1.0\n"],
            wheels: ["wheels": ["1.0", "2.0"]],
            change: { try $0.checkout.file("agent/pinned.txt", "somelib==2.0\n") }),
        Scenario(
            testDescription: "a constraint file (-c) that moves the pin",
            files: ["requirements.txt": "--no-index\n--find-links wheels\nsomelib\n-c constraints/pins.txt\n",
                    "constraints/pins.txt": "somelib==1.0\n"],
            wheels: ["wheels": ["1.0", "2.0"]],
            change: { try $0.checkout.file("agent/constraints/pins.txt", "somelib==2.0\n") }),
        Scenario(
            testDescription: "a new wheel in the --find-links directory, no text changed",
            files: ["requirements.txt": "--no-index\n--find-links wheels\nsomelib\n"],
            wheels: ["wheels": ["1.0"]],
            change: { try await LocalWheels.make(in: $0.checkout.url("agent/wheels"), name: "somelib", version: "2.0") }),
        Scenario(
            testDescription: "the uv.toml agentcore.json names points at another wheel directory",
            files: ["requirements.txt": "--no-index\nsomelib\n", "uv.toml": "[pip]\nfind-links = [\"wheels\"]\n"],
            wheels: ["wheels": ["1.0"], "wheels-next": ["2.0"]],
            change: { try $0.checkout.file("agent/uv.toml", "[pip]\nfind-links = [\"wheels-next\"]\n") },
            uvConfig: "uv.toml"),
    ]

    @Test("prod-deploy deploys what the dependencies resolve to, and the issue names the change", arguments: scenarios)
    func dependencyChangeThroughProdDeploy(_ scenario: Scenario) async throws {
        let agent = fixture.checkout.url("agent")
        for (directory, versions) in scenario.wheels {
            for version in versions {
                try await LocalWheels.make(in: agent.appendingPathComponent(directory), name: "somelib", version: version)
            }
        }
        for (path, text) in scenario.files { try fixture.checkout.file("agent/\(path)", text) }
        // The wheels stay out of the package; what they hold is installed from them.
        try fixture.checkout.file("agent/.agentcoreignore", scenario.wheels.keys.sorted().map { "/\($0)/\n" }.joined())
        let uvConfig = scenario.uvConfig.map { #", "uvConfig": "\#($0)""# } ?? ""
        try fixture.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt"\(uvConfig)}
            """)

        let first = try await fixture.prodDeploy(after: FlowFixture.sha())
        #expect(first.succeeded, "\(first.process.output)")
        #expect(try await somelib(version: "1") == "VERSION = '1.0'\n")
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        // As an approval would: prod serves version 1.
        _ = try await fixture.agentCore().createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(
            agentRuntimeId: prod.agentRuntimeId, name: "prod", agentRuntimeVersion: "1"))

        try await scenario.change(fixture)
        let merge = FlowFixture.sha()
        let second = try await fixture.prodDeploy(after: merge)
        #expect(second.succeeded, "\(second.process.output)")
        #expect(second.outputs["runtime_version"] == "2")
        #expect(try await somelib(version: "2") == "VERSION = '2.0'\n")
        let body = try #require(try await fixture.deploymentIssues(forCommit: merge).first?.body)
        #expect(body.contains("- **Dependencies**: `somelib 1.0 → 2.0`"), "\(body)")
        #expect(body.contains("Compared with version 1"), "\(body)")
    }

    /// The `somelib/__init__.py` inside version `version`'s stored code.
    private func somelib(version: String) async throws -> String? {
        let file = fixture.checkout.url("downloads/v\(version)-\(UUID().uuidString).zip")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await fixture.s3().getObject(bucket: fixture.sandbox.info.s3Bucket, key: "\(fixture.prodRuntime)/v\(version)/code.zip", to: file)
        return try LocalWheels.installedModule("somelib", in: file)
    }
}
