import Foundation
import Testing
@testable import AgentCoreGitOps

/// Old versions, GitHub's production deployments and `agentcore runtime history` end to end:
/// eight merges through prod-deploy with `AGENTCORE_KEEP_VERSIONS=3` and `AGENTCORE_KEEP_PROMOTED=2`,
/// three approvals, a rollback and the sweep, as processes against a sandbox of its own (the sweep
/// looks at every runtime of the repository).
@Suite("Retention, production deployments and history end to end", .serialized, .heavyInAChain, .tags(.sandbox, .process))
final class RetentionEndToEndSandboxTests {
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.launch() }

    deinit { sandbox.stop() }

    static let retention: [String: String?] = ["AGENTCORE_KEEP_VERSIONS": "3", "AGENTCORE_KEEP_PROMOTED": "2"]

    /// What one merge left: the commit, its pull request, its package, its deployment issue.
    struct Merge {
        let commit: String
        let pullRequest: Int
        let packageSHA256: String
        let issue: Int
    }

    private func mergeAndDeploy(_ fixture: FlowFixture, _ index: Int) async throws -> Merge {
        let number = try await fixture.openPullRequest()
        let commit = try await fixture.merge(number)
        try fixture.writeAgent("Release \(index)")
        let run = try await fixture.prodDeploy(after: commit, environment: Self.retention)
        try #require(run.succeeded, "\(run.process.output)")
        #expect(run.outputs["runtime_version"] == String(index))
        return Merge(
            commit: commit, pullRequest: number, packageSHA256: try #require(run.outputs["package_sha256"]),
            issue: try #require(run.outputs["issue_number"].flatMap(Int.init)))
    }

    private func approve(_ fixture: FlowFixture, issue: Int) async throws {
        _ = try await fixture.github.client("maintainer").addLabels(issue: issue, labels: [DeploymentLabels.approved.name])
        let payload = try await fixture.event(["event": "issues", "action": "labeled", "number": issue, "label": "approved"])
        let run = try await fixture.run("prod-promote", event: "issues", payload: payload)
        try #require(run.succeeded, "\(run.process.output)")
    }

    private func rollBack(_ fixture: FlowFixture, to version: String) async throws -> FlowFixture.Run {
        let payload = try await fixture.event(["event": "workflow_dispatch", "inputs": ["prod_runtime_version": version]])
        return try await fixture.run("prod-promote", event: "workflow_dispatch", payload: payload)
    }

    /// Versions that exist and are not on their way out, oldest first.
    private func liveVersions(_ fixture: FlowFixture, _ id: String) async throws -> [String] {
        try await fixture.agentCore().allAgentRuntimeVersions(id: id).filter { $0.status != .deleting }
            .map(\.agentRuntimeVersion).compactMap(Int.init).sorted().map(String.init)
    }

    private func agentcore(_ fixture: FlowFixture, _ arguments: [String], environment extra: [String: String?] = [:]) async throws -> ProcessResult {
        var environment = fixture.environment
        for (key, value) in extra { environment[key] = value }
        return try await runProcess(RepositoryPaths.executable("agentcore"), arguments, environment: environment)
    }

    @Test("8 merges with N=3, K=2: prod keeps exactly the newest 3, the endpoints' and the last 2 promoted; rollback to the oldest kept works")
    func eightMerges() async throws {
        let fixture = try await FlowFixture(sandbox: sandbox)
        let control = try fixture.agentCore()
        var merges: [Merge] = []
        var prodID = ""
        for index in 1...8 {
            merges.append(try await mergeAndDeploy(fixture, index))
            if index == 1 {
                prodID = try #require(try await fixture.runtime(named: fixture.prodRuntime)).agentRuntimeId
                // An endpoint of someone's own on the oldest version: it must never lose it.
                _ = try await control.createAgentRuntimeEndpoint(
                    CreateAgentRuntimeEndpointRequest(agentRuntimeId: prodID, name: "canary", agentRuntimeVersion: "1"))
            }
            if [2, 4, 6].contains(index) { try await approve(fixture, issue: merges[index - 1].issue) }
        }
        // Newest 3 (6, 7, 8), the endpoints' (prod 6, DEFAULT 8, canary 1), the last 2 promoted (6, 4).
        #expect(try await liveVersions(fixture, prodID) == ["1", "4", "6", "7", "8"])
        #expect(try await fixture.agentCore().findEndpoint(runtimeId: prodID, name: "canary")?.liveVersion == "1")

        // GitHub's production environment: one deployment per approval, each of the version's
        // commit, only the newest active.
        let client = try fixture.github.client()
        func production() async throws -> [(sha: String, state: String?)] {
            var found: [(String, String?)] = []
            for deployment in try await client.listDeployments(environment: "agentcore-production", sha: nil, task: GitHubDeploymentRecorder.task) {
                #expect(deployment.productionEnvironment == true && deployment.transientEnvironment == false)
                found.append((deployment.sha, try await client.listDeploymentStatuses(deploymentID: deployment.id).first?.state))
            }
            return found
        }
        var recorded = try await production()
        #expect(recorded.map(\.sha) == [merges[5].commit, merges[3].commit, merges[1].commit])
        #expect(recorded.map(\.state) == ["success", "inactive", "inactive"])

        // Roll back to the oldest promoted version still kept.
        let rollback = try await rollBack(fixture, to: "4")
        try #require(rollback.succeeded, "\(rollback.process.output)")
        #expect(try await fixture.agentCore().findEndpoint(runtimeId: prodID, name: "prod")?.liveVersion == "4")
        recorded = try await production()
        #expect(recorded.map(\.sha) == [merges[3].commit, merges[5].commit, merges[3].commit, merges[1].commit])
        #expect(recorded.map(\.state) == ["success", "inactive", "inactive", "inactive"])
        // A rerun of the rollback records nothing new.
        let again = try await rollBack(fixture, to: "4")
        #expect(again.succeeded, "\(again.process.output)")
        #expect(try await production().count == 4)

        // The sweep's dry run with tighter numbers lists what it would delete and deletes nothing:
        // newest 1 (8), endpoints (prod 4, DEFAULT 8, canary 1), last promoted by deployment (4) and by issue (6).
        let dryRun = try await agentcore(
            fixture, ["sweep", "--prune-versions", "--dry-run", "--keep-versions", "1", "--keep-promoted", "1"])
        #expect(dryRun.status == 0, "\(dryRun.output)")
        #expect(dryRun.stdout.contains(
            "\(fixture.prodRuntime) (\(prodID)) versions: would delete 7; kept 8 (newest, endpoint DEFAULT), 6 (promoted), "
                + "4 (endpoint prod, promoted), 1 (endpoint canary)"), "\(dryRun.stdout)")
        #expect(try await liveVersions(fixture, prodID) == ["1", "4", "6", "7", "8"])
        // The sweep by the variables: nothing left to delete.
        let sweep = try await agentcore(fixture, ["sweep", "--prune-versions"], environment: Self.retention)
        #expect(sweep.status == 0, "\(sweep.output)")
        #expect(sweep.stdout.contains("versions: deleted none"), "\(sweep.stdout)")
        #expect(sweep.stdout.contains("Versions of \(fixture.prodRuntime): 5 of 1,000 used, 995 left"))
        #expect(try await liveVersions(fixture, prodID) == ["1", "4", "6", "7", "8"])

        // The history: each kept version with its commit, pull request, package and endpoints.
        let history = try await agentcore(fixture, ["runtime", "history", fixture.prodRuntime, "--json"])
        #expect(history.status == 0, "\(history.output)")
        let decoded = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any]
        let versions = try #require(decoded?["versions"] as? [[String: Any]])
        #expect(versions.map { $0["version"] as? String } == ["8", "7", "6", "4", "1"])
        for entry in versions {
            let merge = merges[Int(entry["version"] as? String ?? "")! - 1]
            #expect(entry["commitSHA"] as? String == merge.commit)
            #expect(entry["pullRequest"] as? Int == merge.pullRequest)
            #expect(entry["packageSHA256"] as? String == merge.packageSHA256)
            // The deploy bucket's write-once record comes first.
            #expect(entry["recordedBy"] as? String == "deployment record")
            #expect(entry["createdAt"] is String)
            // Nothing records smoke tests yet: the field is there, and null.
            #expect(entry["smokeTestResult"] is NSNull)
        }
        func endpoints(_ index: Int) -> [String] {
            (versions[index]["endpoints"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        #expect([endpoints(0), endpoints(1), endpoints(2), endpoints(3), endpoints(4)] == [["DEFAULT"], [], [], ["prod"], ["canary"]])
        #expect(versions.map { $0["promoted"] as? Bool } == [false, false, true, true, false])
        // Without the bucket, the deployment issues say the same.
        let fromIssues = try await agentcore(fixture, ["runtime", "history", fixture.prodRuntime, "--json"], environment: ["AGENTCORE_S3_BUCKET": nil])
        let issueVersions = try #require((try JSONSerialization.jsonObject(with: Data(fromIssues.stdout.utf8)) as? [String: Any])?["versions"] as? [[String: Any]])
        for entry in issueVersions {
            let merge = merges[Int(entry["version"] as? String ?? "")! - 1]
            #expect(entry["commitSHA"] as? String == merge.commit && entry["packageSHA256"] as? String == merge.packageSHA256)
            #expect(entry["recordedBy"] as? String == "deployment issue #\(merge.issue)")
        }
        let text = try await agentcore(fixture, ["runtime", "history", fixture.prodRuntime])
        #expect(text.stdout.contains("4*"), "\(text.stdout)")
        #expect(text.stdout.contains(String(merges[3].commit.prefix(12))))
    }

    @Test("the sweep prunes this repository's open pull-request runtimes, never another repository's or a manual one")
    func sweepPrunesOnlyOurs() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        func runtime(_ name: String, role: RuntimeOwnership.Role, owner: String? = nil) async throws -> String {
            try await PromoteStage.makeRuntime(
                name: name, versions: 4,
                description: RuntimeOwnership.description(nil, repository: owner ?? stage.repository, role: role),
                sandbox: sandbox, control: stage.control, waiter: stage.waiter)
        }
        let ours = try await stage.openPullRequest()
        let oursID = try await runtime("pr_\(ours)", role: .pullRequest(ours))
        let foreign = PromoteStage.foreignNumber()
        let foreignID = try await runtime("pr_\(foreign)", role: .pullRequest(foreign), owner: "someone/else")
        let manualID = try await runtime(Sandbox.uniqueName("manual"), role: .manual)

        let run = try await SweepFlowSandboxTests.sweep(stage, ["--prune-versions", "--keep-versions", "1"])
        #expect(run.status == 0, "\(run)")
        #expect(try await stage.control.allAgentRuntimeVersions(id: oursID).filter { $0.status != .deleting }.map(\.agentRuntimeVersion) == ["4"])
        for id in [foreignID, manualID] {
            #expect(try await stage.control.allAgentRuntimeVersions(id: id).count == 4, "\(id) must keep every version")
        }
        // prod keeps its newest and the version its endpoint serves.
        #expect(try await liveVersions(try FlowFixture(sandbox: sandbox), stage.prodID) == ["1", "2"])
        #expect(run.summary.contains("| `pr_\(ours)` | 3, 2, 1 | 4 (newest, endpoint DEFAULT) |"), "\(run.summary)")
        #expect(!run.summary.contains(foreignID) && !run.summary.contains(manualID))
        #expect(run.summary.contains("| Versions of pr_\(ours), the fullest PR runtime | 1 | 1,000 | 999 |"), "\(run.summary)")
        // Bad numbers are refused before anything is looked at.
        let bad = try await SweepFlowSandboxTests.sweep(stage, ["--prune-versions", "--keep-versions", "0"])
        #expect(bad.status != 0 && bad.output.contains("from 1 to 1000"), "\(bad)")
        let alone = try await SweepFlowSandboxTests.sweep(stage, ["--keep-versions", "3"])
        #expect(alone.status != 0 && alone.output.contains("add it"), "\(alone)")
    }
}
