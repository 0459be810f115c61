import Foundation
import Testing
@testable import AgentCoreGitOps

/// The in-memory GitHub behaves like the REST API where the flows depend on it.
@Suite struct FakeGitHubTests {
    let github = FakeGitHub()

    @Test func issuesAndPullRequestsShareOneNumbering() async throws {
        let pull = github.openPullRequest()
        let issue = try await github.createIssue(title: "t", body: "b", labels: ["deployment"])
        #expect(issue.number == pull + 1)
        #expect(try await github.getIssue(number: pull).isPullRequest)
        #expect(try await github.listOpenIssues(labels: ["Deployment"]).map(\.number) == [issue.number])
        #expect(try await github.listLabels().map(\.name) == ["deployment"], "a label is created when first used")
    }

    @Test func whatIsMissingAnswers404() async throws {
        await #expect { _ = try await github.getIssue(number: 42) } throws: { error in
            (error as? GitHubError)?.apiFailure?.isNotFound == true
        }
        await #expect { try await github.deleteComment(id: 7) } throws: { error in
            (error as? GitHubError)?.apiFailure?.isNotFound == true
        }
        await #expect { _ = try await github.permission(of: "stranger") } throws: { error in
            (error as? GitHubError)?.apiFailure?.isNotFound == true
        }
    }

    @Test func theStickyCommentHelperKeepsOneCommentOverTheFake() async throws {
        let pull = github.openPullRequest()
        github.seedComment(on: pull, body: "quoting <!-- m -->", by: "someone")
        let first = try await github.upsertStickyComment(issue: pull, marker: "<!-- m -->", body: "one")
        let second = try await github.upsertStickyComment(issue: pull, marker: "<!-- m -->", body: "two")
        #expect(first.action == .created && second.action == .updated && second.comment.id == first.comment.id)
        #expect(github.comments(on: pull).count == 2)
        #expect(github.calls.map(\.operation) == ["listComments", "createComment", "listComments", "listComments", "updateComment"])
    }

    @Test func issueListsFollowStateAndRemovingAMissingLabelIsNoError() async throws {
        let open = try await github.createIssue(title: "open", body: "", labels: ["deployment"])
        let closed = try await github.createIssue(title: "closed", body: "", labels: ["deployment"])
        _ = try await github.closeIssue(number: closed.number)
        #expect(try await github.listIssues(labels: ["deployment"], state: .open).map(\.number) == [open.number])
        #expect(try await github.listIssues(labels: ["deployment"], state: .all).count == 2)
        try await github.removeLabel(issue: open.number, label: "never-there")
        #expect(try await github.getIssue(number: open.number).labels.map(\.name) == ["deployment"])
    }

    @Test func deploymentsNeedAKnownCommitAndASuccessRetiresEarlierOnesUnlessProductionOrTransient() async throws {
        let sha = github.pushToMain()
        func deploy(_ environment: String, production: Bool = false, transient: Bool = false) async throws -> GitHubDeployment {
            try await github.createDeployment(GitHubDeploymentRequest(
                ref: sha, task: "deploy", environment: environment, description: "", payload: [:],
                transientEnvironment: transient, productionEnvironment: production))
        }
        await #expect { _ = try await github.createDeployment(GitHubDeploymentRequest(
            ref: FakeGitHub.randomSHA(), task: "deploy", environment: "staging", description: "", payload: [:],
            transientEnvironment: false, productionEnvironment: false)) } throws: { ($0 as? GitHubError)?.apiFailure?.status == 422 }

        let staging = try await deploy("staging")
        let live = try await deploy("live", production: true)
        _ = try await github.createDeploymentStatus(deploymentID: staging.id, GitHubDeploymentStatusRequest(state: .success))
        _ = try await github.createDeploymentStatus(deploymentID: live.id, GitHubDeploymentStatusRequest(state: .success))
        let newer = try await deploy("staging")
        let newerLive = try await deploy("live", production: true)
        _ = try await github.createDeploymentStatus(deploymentID: newer.id, GitHubDeploymentStatusRequest(state: .success))
        _ = try await github.createDeploymentStatus(deploymentID: newerLive.id, GitHubDeploymentStatusRequest(state: .success))
        #expect(try await github.listDeploymentStatuses(deploymentID: staging.id).map(\.state) == ["inactive", "success"])
        #expect(try await github.listDeploymentStatuses(deploymentID: live.id).map(\.state) == ["success"])
        #expect(try await github.listDeployments(environment: "staging", sha: sha, task: "deploy").map(\.id) == [newer.id, staging.id])
        #expect(try await github.listDeployments(environment: nil, sha: nil, task: "other").isEmpty)
        await #expect { _ = try await github.listDeploymentStatuses(deploymentID: 9) } throws: { ($0 as? GitHubError)?.apiFailure?.isNotFound == true }
    }
}
