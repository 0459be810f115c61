import Foundation
import Testing
@testable import AgentCoreGitOps

/// "No new version when nothing changed": one rule for the deploy flows and `agentcore runtime update`.
@Suite struct NeedsNewVersionTests {
    private func runtime(status: AgentCoreStatus = .ready, environment: [String: String]? = nil) -> AgentRuntime {
        var runtime = AgentRuntime.sample(id: "pr_7-AbCdEfGhIj", version: "3")
        runtime.agentRuntimeArtifact = .code(
            S3CodeLocation(bucket: "b-1", prefix: "pr_7/packages/a.zip"), runtime: "PYTHON_3_11", entryPoint: ["agent.py"])
        runtime.status = status
        runtime.environmentVariables = environment
        return runtime
    }

    @Test("the same configuration makes none; a change, a failed version or no code configuration makes one")
    func rule() throws {
        let current = runtime()
        var desired = try #require(current.configuration)
        #expect(!current.needsNewVersion(for: desired))

        // AgentCore leaves out an empty set of variables: an empty set asked for is no change.
        desired.environmentVariables = [:]
        #expect(!current.needsNewVersion(for: desired))

        desired.environmentVariables = ["A": "1"]
        #expect(current.needsNewVersion(for: desired))
        #expect(!runtime(environment: ["A": "1"]).needsNewVersion(for: desired))
        #expect(runtime(status: .updateFailed, environment: ["A": "1"]).needsNewVersion(for: desired))

        var container = runtime()
        container.agentRuntimeArtifact = nil
        #expect(container.needsNewVersion(for: desired))
    }

    @Test("a tag that only gains the repository id or a new name makes none; the user's text makes one")
    func ownershipTagAlone() throws {
        var current = runtime()
        current.description = "Joke bot [agentcore-gitops octo/agent prod]"
        var desired = try #require(current.configuration)
        desired.description = RuntimeOwnership.description("Joke bot", repository: "octo/renamed", repositoryID: 42, role: .production)
        #expect(!current.needsNewVersion(for: desired))
        desired.description = RuntimeOwnership.description("Pun bot", repository: "octo/renamed", repositoryID: 42, role: .production)
        #expect(current.needsNewVersion(for: desired))
        desired.description = RuntimeOwnership.description(nil, repository: "octo/renamed", repositoryID: 42, role: .production)
        #expect(current.needsNewVersion(for: desired))
        current.description = "[agentcore-gitops octo/agent prod]"
        #expect(!current.needsNewVersion(for: desired))
    }
}
