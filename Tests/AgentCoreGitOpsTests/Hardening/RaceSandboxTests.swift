import Foundation
import Testing
@testable import AgentCoreGitOps

/// Runs that overlap, as they do when the workflows' concurrency groups are missing or cancelled
/// too late: the tool alone must keep one runtime, one version per change, one sticky comment and
/// one deployment issue. (Two approvals at once, and an approval while the runtime is updating,
/// are in ApprovalFlowSandboxTests; here are the pr-deploy and prod-deploy races, and an approval while a
/// real prod-deploy process runs.)
@Suite("Hardening: races", .heavy, .tags(.sandbox, .process))
struct RaceSandboxTests {
    /// A checkout of the small agent, over the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    /// The runtimes named `name` (there must never be two).
    private func runtimes(named name: String, _ fixture: FlowFixture) async throws -> [AgentRuntimeSummary] {
        try await fixture.agentCore().allAgentRuntimes().filter { $0.agentRuntimeName == name }
    }

    /// Each version's stored `v<k>` code is the package that version runs.
    private func expectCodeMatchesVersions(_ fixture: FlowFixture, name: String, id: String) async throws {
        for version in try await fixture.versions(ofRuntime: id) {
            let runtime = try await fixture.agentCore().getAgentRuntime(id: id, version: version)
            let key = try #require(runtime.agentRuntimeArtifact?.codeConfiguration?.code.s3?.prefix)
            let packageSHA = try #require(key.split(separator: "/").last?.replacingOccurrences(of: ".zip", with: ""))
            #expect(try await fixture.sha256(ofKey: "\(name)/v\(version)/code.zip") == packageSHA, "v\(version) of \(name)")
        }
    }

