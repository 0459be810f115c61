import Foundation
import Testing
@testable import AgentCoreGitOps

/// `GitHubClient` over real HTTP against the GitHub emulator on loopback.
@Suite(.heavy, .tags(.sandbox)) struct GitHubClientSandboxTests {
    /// The shared sandbox's GitHub emulator.
    let emulator: GitHubEmulator

    init() async throws { emulator = try await GitHubEmulator.shared() }

    static let deploymentLabels = [
        GitHubLabelDefinition(name: "deployment", color: "0e8a16", description: "A production deployment"),
        GitHubLabelDefinition(name: "production", color: "b60205", description: "Concerns the prod runtime"),
        GitHubLabelDefinition(name: "needs-promotion", color: "fbca04", description: "Add approved to promote"),
    ]

    // MARK: Comments

    @Test func createUpdateListAndDeleteComments() async throws {
        let github = try emulator.client()
        let pr = try await emulator.openPullRequest()

        let created = try await github.createComment(issue: pr, body: "first\r\nline")
        #expect(created.user?.login == "github-actions[bot]")
        let updated = try await github.updateComment(id: created.id, body: "second")
        #expect(updated.id == created.id && updated.body == "second")
        #expect(try await github.listComments(issue: pr).map(\.body) == ["second"])

        try await github.deleteComment(id: created.id)
        #expect(try await github.listComments(issue: pr).isEmpty)
        await #expect(throws: GitHubError.self) { try await github.deleteComment(id: created.id) }
    }

    @Test func twoHundredFiftyCommentsComeBackFromThreePages() async throws {
        let pr = try await emulator.openPullRequest()
        let maintainer = try emulator.client("maintainer")
        for index in 0..<250 {
            _ = try await maintainer.createComment(issue: pr, body: "comment \(index)")
        }

        let comments = try await emulator.client().listComments(issue: pr)
        #expect(comments.count == 250)
        #expect(comments.map(\.body) == (0..<250).map { "comment \($0)" })
        #expect(Set(comments.map(\.id)).count == 250)
        let pages = try await emulator.requests(containing: "/issues/\(pr)/comments").filter { $0.method == "GET" }
        #expect(pages.count == 3)
        #expect(pages.allSatisfy { $0.path.contains("per_page=100") && $0.status == 200 })
    }

    @Test func oversizedBodyIsRefusedBeforeSending() async throws {
        let pr = try await emulator.openPullRequest()
        let body = String(repeating: "x", count: GitHubClient.maximumBodyLength + 1)
        await #expect(throws: GitHubError.self) { try await emulator.client().createComment(issue: pr, body: body) }
        #expect(try await emulator.requests(containing: "/issues/\(pr)/comments").isEmpty)
    }

    // MARK: Issues and labels

    @Test func deploymentIssueLifecycle() async throws {
        let github = try emulator.client()
        // Names of this test's own: other tests share the repository and may have made bare
        // `deployment` labels (by labelling an issue, as on GitHub) before this one runs.
        let suffix = UUID().uuidString.prefix(8)
        let fresh = Self.deploymentLabels.map {
            GitHubLabelDefinition(name: "\($0.name)-\(suffix)", color: $0.color, description: $0.description)
        }
        try await github.ensureLabels(fresh)
        let labels = try await github.listLabels()
        for definition in fresh {
            let label = try #require(labels.first { $0.name == definition.name })
            #expect(label.color == definition.color && label.description == definition.description)
        }
        // A second run finds them all and creates nothing; a lost race is not an error either.
        try await github.ensureLabels(fresh)
        #expect(try await github.createLabel(fresh[0]) == false)
        try await github.ensureLabels(Self.deploymentLabels)

        let marker = "<!-- agentcore-test:\(UUID().uuidString) -->"
        let metadata = try DeploymentMetadata(runtimeID: "prod-XyZ9876WvU", version: "5", prRuntimeID: "pr_42-AbCd1234Ef")
        let issue = try await github.createIssue(
            title: "Deploy v5", body: "\(marker)\n\(metadata.rendered())", labels: Self.deploymentLabels.map(\.name))
        #expect(issue.state == "open" && Self.deploymentLabels.allSatisfy { issue.hasLabel($0.name) })

        // A look-alike opened by a person and a pull request with the same labels are not ours.
        let impostor = try await emulator.client("maintainer").createIssue(
            title: "Deploy v5", body: "\(marker)\n\(metadata.rendered())", labels: ["deployment", "production"])
        let labelledPR = try await emulator.openPullRequest()
        try await github.addLabels(issue: labelledPR, labels: ["deployment", "production", "needs-promotion"])
        let found = try await github.findOpenIssues(labels: ["deployment", "production"], marker: marker)
        #expect(found.map(\.number) == [issue.number])
        #expect(try await github.listOpenIssues(labels: ["deployment"]).contains { $0.number == impostor.number })
        #expect(try await !github.listOpenIssues(labels: ["deployment"]).contains { $0.number == labelledPR })

        let fetched = try await github.getIssue(number: issue.number)
        #expect(try github.trustedMarkers.deploymentMetadata(in: fetched) == metadata)
        #expect(try github.trustedMarkers.deploymentMetadata(in: impostor) == nil)

        let afterAdd = try await github.addLabels(issue: issue.number, labels: ["approved"])
        #expect(afterAdd.contains { $0.name == "approved" })
        try await github.removeLabel(issue: issue.number, label: "needs-promotion")
        try await github.removeLabel(issue: issue.number, label: "needs-promotion")
        try await github.removeLabel(issue: issue.number, label: "never-existed label")
        let edited = try await github.updateIssue(number: issue.number, GitHubIssueUpdate(body: "\(marker)\nPromoted."))
        #expect(edited.body == "\(marker)\nPromoted." && !edited.hasLabel("needs-promotion") && edited.hasLabel("approved"))

        let closed = try await github.closeIssue(number: issue.number, reason: .completed)
        #expect(closed.state == "closed" && closed.stateReason == "completed")
        #expect(try await github.findOpenIssues(labels: ["deployment"], marker: marker).isEmpty)
    }

    @Test func removingALabelFromAMissingIssueIsAnError() async throws {
        let github = try emulator.client()
        await #expect(throws: GitHubError.self) { try await github.removeLabel(issue: 987_654, label: "approved") }
        do {
            _ = try await github.getIssue(number: 987_654)
            Issue.record("expected 404")
        } catch let error as GitHubError {
            #expect(error.apiFailure?.isNotFound == true)
            #expect(error.description.contains("issues: read"))
        }
    }

    // MARK: Pull requests, permissions, users

    @Test func pullRequestsAndTheirCommits() async throws {
        let github = try emulator.client()
        let head = GitHubEmulator.randomSHA()
        let number = try await emulator.openPullRequest(headSHA: head)
        let open = try await github.getPullRequest(number: number)
        #expect(open.state == "open" && open.head.sha == head && !open.isMerged && !open.isFromFork)

        let mergeSHA = GitHubEmulator.randomSHA()
        try await emulator.mergePullRequest(number, mergeSHA: mergeSHA)
        let merged = try await github.getPullRequest(number: number)
        #expect(merged.isMerged && merged.mergeCommitSHA == mergeSHA)
        #expect(try await github.pullRequests(forCommit: mergeSHA).map(\.number) == [number])
        #expect(try await github.pullRequests(forCommit: GitHubEmulator.randomSHA()).isEmpty)

        let fork = try await emulator.openPullRequest(user: try emulator.login("outsider"), fork: true)
        #expect(try await github.getPullRequest(number: fork).isFromFork)
    }

    @Test func permissionsAndUsers() async throws {
        let github = try emulator.client()
        let maintainer = try await github.permission(of: try emulator.login("maintainer"))
        #expect(maintainer.roleName == "maintain" && maintainer.permission == "write" && maintainer.canWrite)
        let triage = try await github.permission(of: try emulator.login("triage"))
        #expect(triage.roleName == "triage" && triage.permission == "read" && !triage.canWrite)
        let outsider = try await github.permission(of: try emulator.login("outsider"))
        #expect(!outsider.canWrite)

        #expect(try await emulator.client("maintainer").authenticatedUser().login == (try emulator.login("maintainer")))
        // GITHUB_TOKEN is not a user: GitHub answers 403, and the error says so.
        do {
            _ = try await github.authenticatedUser()
            Issue.record("expected 403")
        } catch let error as GitHubError {
            #expect(error.apiFailure?.status == 403)
            #expect(error.description.contains("This call needs a personal token: GITHUB_TOKEN is not a user"))
        }
    }

    @Test func missingPermissionNamesWhatTheWorkflowNeeds() async throws {
        let pr = try await emulator.openPullRequest()
        let outsider = try emulator.client("outsider")
        do {
            try await outsider.addLabels(issue: pr, labels: ["approved"])
            Issue.record("expected 403")
        } catch let error as GitHubError {
            let failure = try #require(error.apiFailure)
            #expect(failure.status == 403 && failure.message.hasPrefix("Resource not accessible"))
            #expect(failure.documentationURL?.hasPrefix("https://docs.github.com/rest") == true)
            #expect(error.description.contains("issues: write"))
        }
        await #expect(throws: GitHubError.self) {
            try await outsider.createLabel(GitHubLabelDefinition(name: "x-\(pr)", color: "ededed", description: ""))
        }
    }

    @Test func badTokenIsNotRetriedAndNeverLogged() async throws {
        let token = "ghs_not_a_real_token_\(UUID().uuidString)"
        let log = GitHubOutputRecorder()
        let github = GitHubClient(
            configuration: GitHubConfiguration(
                apiURL: URL(string: emulator.apiURL)!, token: token, repository: try GitHubRepository(emulator.repository),
                retry: GitHubEmulator.fastRetry),
            log: log.record, clock: TestClock())
        do {
            _ = try await github.getIssue(number: 1)
            Issue.record("expected 401")
        } catch let error as GitHubError {
            #expect(error.apiFailure?.status == 401)
            #expect(!error.description.contains(token))
        }
    }

    // MARK: Rate limits and failures

    @Test func secondaryRateLimitIsWaitedOut() async throws {
        let pr = try await emulator.openPullRequest()
        let path = "/issues/\(pr)/comments"
        try await emulator.addFault(["fault": "secondary_rate_limit", "count": 1, "retry_after": 1, "method": "POST", "path_contains": path])
        let log = GitHubOutputRecorder()
        let clock = TestClock()
        let github = try emulator.client(log: log.record, clock: clock)

        let comment = try await github.createComment(issue: pr, body: "after the limit")
        #expect(comment.body == "after the limit")
        let posts = try await emulator.requests(containing: path).filter { $0.method == "POST" }
        #expect(posts.map(\.status) == [403, 201])
        #expect(clock.sleeps == [.seconds(1)], "retry-after: 1 must be obeyed")
        #expect(log.lines.count == 1 && log.lines[0].contains("secondary rate limit (retry-after 1 s)"))
        #expect(!log.lines.joined().contains(try #require(emulator.tokens["bot"])))
        #expect(try await github.listComments(issue: pr).count == 1)
    }

    @Test func secondaryRateLimitAs429() async throws {
        let pr = try await emulator.openPullRequest()
        let path = "/issues/\(pr)/labels"
        try await emulator.addFault(["fault": "secondary_rate_limit", "count": 1, "retry_after": 0, "status": 429, "path_contains": path])
        let labels = try await emulator.client().addLabels(issue: pr, labels: ["preview"])
        #expect(labels.map(\.name) == ["preview"])
        #expect(try await emulator.requests(containing: path).map(\.status) == [429, 200])
    }

    @Test func primaryRateLimitIsWaitedOutUntilReset() async throws {
        let pr = try await emulator.openPullRequest()
        let path = "/issues/\(pr)/comments"
        try await emulator.addFault(["fault": "primary_rate_limit", "count": 1, "retry_after": 1, "status": 429, "path_contains": path])
        let log = GitHubOutputRecorder()
        let clock = TestClock()
        #expect(try await emulator.client(log: log.record, clock: clock).listComments(issue: pr).isEmpty)
        let attempts = try await emulator.requests(containing: path)
        #expect(attempts.map(\.status) == [429, 200])
        // The reset is a whole second of the emulator's wall clock: one to two seconds from now, plus one.
        #expect(clock.sleeps.count == 1 && clock.sleeps.allSatisfy { $0 >= .milliseconds(950) && $0 <= .seconds(3) },
                "must wait for x-ratelimit-reset, waited \(clock.sleeps)")
        #expect(log.lines.count == 1 && log.lines[0].contains("primary rate limit for core exhausted until"))
    }

    @Test func primaryRateLimitBeyondTheCapFailsAtOnce() async throws {
        let pr = try await emulator.openPullRequest()
        let path = "/issues/\(pr)/comments"
        try await emulator.addFault(["fault": "primary_rate_limit", "count": 1, "retry_after": 3600, "path_contains": path])
        do {
            _ = try await emulator.client().listComments(issue: pr)
            Issue.record("expected a rate-limit error")
        } catch let error as GitHubError {
            guard case .rateLimited(_, let detail) = error else {
                Issue.record("expected rateLimited, got \(error)")
                return
            }
            #expect(detail.contains("primary rate limit") && detail.contains("Re-run the job"))
        }
        #expect(try await emulator.requests(containing: path).count == 1)
    }

    @Test func serverErrorsAndDroppedConnectionsAreRetried() async throws {
        let pr = try await emulator.openPullRequest()
        let github = try emulator.client()
        let labels = "/issues/\(pr)/labels"
        try await emulator.addFault(["fault": "error500", "count": 1, "path_contains": labels])
        try await emulator.addFault(["fault": "error502", "count": 1, "path_contains": labels])
        #expect(try await github.addLabels(issue: pr, labels: ["preview"]).map(\.name) == ["preview"])
        #expect(try await emulator.requests(containing: labels).map(\.status) == [500, 502, 200])

        try await emulator.addFault(["fault": "drop", "count": 1, "path_contains": "/issues/\(pr)/comments"])
        #expect(try await github.listComments(issue: pr).isEmpty)
        let attempts = try await emulator.requests(containing: "/issues/\(pr)/comments")
        #expect(attempts.map(\.fault) == ["drop", nil])
    }

    @Test func persistentServerErrorsGiveUp() async throws {
        let pr = try await emulator.openPullRequest()
        let attempts = GitHubEmulator.fastRetry.maxAttempts
        try await emulator.addFault(["fault": "error502", "count": attempts, "path_contains": "/issues/\(pr)/labels"])
        do {
            try await emulator.client().addLabels(issue: pr, labels: ["a"])
            Issue.record("expected a failure")
        } catch let error as GitHubError {
            #expect(error.apiFailure?.status == 502)
        }
        #expect(try await emulator.requests(containing: "/issues/\(pr)/labels").count == attempts)
    }
}
