import Foundation
import Testing
@testable import AgentCoreGitOps

/// pr-deploy's GitHub deployments end to end: the executable against the sandbox, the deployments
/// and their statuses read back from the GitHub emulator.
@Suite("pr-deploy: GitHub deployments of pr-<n>", .heavy, .tags(.sandbox, .process))
struct PRGitHubDeploymentSandboxTests {
    /// The tool's deployments to `pr-<number>`, newest first, each with its states, newest first.
    private func deployments(_ fixture: FlowFixture, _ number: Int) async throws -> [(GitHubDeployment, [GitHubDeploymentStatus])] {
        let client = try fixture.github.client()
        var found: [(GitHubDeployment, [GitHubDeploymentStatus])] = []
        for deployment in try await client.listDeployments(environment: "pr-\(number)", sha: nil, task: nil) {
            found.append((deployment, try await client.listDeploymentStatuses(deploymentID: deployment.id)))
        }
        return found
    }

    @Test("each push records its head commit in pr-<n>: in_progress, then success with the console link; closing makes it inactive")
    func pushesAndClose() async throws {
        let fixture = try await FlowFixture()
        let first = FlowFixture.sha()
        let (number, opened) = try await fixture.openDeployedPullRequest(headSHA: first)
        let runtimeID = try #require(opened.outputs["runtime_id"])

        var recorded = try await deployments(fixture, number)
        try #require(recorded.count == 1)
        let (deployment, statuses) = recorded[0]
        #expect(deployment.sha == first && deployment.ref == first && deployment.task == GitHubDeploymentRecorder.task)
        #expect(deployment.transientEnvironment == true && deployment.productionEnvironment == false)
        #expect(deployment.creator?.login == fixture.github.logins["bot"])
        #expect(statuses.map(\.state) == ["success", "in_progress"])
        #expect(statuses[0].description == "Version 1 of pr_\(number)")
        #expect(statuses[0].environmentURL == "https://\(fixture.sandbox.info.region).console.aws.amazon.com/bedrock-agentcore/home"
                + "?region=\(fixture.sandbox.info.region)#/agents/\(runtimeID)")

        // A rerun of the same event adds nothing new: the same deployment, already successful.
        let rerun = try await fixture.prDeploy("opened", number)
        #expect(rerun.succeeded, "\(rerun.process.output)")
        recorded = try await deployments(fixture, number)
        #expect(recorded.count == 1)

        // A new push: a new deployment of the new head; the first one is no longer live.
        let second = try await fixture.pushChange("Hello again", to: number)
        let pushed = try await fixture.prDeploy("synchronize", number, before: first)
        try #require(pushed.succeeded, "\(pushed.process.output)")
        recorded = try await deployments(fixture, number)
        #expect(recorded.map(\.0.sha) == [second, first])
        #expect(recorded.map { $0.1.first?.state } == ["success", "inactive"])
        #expect(recorded[0].1.first?.description == "Version 2 of pr_\(number)")

        // The runtime's history reads each version's commit from these deployments.
        let history = try await runProcess(
            RepositoryPaths.executable("agentcore"), ["runtime", "history", "pr_\(number)", "--json"], environment: fixture.environment)
        #expect(history.status == 0, "\(history.output)")
        let decoded = try JSONDecoder().decode(HistoryJSON.self, from: Data(history.stdout.utf8))
        #expect(decoded.versions.map(\.version) == ["2", "1"])
        #expect(decoded.versions.map(\.commitSHA) == [second, first])
        #expect(decoded.versions.allSatisfy { $0.pullRequest == number && $0.recordedBy.hasPrefix("GitHub deployment ") })
        #expect(decoded.versions.map { $0.endpoints.map(\.name) } == [["DEFAULT"], []])
        #expect(decoded.versions.allSatisfy { $0.packageSHA256?.count == 64 })

        try await fixture.close(number)
        let closed = try await fixture.prDeploy("closed", number)
        #expect(closed.succeeded, "\(closed.process.output)")
        #expect(try await deployments(fixture, number).map { $0.1.first?.state } == ["inactive", "inactive"])
    }

    @Test("a push that fails to deploy is recorded as failure; the comment and the run's error are as before")
    func failedPush() async throws {
        let fixture = try await FlowFixture()
        let head = FlowFixture.sha()
        let number = try await fixture.openPullRequest(headSHA: head)
        // The package has nowhere to go.
        let run = try await fixture.prDeploy("opened", number, environment: ["AGENTCORE_S3_BUCKET": "no-such-bucket-here"])
        #expect(!run.succeeded)
        let recorded = try await deployments(fixture, number)
        try #require(recorded.count == 1, "\(run.process.output)")
        #expect(recorded[0].0.sha == head)
        #expect(recorded[0].1.map(\.state) == ["failure", "in_progress"])
        #expect(try await fixture.onlyAFailedComment(on: number))
    }

    private struct HistoryJSON: Decodable {
        struct Entry: Decodable {
            struct Endpoint: Decodable { let name: String }
            let version: String
            let commitSHA: String?
            let pullRequest: Int?
            let packageSHA256: String?
            let recordedBy: String
            let endpoints: [Endpoint]
        }
        let versions: [Entry]
    }
}