    @Test("two pr-deploy runs of the same commit at once: one runtime, one version, one comment")
    func samePullRequestSameCommit() async throws {
        let number = try await fixture.openPullRequest()
        async let first = fixture.prDeploy("opened", number)
        async let second = fixture.prDeploy("opened", number)
        let runs = try await [first, second]
        for run in runs { #expect(run.succeeded, "\(run.process.output)") }

        let found = try await runtimes(named: "pr_\(number)", fixture)
        try #require(found.count == 1, "\(found)")
        let id = found[0].agentRuntimeId
        #expect(try await fixture.versions(ofRuntime: id) == ["1"])
        let comments = try await fixture.botComments(on: number)
        #expect(comments.count == 1)
        #expect(try RuntimeIDMarker.parse(try #require(comments.first?.body)) == id)
        try await expectCodeMatchesVersions(fixture, name: "pr_\(number)", id: id)
    }

    @Test("pr-deploy runs of two commits of one pull request at once: one runtime, a version each, one comment")
    func samePullRequestTwoCommits() async throws {
        let older = try await FlowFixture()
        let newer = try await FlowFixture(sameRepositoryAs: older)
        try newer.writeAgent("The newer commit")
        let firstSHA = FlowFixture.sha()
        let number = try await older.openPullRequest(headSHA: firstSHA)
        let opened = try await older.event(["event": "pull_request", "action": "opened", "number": number])
        try await older.pushToPullRequest(number)
        async let first = older.run("pr-deploy", event: "pull_request", payload: opened)
        async let second = newer.prDeploy("synchronize", number, before: firstSHA)
        let runs = try await [first, second]
        for run in runs { #expect(run.succeeded, "\(run.process.output)") }

        let found = try await runtimes(named: "pr_\(number)", older)
        try #require(found.count == 1, "\(found)")
        let id = found[0].agentRuntimeId
        #expect(try await older.versions(ofRuntime: id) == ["1", "2"])
        try await expectCodeMatchesVersions(older, name: "pr_\(number)", id: id)
        let comments = try await older.botComments(on: number)
        #expect(comments.count == 1)
        let body = try #require(comments.first?.body)
        #expect(try RuntimeIDMarker.parse(body) == id)
        // The comment describes one of the two runs, whichever wrote last.
        let described = runs.filter { run in run.outputs["package_sha256"].map { body.contains($0) } == true }
        #expect(described.count == 1, "\(body)")

        // The next push converges on the newest code, whatever order the race left.
        let rerun = try await newer.prDeploy("synchronize", number, before: firstSHA)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        #expect(rerun.outputs["package_sha256"] == runs[1].outputs["package_sha256"])
        #expect(try await older.botComments(on: number).count == 1)
    }

    @Test("two prod-deploy runs of the same merge at once: one version, one open deployment issue")
    func twoProdDeploysOfOneMerge() async throws {
        let number = try await fixture.openPullRequest()
        #expect(try await fixture.prDeploy("opened", number).succeeded)
        let merge = try await fixture.merge(number)
        async let first = fixture.prodDeploy(after: merge)
        async let second = fixture.prodDeploy(after: merge)
        let runs = try await [first, second]
        for run in runs { #expect(run.succeeded, "\(run.process.output)") }

        let found = try await runtimes(named: fixture.prodRuntime, fixture)
        try #require(found.count == 1, "\(found)")
        #expect(try await fixture.versions(ofRuntime: found[0].agentRuntimeId) == ["1"])
        let issues = try await fixture.deploymentIssues(forCommit: merge).filter { $0.user?.login == fixture.github.logins["bot"] }
        let open = issues.filter { $0.state == "open" }
        #expect(open.count == 1, "\(issues.map { ($0.number, $0.state) })")
        // Both runs name the one issue that stays open.
        #expect(Set(runs.compactMap { $0.outputs["issue_number"] }) == Set(open.map { String($0.number) }))
    }

    /// Version 1 is approved while prod-deploy is making version 2 (each change takes a second
    /// in this sandbox): the promotion moves prod to 1, the deploy finishes 2 with its own issue.
    @Test("an approval while a prod-deploy process is running: both finish, nothing crosses over")
    func approvalDuringProdDeploy() async throws {
        let sandbox = try await Sandbox.launch(arguments: ["--ready-delay", "1"])
        defer { sandbox.stop() }
        let fixture = try await FlowFixture(sandbox: sandbox)
        let firstMerge = FlowFixture.sha()
        let deployed = try await fixture.prodDeploy(after: firstMerge, message: "First release")
        try #require(deployed.succeeded, "\(deployed.process.output)")
        let firstIssue = try #require(deployed.outputs["issue_number"].flatMap(Int.init))

        try fixture.writeAgent("Second release")
        let secondMerge = FlowFixture.sha()
        async let second = fixture.prodDeploy(after: secondMerge, message: "Second release")
        // Approve once the deploy has asked for version 2, while the sandbox still makes it.
        let prodID = try #require(try await fixture.runtime(named: fixture.prodRuntime)?.agentRuntimeId)
        let agentCore = try fixture.agentCore()
        try await eventually("prod-deploy has started version 2") {
            do {
                _ = try await agentCore.getAgentRuntime(id: prodID, version: "2")
                return true
            } catch let error as AWSError where error.isNotFound {
                return false
            }
        }
        _ = try await fixture.github.client("maintainer").addLabels(issue: firstIssue, labels: ["approved"])
        let payload = try await fixture.event(["event": "issues", "action": "labeled", "number": firstIssue, "label": "approved"])
        let promoted = try await fixture.run("prod-promote", event: "issues", payload: payload)
        let secondRun = try await second
        #expect(promoted.succeeded, "\(promoted.process.output)")
        #expect(secondRun.succeeded, "\(secondRun.process.output)")

        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        #expect(try await fixture.versions(ofRuntime: prod.agentRuntimeId) == ["1", "2"])
        let endpoint = try await fixture.agentCore().getAgentRuntimeEndpoint(runtimeId: prod.agentRuntimeId, name: "prod")
        #expect(endpoint.liveVersion == "1")
        let first = try await fixture.github.client().getIssue(number: firstIssue)
        #expect(first.state == "closed" && first.hasLabel("promoted"))
        let secondIssues = try await fixture.deploymentIssues(forCommit: secondMerge)
        #expect(secondIssues.count == 1)
        #expect(secondIssues.first?.state == "open" && secondIssues.first?.hasLabel("needs-promotion") == true)
        #expect(secondRun.outputs["runtime_version"] == "2")
    }
}
