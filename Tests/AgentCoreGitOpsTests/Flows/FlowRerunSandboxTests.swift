import Foundation
import Testing
@testable import AgentCoreGitOps

/// Every step safe to re-run: a run cut off after any number of AWS requests, or whose GitHub
/// answer was lost, is finished by the next run with no duplicate runtime, version, issue or
/// comment. These tests fail AWS for everyone, so they have a sandbox of their own.
@Suite("Flows: reruns after a crash", .heavyInAChain, .tags(.sandbox, .process), .serialized)
final class FlowRerunSandboxTests {
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.launch() }

    deinit { sandbox.stop() }

    /// Lets `allowed` AWS requests through, then fails every one (one attempt each, no retries).
    private func crashing<T>(after allowed: Int, _ body: () async throws -> T) async throws -> T {
        try await sandbox.awsControl("POST", "/_sandbox/fail-after", json: ["n": allowed])
        do {
            let result = try await body()
            try await sandbox.awsControl("DELETE", "/_sandbox/faults")
            return result
        } catch {
            try await sandbox.awsControl("DELETE", "/_sandbox/faults")
            throw error
        }
    }

    private let noRetries: [String: String?] = ["AWS_MAX_ATTEMPTS": "1"]

    @Test("pr-deploy cut off after each AWS request of a first deploy and of an update")
    func prDeployCrashes() async throws {
        let fixture = try await FlowFixture(sandbox: sandbox)
        var completedAt: Int?
        for allowed in 0..<30 {
            try fixture.writeAgent("first \(allowed)")
            let number = try await fixture.openPullRequest()
            let crashed = try await crashing(after: allowed) {
                try await fixture.prDeploy("opened", number, environment: noRetries)
            }
            let rerun = try await fixture.prDeploy("opened", number)
            #expect(rerun.succeeded, "after \(allowed) requests: \(rerun.process.output)")
            let runtime = try #require(try await fixture.runtime(named: "pr_\(number)"))
            #expect(try await fixture.versions(ofRuntime: runtime.agentRuntimeId) == ["1"], "after \(allowed) requests")
            #expect(try await fixture.sha256(ofKey: "pr_\(number)/v1/code.zip") == rerun.outputs["package_sha256"])
            #expect(try await fixture.botComments(on: number).count == 1)
            // A first deploy needs well over 10 AWS requests (runtime, package, records, the smoke
            // test's four), then the plan against prod (which only warns when it fails): a run cut
            // off earlier must fail; the first one allowed them all completes.
            if crashed.succeeded {
                #expect(allowed > 10, "a deploy cut off after \(allowed) requests succeeded: \(crashed.process.output)")
                completedAt = allowed
                break
            }

            try fixture.writeAgent("second \(allowed)")
            let update = try await crashing(after: allowed) {
                try await fixture.prDeploy("synchronize", number, before: FlowFixture.sha(), environment: noRetries)
            }
            let updated = try await fixture.prDeploy("synchronize", number, before: FlowFixture.sha())
            #expect(updated.succeeded, "update after \(allowed) requests: \(updated.process.output)")
            #expect(try await fixture.versions(ofRuntime: runtime.agentRuntimeId) == ["1", "2"], "update after \(allowed) requests")
            #expect(try await fixture.sha256(ofKey: "pr_\(number)/v2/code.zip") == updated.outputs["package_sha256"])
            #expect(try await recordedRuntimeID(fixture, number) == runtime.agentRuntimeId)
            #expect(!update.succeeded, "update after \(allowed) requests: \(update.process.output)")
        }
        #expect(completedAt != nil, "no pr-deploy cut off after up to 29 requests completed")
    }

    @Test("prod-deploy cut off after each AWS request makes one version and one issue")
    func prodDeployCrashes() async throws {
        let fixture = try await FlowFixture(sandbox: sandbox)
        var expectedVersions: [String] = []
        var completedAt: Int?
        for allowed in 0..<40 {
            try fixture.writeAgent("release \(allowed)")
            let commit = FlowFixture.sha()
            let crashed = try await crashing(after: allowed) {
                try await fixture.prodDeploy(after: commit, environment: noRetries)
            }
            let rerun = try await fixture.prodDeploy(after: commit)
            #expect(rerun.succeeded, "after \(allowed) requests: \(rerun.process.output)")
            expectedVersions.append(String(expectedVersions.count + 1))
            let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
            #expect(try await fixture.versions(ofRuntime: prod.agentRuntimeId) == expectedVersions, "after \(allowed) requests")
            #expect(try await fixture.deploymentIssues(forCommit: commit).count == 1)
            // A later deploy needs well over 15 AWS requests (drift and settings records, plan, package
            // manifest, deployment records, the smoke test's four, the versions and endpoints pruning
            // looks at): a run cut off earlier must fail; the first one allowed them all completes.
            if crashed.succeeded {
                #expect(allowed > 15, "a deploy cut off after \(allowed) requests succeeded: \(crashed.process.output)")
                completedAt = allowed
                break
            }
        }
        #expect(completedAt != nil, "no prod-deploy cut off after up to 39 requests completed")
    }

    @Test("a deployment issue whose create answer was lost is not opened twice")
    func lostIssueAnswer() async throws {
        let fixture = try await FlowFixture(sandbox: sandbox)
        let commit = FlowFixture.sha()
        // GitHub creates the issue, the answer is lost, the client retries: two issues, the run goes on.
        try await fixture.github.addFault([
            "fault": "error500", "count": 1, "method": "POST", "path_contains": "/repos/\(fixture.github.repository)/issues",
            "after_processing": true,
        ])
        let run = try await fixture.prodDeploy(after: commit)
        try await fixture.github.control("DELETE", "/_sandbox/faults")
        #expect(run.succeeded, "\(run.process.output)")
        let issues = try await fixture.deploymentIssues(forCommit: commit).sorted { $0.number < $1.number }
        #expect(issues.map(\.state) == ["open", "closed"])
        #expect(run.outputs["issue_number"] == issues.first.map { String($0.number) })

        let rerun = try await fixture.prodDeploy(after: commit)
        #expect(rerun.outputs["issue_number"] == issues.first.map { String($0.number) })
        #expect(try await fixture.deploymentIssues(forCommit: commit).count == 2)
    }

    private func recordedRuntimeID(_ fixture: FlowFixture, _ number: Int) async throws -> String? {
        try RuntimeIDMarker.parse(try #require(try await fixture.botComments(on: number).first?.body))
    }
}
