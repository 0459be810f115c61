import Foundation
import Testing
@testable import AgentCoreGitOps

/// The Deployments calls against the emulator, which follows GitHub's documented behaviour and
/// REST description.
@Suite(.heavy, .tags(.sandbox)) struct GitHubDeploymentSandboxTests {
    @Test func createListAndStatusAgainstTheEmulator() async throws {
        let github = try await GitHubEmulator.shared().ownRepository()
        let sha = GitHubEmulator.randomSHA()
        let number = try await github.openPullRequest(headSHA: sha)
        let client = try github.client()
        let recorder = GitHubDeploymentRecorder(github: client)
        let subject = GitHubDeploymentRecorder.Subject(
            environment: "pr-\(number)", commitSHA: sha, runtimeID: nil, runtimeName: "pr_\(number)", version: nil, production: false)

        let first = try await recorder.deployment(of: subject)
        #expect(first.sha == sha && first.environment == "pr-\(number)" && first.task == GitHubDeploymentRecorder.task)
        #expect(first.transientEnvironment == true && first.productionEnvironment == false)
        #expect(first.creator?.login == github.logins["bot"])
        // A rerun finds it instead of making a second one.
        #expect(try await recorder.deployment(of: subject).id == first.id)
        try await recorder.setStatus(first, GitHubDeploymentStatusRequest(state: .inProgress, description: "Deploying"))
        try await recorder.setStatus(first, GitHubDeploymentStatusRequest(state: .inProgress, description: "Deploying"))
        #expect(try await client.listDeploymentStatuses(deploymentID: first.id).map(\.state) == ["in_progress"])

        // Filters: by sha, environment and task; someone else's deployment to the same environment is not ours.
        _ = try await github.client("maintainer").createDeployment(GitHubDeploymentRequest(
            ref: sha, task: GitHubDeploymentRecorder.task, environment: "pr-\(number)", description: "by hand", payload: [:],
            transientEnvironment: true, productionEnvironment: false))
        #expect(try await client.listDeployments(environment: "pr-\(number)", sha: sha, task: nil).count == 2)
        #expect(try await client.listDeployments(environment: "pr-\(number)", sha: nil, task: "deploy").isEmpty)
        #expect(try await recorder.ours(in: "pr-\(number)").map(\.id) == [first.id])

        // A new commit is a new deployment; the earlier one goes inactive once the new one succeeds.
        let next = GitHubEmulator.randomSHA()
        try await github.control("POST", "/_sandbox/repos/\(github.repository)/pulls/\(number)/push", json: ["head_sha": next])
        var pushed = subject
        pushed.commitSHA = next
        let second = try await recorder.deployment(of: pushed)
        #expect(second.id != first.id)
        try await recorder.setStatus(second, GitHubDeploymentStatusRequest(state: .success, description: "Version 2 of pr_\(number)"))
        try await recorder.deactivate(environment: "pr-\(number)", except: second.id)
        #expect(try await client.listDeploymentStatuses(deploymentID: first.id).first?.state == "inactive")
        #expect(try await client.listDeploymentStatuses(deploymentID: second.id).first?.state == "success")

        // Without the permission, the error names it.
        let readOnly = try github.client("triage")
        let refused = await #expect(throws: GitHubError.self) {
            _ = try await readOnly.createDeployment(GitHubDeploymentRequest(
                ref: sha, task: "deploy", environment: "x", description: "", payload: [:],
                transientEnvironment: false, productionEnvironment: false))
        }
        #expect(refused?.description.contains("deployments: write") == true)
    }
}
