import Foundation
import Testing
@testable import AgentCoreGitOps

/// Renaming or transferring the repository keeps its runtimes its own: ownership goes by GitHub's
/// repository id, and runtimes tagged by name before ids were recorded are recognised by their
/// old name, which GitHub redirects to the repository. The executables run as the workflows run
/// them, with `GITHUB_REPOSITORY_ID` as Actions sets it (FlowFixture's environment).
@Suite("renamed repository end to end", .heavy, .tags(.sandbox, .process))
struct RepositoryRenameSandboxTests {
    /// A checkout of the small agent, in a repository of its own on the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    @Test("after a rename, prod-deploy, an approval and a rollback still work; another repository's id is refused")
    func renameKeepsRuntimesOurs() async throws {
        let oldName = fixture.github.repository
        let repositoryID = fixture.repositoryID

        // Deployed by the release before ids were recorded: both runtimes tagged by name only.
        let first = try await fixture.openPullRequest()
        let opened = try await fixture.prDeploy("opened", first)
        #expect(opened.succeeded, "\(opened.process.output)")
        let prRuntime = try #require(opened.outputs["runtime_id"])
        let firstMerge = try await fixture.merge(first)
        let deployed = try await fixture.prodDeploy(after: firstMerge)
        #expect(deployed.succeeded, "\(deployed.process.output)")
        let issue = try #require(deployed.outputs["issue_number"].flatMap(Int.init))
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime)).agentRuntimeId
        #expect(try await tag(fixture, prod) == .init(repository: oldName, repositoryID: repositoryID, role: .production))
        try await retag(fixture, prRuntime, "[agentcore-gitops \(oldName) pr \(first)]")
        try await retag(fixture, prod, "Flow test agent [agentcore-gitops \(oldName) prod]")  // version 2, the same code

        let owner = try #require(oldName.split(separator: "/").first)
        try await fixture.moveRepository(to: "\(owner)/renamed-\(UUID().uuidString.prefix(8).lowercased())")

        // The approval moves prod and deletes the pull request's runtime, tagged by the old name.
        _ = try await fixture.github.client("maintainer").addLabels(issue: issue, labels: ["approved"])
        let approval = try await fixture.event(["event": "issues", "action": "labeled", "number": issue, "label": "approved"])
        let promoted = try await fixture.run("prod-promote", event: "issues", payload: approval)
        #expect(promoted.succeeded, "\(promoted.process.output)")
        #expect(try await liveVersion(fixture, prod) == "1")
        #expect(try await fixture.runtime(named: "pr_\(first)") == nil)

        // A push that changes nothing the agent runs: no version is made just to write the new tag.
        let unchanged = FlowFixture.sha()
        try await fixture.github.control("POST", "/_sandbox/repos/\(fixture.github.repository)/push", json: ["sha": unchanged])
        let same = try await fixture.prodDeploy(after: unchanged)
        #expect(same.succeeded, "\(same.process.output)")
        #expect(same.outputs["runtime_version"] == "2")
        #expect(try await fixture.versions(ofRuntime: prod) == ["1", "2"])
        #expect(try await tag(fixture, prod)?.repositoryID == nil)

        // prod-promote by hand, as during an incident.
        let dispatched = try await rollBack(fixture, to: "2")
        #expect(dispatched.succeeded, "\(dispatched.process.output)")
        #expect(try await liveVersion(fixture, prod) == "2")

        // The next merge updates prod, which takes the new name and the id with it.
        let second = try await fixture.openPullRequest()
        try fixture.writeAgent("After the rename")
        #expect(try await fixture.prDeploy("opened", second).succeeded)
        let secondMerge = try await fixture.merge(second)
        let next = try await fixture.prodDeploy(after: secondMerge)
        #expect(next.succeeded, "\(next.process.output)")
        #expect(try await fixture.versions(ofRuntime: prod) == ["1", "2", "3"])
        #expect(try await tag(fixture, prod) == .init(repository: fixture.github.repository, repositoryID: repositoryID, role: .production))

        // Another repository's id under our name: never ours, so nothing acts on it.
        try await retag(fixture, prod, "[agentcore-gitops \(fixture.github.repository) id=\(repositoryID + 1) prod]")  // version 4
        let refusedRollback = try await rollBack(fixture, to: "1")
        #expect(!refusedRollback.succeeded)
        #expect(refusedRollback.process.output.contains("is not tagged as the prod runtime of \(fixture.github.repository)"))
        #expect(try await liveVersion(fixture, prod) == "2")
        try fixture.writeAgent("Refused")
        let third = try await fixture.openPullRequest()
        #expect(try await fixture.prDeploy("opened", third).succeeded)
        let refusedDeploy = try await fixture.prodDeploy(after: try await fixture.merge(third))
        #expect(!refusedDeploy.succeeded)
        #expect(refusedDeploy.process.output.contains("was not created by agentcore-gitops for \(fixture.github.repository)"))
        #expect(try await fixture.versions(ofRuntime: prod) == ["1", "2", "3", "4"])
    }

    // MARK: Helpers

    private func tag(_ fixture: FlowFixture, _ runtimeID: String) async throws -> RuntimeOwnership.Tag? {
        RuntimeOwnership.owner(fromDescription: try await fixture.agentCore().getAgentRuntime(id: runtimeID).description)
    }

    /// A new version with the same configuration and `description`, as another tool would make it.
    private func retag(_ fixture: FlowFixture, _ runtimeID: String, _ description: String) async throws {
        let control = try fixture.agentCore()
        var configuration = try #require(try await control.getAgentRuntime(id: runtimeID).configuration)
        configuration.description = description
        _ = try await control.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: runtimeID, configuration: configuration))
        _ = try await AgentCoreWaiter(client: control, policy: PromoteStage.quick).runtimeReady(id: runtimeID)
    }

    private func liveVersion(_ fixture: FlowFixture, _ runtimeID: String) async throws -> String? {
        try await fixture.agentCore().findEndpoint(runtimeId: runtimeID, name: PromoteStage.endpointName)?.liveVersion
    }

    private func rollBack(_ fixture: FlowFixture, to version: String) async throws -> FlowFixture.Run {
        let dispatch = try await fixture.event(["event": "workflow_dispatch", "inputs": ["prod_runtime_version": version]])
        return try await fixture.run("prod-promote", event: "workflow_dispatch", payload: dispatch)
    }
}
