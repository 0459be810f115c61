import Foundation
import Testing
@testable import AgentCoreGitOps

/// prod-deploy deploys a commit only while it is the newest: the tip of the default branch, or a
/// descendant of the commit prod's newest version was built from.
@Suite("prod-deploy of superseded commits", .heavy, .tags(.sandbox, .process))
struct ProdDeploySupersededSandboxTests {
    @Test("a re-run of an old commit's run after a newer commit was deployed changes nothing")
    func oldCommitIsNotDeployed() async throws {
        let fixture = try await FlowFixture()
        let (old, new) = (FlowFixture.sha(), FlowFixture.sha())
        try await fixture.github.push(old, branch: "main")
        try fixture.writeAgent("Newer code")
        let deployed = try await fixture.prodDeploy(after: new)
        #expect(deployed.succeeded, "\(deployed.process.output)")
        let runtimeID = try #require(deployed.outputs["runtime_id"])

        try fixture.writeAgent("Older code")
        let rerun = try await fixture.prodDeploy(after: old, movingBranch: false)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        #expect(rerun.process.output.contains("superseded it"))
        #expect(rerun.process.output.contains(new))
        #expect(try await fixture.versions(ofRuntime: runtimeID) == ["1"])
        #expect(try await fixture.deploymentIssues(forCommit: old).isEmpty)
    }

    @Test("a commit that is not the tip but comes after prod's newest version still deploys")
    func descendantOfTheNewestVersionDeploys() async throws {
        let fixture = try await FlowFixture()
        let first = FlowFixture.sha()
        let deployed = try await fixture.prodDeploy(after: first)
        #expect(deployed.succeeded, "\(deployed.process.output)")
        let (next, tip) = (FlowFixture.sha(), FlowFixture.sha())
        try await fixture.github.push(next, branch: "main")
        try await fixture.github.push(tip, branch: "main")

        try fixture.writeAgent("The next change")
        let run = try await fixture.prodDeploy(after: next, movingBranch: false)
        #expect(run.succeeded, "\(run.process.output)")
        #expect(run.outputs["runtime_version"] == "2")
        #expect(try await fixture.deploymentIssues(forCommit: next).count == 1)
    }
}
