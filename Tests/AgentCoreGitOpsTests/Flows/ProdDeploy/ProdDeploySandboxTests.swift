import Foundation
import Testing
@testable import AgentCoreGitOps

/// `prod-deploy` end to end: the executable against the sandbox, with the push events GitHub sends.
@Suite("prod-deploy end to end", .heavy, .tags(.sandbox, .process))
struct ProdDeploySandboxTests {
    /// A checkout of the small agent, over the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    /// The bot's deployment issue for `commit`, checked to be the only one, and its metadata.
    private func deploymentIssue(_ fixture: FlowFixture, commit: String) async throws -> (GitHubIssue, DeploymentMetadata) {
        let issues = try await fixture.deploymentIssues(forCommit: commit).filter { $0.user?.login == fixture.github.logins["bot"] }
        try #require(issues.count == 1, "one deployment issue for \(commit), found \(issues.count)")
        let metadata = try #require(try DeploymentMetadata.parse(issues[0].body ?? ""))
        return (issues[0], metadata)
    }

    /// Opens a pull request, deploys it, merges it; returns its number, runtime id and merge commit.
    private func mergedPullRequest(_ fixture: FlowFixture) async throws -> (number: Int, runtimeID: String, merge: String) {
        let number = try await fixture.openPullRequest()
        let opened = try await fixture.prDeploy("opened", number)
        #expect(opened.succeeded, "\(opened.process.output)")
        let merge = try await fixture.merge(number)
        return (number, try #require(opened.outputs["runtime_id"]), merge)
    }

    @Test("push of a merge: prod version 1, the deployment issue with labels and metadata; a rerun adds nothing")
    func mergeDeploysProd() async throws {
        let pull = try await mergedPullRequest(fixture)

        let run = try await fixture.prodDeploy(after: pull.merge)
        #expect(run.succeeded, "\(run.process.output)")
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        #expect(prod.status == .ready)
        #expect(try await fixture.versions(ofRuntime: prod.agentRuntimeId) == ["1"])
        #expect(RuntimeOwnership.owner(fromDescription: prod.description)?.role == .production)
        let sha = try #require(run.outputs["package_sha256"])
        #expect(try await fixture.sha256(ofKey: "\(fixture.prodRuntime)/v1/code.zip") == sha)
        #expect(try await fixture.sha256(ofKey: "\(fixture.prodRuntime)/packages/\(sha).zip") == sha)

        let (issue, metadata) = try await deploymentIssue(fixture, commit: pull.merge)
        #expect(metadata == (try DeploymentMetadata(
            runtimeID: prod.agentRuntimeId, version: "1", prRuntimeID: pull.runtimeID, commitSHA: pull.merge,
            prNumber: pull.number, packageSHA256: sha, runtimeName: fixture.prodRuntime)))
        #expect(Set(issue.labels.map(\.name)) == ["deployment", "production", "needs-promotion"])
        #expect(run.outputs["issue_number"] == String(issue.number))
        #expect(run.outputs["runtime_version"] == "1")
        let body = try #require(issue.body)
        for expected in ["version 1", "`approved`", "--qualifier DEFAULT", "#\(pull.number)", pull.merge] {
            #expect(body.contains(expected), "issue body lacks \(expected)")
        }
        let labels = try await fixture.repositoryLabels()
        // The shared test repository may have some of them already, made bare by another test (a
        // person adding `approved` creates the label, as on GitHub); that ensureLabels sets their
        // colour and description is GitHubClientSandboxTests' to check.
        for definition in DeploymentLabels.all {
            #expect(labels.contains { $0.name == definition.name }, "label \(definition.name) is missing")
        }
        // The pull request's runtime stays for the promotion.
        #expect(try await fixture.runtime(named: "pr_\(pull.number)")?.agentRuntimeId == pull.runtimeID)

        let rerun = try await fixture.prodDeploy(after: pull.merge)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        #expect(rerun.outputs["issue_number"] == String(issue.number))
        #expect(try await fixture.versions(ofRuntime: prod.agentRuntimeId) == ["1"])
        _ = try await deploymentIssue(fixture, commit: pull.merge)
    }

    @Test("the deployment issue is what prod-promote acts on: approved moves prod and deletes the PR runtime")
    func issueDrivesPromotion() async throws {
        let pull = try await mergedPullRequest(fixture)
        let deployed = try await fixture.prodDeploy(after: pull.merge)
        #expect(deployed.succeeded, "\(deployed.process.output)")
        let issue = try #require(deployed.outputs["issue_number"].flatMap(Int.init))

        _ = try await fixture.github.client("maintainer").addLabels(issue: issue, labels: ["approved"])
        let payload = try await fixture.event(["event": "issues", "action": "labeled", "number": issue, "label": "approved"])
        let promoted = try await fixture.run("prod-promote", event: "issues", payload: payload)
        #expect(promoted.succeeded, "\(promoted.process.output)")

        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        let endpoint = try await fixture.agentCore().getAgentRuntimeEndpoint(runtimeId: prod.agentRuntimeId, name: "prod")
        #expect(endpoint.liveVersion == deployed.outputs["runtime_version"])
        #expect(try await fixture.runtime(named: "pr_\(pull.number)") == nil)
        let (closed, _) = try await deploymentIssue(fixture, commit: pull.merge)
        #expect(closed.state == "closed")
        #expect(closed.hasLabel("promoted"))
    }

    @Test("a second merge with a change adds version 2 and its own issue")
    func secondMergeAddsVersion() async throws {
        let first = try await mergedPullRequest(fixture)
        #expect(try await fixture.prodDeploy(after: first.merge).succeeded)

        try fixture.writeAgent("Second release")
        let second = try await mergedPullRequest(fixture)
        let run = try await fixture.prodDeploy(after: second.merge)
        #expect(run.succeeded, "\(run.process.output)")
        #expect(run.outputs["runtime_version"] == "2")
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        #expect(try await fixture.versions(ofRuntime: prod.agentRuntimeId) == ["1", "2"])
        let (_, metadata) = try await deploymentIssue(fixture, commit: second.merge)
        #expect(metadata.version == "2")
        #expect(metadata.prRuntimeID == second.runtimeID)
        #expect(try await fixture.sha256(ofKey: "\(fixture.prodRuntime)/v2/code.zip") == run.outputs["package_sha256"])
    }

    @Test("a direct push deploys with PR_RUNTIME_ID: NONE")
    func directPush() async throws {
        let commit = FlowFixture.sha()
        let run = try await fixture.prodDeploy(after: commit, message: "Fix a typo")
        #expect(run.succeeded, "\(run.process.output)")
        let (issue, metadata) = try await deploymentIssue(fixture, commit: commit)
        #expect(metadata.prRuntimeID == nil)
        #expect(metadata.prNumber == nil)
        #expect(issue.body?.contains("PR_RUNTIME_ID: NONE") == true)
    }

    @Test("a squash commit unknown to the commit → pulls API is matched through its title (#N)")
    func squashTitleFallback() async throws {
        let pull = try await mergedPullRequest(fixture)
        let squash = FlowFixture.sha()
        let run = try await fixture.prodDeploy(after: squash, message: "Make the bot kinder (#\(pull.number))\n\nDetails")
        #expect(run.succeeded, "\(run.process.output)")
        let (_, metadata) = try await deploymentIssue(fixture, commit: squash)
        #expect(metadata.prNumber == pull.number)
        #expect(metadata.prRuntimeID == pull.runtimeID)
    }

    @Test("markers a person wrote are ignored: a comment on the PR, or a look-alike issue")
    func personsMarkersIgnored() async throws {
        let number = try await fixture.openPullRequest()
        let decoy = try #require(try await fixture.prDeploy("opened", try await fixture.openPullRequest()).outputs["runtime_id"])
        try await fixture.comment(as: "maintainer", on: number, body: "\(PRComment.marker)\n<!-- RUNTIME_ID: pr_\(number)-AbCdEfGhIj -->")
        let merge = try await fixture.merge(number)
        let fake = try DeploymentMetadata(runtimeID: decoy, version: "1", prRuntimeID: nil, commitSHA: merge)
        _ = try await fixture.github.client("maintainer").createIssue(
            title: "Looks like a deployment", body: fake.rendered(), labels: ["deployment"])

        let run = try await fixture.prodDeploy(after: merge)
        #expect(run.succeeded, "\(run.process.output)")
        let (issue, metadata) = try await deploymentIssue(fixture, commit: merge)
        #expect(issue.user?.login == fixture.github.logins["bot"])
        #expect(metadata.prNumber == number)
        #expect(metadata.prRuntimeID == nil)
    }

    @Test("pushes that are not to the default branch, or delete it, do nothing")
    func pushesSkipped() async throws {
        let other = try await fixture.prodDeploy(after: FlowFixture.sha(), ref: "refs/heads/feature")
        #expect(other.succeeded, "\(other.process.output)")
        #expect(other.process.stdout.contains("::notice title=prod-deploy skipped::"))

        let deletion = try await fixture.run("prod-deploy", event: "push", payload: try await fixture.event(
            ["event": "push", "after": FlowFixture.sha()]) { payload in
                payload["deleted"] = true
                payload["after"] = String(repeating: "0", count: 40)
            })
        #expect(deletion.succeeded, "\(deletion.process.output)")
        #expect(deletion.process.stdout.contains("was deleted"))
        #expect(try await fixture.runtime(named: fixture.prodRuntime) == nil)
    }

    @Test("missing settings: a clear error naming them, and nothing done")
    func missingSettings() async throws {
        let commit = FlowFixture.sha()
        let run = try await fixture.prodDeploy(after: commit, environment: ["AGENTCORE_ROLE_ARN": "not-an-arn"])
        #expect(run.process.status == 1)
        #expect(run.process.stdout.contains("::error title=prod-deploy failed::"))
        #expect(run.process.stdout.contains("AGENTCORE_ROLE_ARN 'not-an-arn' is not an IAM role ARN"))
        #expect(try await fixture.runtime(named: fixture.prodRuntime) == nil)
        #expect(try await fixture.deploymentIssues(forCommit: commit).isEmpty)
    }

    @Test("a prod runtime this repository did not create is refused")
    func foreignProdRefused() async throws {
        let foreign = try await fixture.createForeignRuntime(named: fixture.prodRuntime)
        let commit = FlowFixture.sha()
        let run = try await fixture.prodDeploy(after: commit)
        #expect(run.process.status == 1)
        #expect(run.process.stdout.contains("AGENTCORE_PROD_RUNTIME"))
        #expect(try await fixture.versions(ofRuntime: foreign.agentRuntimeId) == ["1"])
        #expect(try await fixture.deploymentIssues(forCommit: commit).isEmpty)
    }
}
