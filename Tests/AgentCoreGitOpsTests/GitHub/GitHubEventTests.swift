import Foundation
import Testing
@testable import AgentCoreGitOps

/// The real payloads from octokit/webhooks in `../shared/test-vectors/github-webhooks/`, and
/// variations derived from them in memory.
@Suite(.readsTestVectors) struct GitHubEventTests {
    static func payload(_ name: String) throws -> [String: Any] {
        let url = try TestVectors.url("github-webhooks/\(name).json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func decode(_ event: String, _ json: [String: Any]) throws -> GitHubEvent {
        try GitHubEvent.decode(name: event, json: JSONSerialization.data(withJSONObject: json))
    }

    static func pullRequest(_ json: [String: Any]) throws -> PullRequestEvent {
        guard case .pullRequest(let event) = try decode("pull_request", json) else {
            Issue.record("not a pull_request event")
            throw CancellationError()
        }
        return event
    }

    /// Sets a value at a dotted path in a JSON object, creating nothing: the path must exist up to its last key.
    static func setting(_ json: [String: Any], _ path: String, _ value: Any?) -> [String: Any] {
        let keys = path.split(separator: ".").map(String.init)
        func set(_ object: [String: Any], _ keys: ArraySlice<String>) -> [String: Any] {
            var copy = object
            let key = keys.first!
            if keys.count == 1 {
                copy[key] = value
            } else {
                copy[key] = set(object[key] as? [String: Any] ?? [:], keys.dropFirst())
            }
            return copy
        }
        return set(json, keys[...])
    }

    // MARK: pull_request

    @Test func openedAndSynchronize() throws {
        let opened = try Self.pullRequest(Self.payload("pull_request-opened"))
        #expect(opened.action == .opened)
        #expect(opened.number == 2)
        #expect(opened.headSHA == "ec26c3e57ca3a959ca5aad62de7213c562f8c821")
        #expect(opened.pullRequest.base.ref == "master")
        #expect(!opened.isFromFork && !opened.isMerged)
        #expect(opened.repository.fullName == "Codertocat/Hello-World")
        #expect(opened.sender.login == "Codertocat")

        let synchronize = try Self.pullRequest(Self.payload("pull_request-synchronize"))
        #expect(synchronize.action == .synchronize)
    }

    @Test func closedUnmergedAndMerged() throws {
        let closed = try Self.payload("pull_request-closed")
        let unmerged = try Self.pullRequest(closed)
        #expect(unmerged.action == .closed && !unmerged.isMerged)

        var merged = Self.setting(closed, "pull_request.merged", true)
        merged = Self.setting(merged, "pull_request.merged_at", "2019-05-15T15:21:18Z")
        let event = try Self.pullRequest(merged)
        #expect(event.isMerged)
        #expect(event.pullRequest.mergeCommitSHA == "c4295bd74fb0f4fda03689c3df3f2803b658fd85")
    }

    @Test func reopenedAndUnknownActions() throws {
        let opened = try Self.payload("pull_request-opened")
        #expect(try Self.pullRequest(Self.setting(opened, "action", "reopened")).action == .reopened)
        #expect(try Self.pullRequest(Self.setting(opened, "action", "labeled")).action == .other("labeled"))
    }

    @Test func forksAreRecognised() throws {
        let opened = try Self.payload("pull_request-opened")
        var fromFork = Self.setting(opened, "pull_request.head.repo.fork", true)
        fromFork = Self.setting(fromFork, "pull_request.head.repo.id", 99)
        #expect(try Self.pullRequest(fromFork).isFromFork)
        let otherRepo = Self.setting(opened, "pull_request.head.repo.full_name", "mallory/Hello-World")
        #expect(try Self.pullRequest(otherRepo).isFromFork)
        let deletedFork = Self.setting(opened, "pull_request.head.repo", NSNull())
        #expect(try Self.pullRequest(deletedFork).isFromFork)
    }

    /// `head.repo.fork` describes the repository: in a repository that is itself a fork, both
    /// sides say `fork: true`, and its own pull requests still deploy.
    @Test func aRepositoryThatIsItselfAForkDeploysItsOwnPullRequests() throws {
        var opened = try Self.payload("pull_request-opened")
        opened = Self.setting(opened, "pull_request.head.repo.fork", true)
        opened = Self.setting(opened, "pull_request.base.repo.fork", true)
        #expect(try !Self.pullRequest(opened).isFromFork)
        // A fork of that fork, renamed to the same name, is still another repository.
        let other = Self.setting(opened, "pull_request.head.repo.id", 4242)
        #expect(try Self.pullRequest(other).isFromFork)
    }

    @Test func botSenderAndNullOptionalFields() throws {
        var json = try Self.payload("pull_request-opened")
        json = Self.setting(json, "sender.login", "github-actions[bot]")
        json = Self.setting(json, "sender.type", "Bot")
        json = Self.setting(json, "pull_request.title", NSNull())
        json = Self.setting(json, "pull_request.merged", nil)
        json = Self.setting(json, "pull_request.merge_commit_sha", NSNull())
        json = Self.setting(json, "pull_request.user", nil)
        let event = try Self.pullRequest(json)
        #expect(event.sender.login == "github-actions[bot]" && event.sender.type == "Bot")
        #expect(event.pullRequest.title == nil && !event.isMerged)
    }

    @Test func missingRequiredFieldIsNamed() throws {
        let opened = try Self.payload("pull_request-opened")
        #expect(throws: GitHubEventError.missingField(event: "pull_request", path: "pull_request.head.sha")) {
            try Self.decode("pull_request", Self.setting(opened, "pull_request.head.sha", nil))
        }
        #expect(throws: GitHubEventError.missingField(event: "pull_request", path: "number")) {
            try Self.decode("pull_request", Self.setting(opened, "number", NSNull()))
        }
        #expect(throws: GitHubEventError.invalidField(event: "pull_request", path: "number", detail: "expected Int")) {
            try Self.decode("pull_request", Self.setting(opened, "number", "2"))
        }
        let error = GitHubEventError.missingField(event: "pull_request", path: "pull_request.head.sha")
        #expect(error.description.contains("`pull_request.head.sha`"))
    }

    // MARK: push, issues, workflow_dispatch

    @Test func push() throws {
        let json = try Self.payload("push")
        guard case .push(let tagDeletion) = try Self.decode("push", json) else { Issue.record("not push"); return }
        #expect(tagDeletion.ref == "refs/tags/simple-tag" && tagDeletion.branch == nil)
        #expect(tagDeletion.deleted && tagDeletion.headCommit == nil)

        var branchPush = Self.setting(json, "ref", "refs/heads/main")
        branchPush = Self.setting(branchPush, "deleted", false)
        branchPush = Self.setting(branchPush, "after", "c4295bd74fb0f4fda03689c3df3f2803b658fd85")
        branchPush = Self.setting(branchPush, "head_commit", ["id": "c4295bd74fb0f4fda03689c3df3f2803b658fd85", "message": "Merge #2"])
        guard case .push(let event) = try Self.decode("push", branchPush) else { Issue.record("not push"); return }
        #expect(event.branch == "main" && !event.deleted)
        #expect(event.headCommit?.id == "c4295bd74fb0f4fda03689c3df3f2803b658fd85")
    }

    @Test func issuesLabeled() throws {
        let json = try Self.payload("issues-labeled")
        guard case .issues(let bug) = try Self.decode("issues", json) else { Issue.record("not issues"); return }
        #expect(bug.isLabeled && bug.label?.name == "bug")
        #expect(bug.issue.number == 1 && bug.issue.hasLabel("bug") && !bug.issue.isPullRequest)
        #expect(bug.sender.login == "Codertocat")

        var approved = Self.setting(json, "label.name", "approved")
        approved = Self.setting(approved, "issue.labels", [["name": "deployment"], ["name": "approved"]])
        approved = Self.setting(approved, "issue.user.login", "github-actions[bot]")
        approved = Self.setting(approved, "issue.body", NSNull())
        guard case .issues(let event) = try Self.decode("issues", approved) else { Issue.record("not issues"); return }
        #expect(event.label?.name == "approved" && event.issue.hasLabel("deployment"))
        #expect(event.issue.user?.login == "github-actions[bot]" && event.issue.body == nil)

        #expect(throws: GitHubEventError.missingField(event: "issues", path: "label")) {
            try Self.decode("issues", Self.setting(json, "label", nil))
        }
        // `label` is only required when a label was added or removed.
        #expect(throws: Never.self) { try Self.decode("issues", Self.setting(Self.setting(json, "label", nil), "action", "opened")) }
    }

    @Test func workflowDispatchInputs() throws {
        let json = try Self.payload("workflow_dispatch")
        guard case .workflowDispatch(let event) = try Self.decode("workflow_dispatch", json) else {
            Issue.record("not workflow_dispatch")
            return
        }
        #expect(event.input("name") == "Mona the Octocat")
        #expect(event.ref == "refs/heads/master" && event.input("version") == nil)

        let withNulls = Self.setting(json, "inputs", ["version": " 7 ", "reason": NSNull(), "empty": "", "dry_run": true])
        guard case .workflowDispatch(let rollback) = try Self.decode("workflow_dispatch", withNulls) else { return }
        #expect(rollback.input("version") == "7")
        #expect(rollback.input("reason") == nil && rollback.inputs.keys.contains("reason"))
        #expect(rollback.input("empty") == nil && rollback.input("dry_run") == "true")

        guard case .workflowDispatch(let none) = try Self.decode("workflow_dispatch", Self.setting(json, "inputs", NSNull())) else { return }
        #expect(none.inputs.isEmpty)
    }

    // MARK: Loading from the environment

    @Test func loadsFromEnvironment() throws {
        let path = try TestVectors.url("github-webhooks/pull_request-opened.json").path
        let event = try GitHubEvent.load(environment: ["GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": path])
        guard case .pullRequest(let pullRequest) = event else { Issue.record("not a pull request"); return }
        #expect(pullRequest.number == 2)

        #expect(throws: GitHubEventError.missingEnvironment("GITHUB_EVENT_PATH")) {
            try GitHubEvent.load(environment: ["GITHUB_EVENT_NAME": "pull_request"])
        }
        #expect(throws: GitHubEventError.missingEnvironment("GITHUB_EVENT_NAME")) {
            try GitHubEvent.load(environment: ["GITHUB_EVENT_PATH": path])
        }
        #expect(throws: GitHubEventError.unsupportedEvent("pull_request_target")) {
            try GitHubEvent.load(environment: ["GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_EVENT_PATH": path])
        }
        #expect(throws: GitHubEventError.self) {
            try GitHubEvent.load(environment: ["GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": "/nonexistent/event.json"])
        }
        #expect(throws: GitHubEventError.self) { try GitHubEvent.decode(name: "push", json: Data("{not json".utf8)) }
    }
}
