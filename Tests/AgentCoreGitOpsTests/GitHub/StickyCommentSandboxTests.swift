import Foundation
import Testing
@testable import AgentCoreGitOps

/// The pull request's sticky comment and its runtime marker, against the GitHub emulator.
@Suite(.heavy, .tags(.sandbox)) struct StickyCommentSandboxTests {
    /// The shared sandbox's GitHub emulator.
    let emulator: GitHubEmulator

    init() async throws { emulator = try await GitHubEmulator.shared() }

    static let marker = "<!-- agentcore-gitops:pr-deploy -->"

    static func body(_ runtimeID: String, version: Int) throws -> String {
        "\(marker)\n\(try RuntimeIDMarker.render(runtimeID))\n### Deployed `pr` runtime\n| Version | \(version) |"
    }

    @Test func createsThenUpdatesInPlaceOnlyWhenChanged() async throws {
        let github = try emulator.client()
        let pr = try await emulator.openPullRequest()
        let path = "/issues/\(pr)/comments"

        let first = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_1-AbCd1234Ef", version: 1))
        #expect(first.action == .created && first.deletedDuplicateIDs.isEmpty)

        let again = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_1-AbCd1234Ef", version: 1))
        #expect(again.action == .unchanged && again.comment.id == first.comment.id)

        let second = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_1-AbCd1234Ef", version: 2))
        #expect(second.action == .updated && second.comment.id == first.comment.id)

        let comments = try await github.listComments(issue: pr)
        #expect(comments.map(\.id) == [first.comment.id])
        #expect(comments[0].body?.contains("| Version | 2 |") == true)
        // One POST and one PATCH: the unchanged run wrote nothing.
        let writes = try await emulator.requests(containing: "/issues/").filter {
            $0.method != "GET" && ($0.path.contains(path) || $0.path.contains("/comments/\(first.comment.id)"))
        }
        #expect(writes.map(\.method) == ["POST", "PATCH"])
    }

    @Test func markerIsAddedWhenTheBodyLacksIt() async throws {
        let pr = try await emulator.openPullRequest()
        let result = try await emulator.client().upsertStickyComment(issue: pr, marker: Self.marker, body: "hello")
        #expect(result.comment.body == "\(Self.marker)\nhello")
    }

    @Test func raceLeftoversAreDeletedKeepingTheOldest() async throws {
        let github = try emulator.client()
        let pr = try await emulator.openPullRequest()
        // Three concurrent runs each created a comment; a person quoted the marker; other chatter.
        let person = try await emulator.client("maintainer").createComment(issue: pr, body: "Quoting: \(Self.marker)")
        let oldest = try await github.createComment(issue: pr, body: try Self.body("pr_1-AbCd1234Ef", version: 1))
        let chatter = try await github.createComment(issue: pr, body: "unrelated bot note")
        let newer = try await github.createComment(issue: pr, body: try Self.body("pr_1-AbCd1234Ef", version: 1))
        let newest = try await github.createComment(issue: pr, body: try Self.body("pr_1-AbCd1234Ef", version: 2))

        let result = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_1-AbCd1234Ef", version: 3))
        #expect(result.action == .updated && result.comment.id == oldest.id)
        #expect(result.deletedDuplicateIDs == [newer.id, newest.id])

        let remaining = try await github.listComments(issue: pr)
        #expect(remaining.map(\.id) == [person.id, oldest.id, chatter.id])
        #expect(remaining[1].body?.contains("| Version | 3 |") == true)
        #expect(remaining[0].body == "Quoting: \(Self.marker)")
    }

    @Test func aPersonsCommentWithTheMarkerIsNeverTakenOver() async throws {
        let github = try emulator.client()
        let pr = try await emulator.openPullRequest()
        let forged = "\(Self.marker)\n<!-- RUNTIME_ID: pr_1-EvilEvil00 -->"
        let outsider = try await emulator.client("outsider").createComment(issue: pr, body: forged)

        // The marker in an outsider's comment counts for nothing.
        #expect(try github.trustedMarkers.runtimeID(inComments: try await github.listComments(issue: pr)) == nil)

        let result = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_7-AbCd1234Ef", version: 1))
        #expect(result.action == .created && result.comment.id != outsider.id)
        let comments = try await github.listComments(issue: pr)
        #expect(comments.first { $0.id == outsider.id }?.body == forged)
        #expect(try github.trustedMarkers.runtimeID(inComments: comments) == "pr_7-AbCd1234Ef")
    }

    /// GitHub created the comment but the answer was lost: the retry creates a second one,
    /// and the same run removes it (a racing run's copy goes the same way).
    @Test func duplicateFromARetriedCreateIsCleanedUpAtOnce() async throws {
        let github = try emulator.client()
        let pr = try await emulator.openPullRequest()
        try await emulator.addFault([
            "fault": "error502", "count": 1, "method": "POST", "path_contains": "/issues/\(pr)/comments",
            "after_processing": true,
        ])
        let first = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_1-AbCd1234Ef", version: 1))
        #expect(first.action == .created)
        #expect(first.deletedDuplicateIDs.count == 1)
        let left = try await github.listComments(issue: pr)
        #expect(left.map(\.id) == [first.comment.id])

        let next = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_1-AbCd1234Ef", version: 1))
        #expect(next.action == .unchanged && next.comment.id == first.comment.id)
        #expect(next.deletedDuplicateIDs.isEmpty)
    }

    @Test func findsOurCommentBeyondTheFirstPage() async throws {
        let github = try emulator.client()
        let pr = try await emulator.openPullRequest()
        let maintainer = try emulator.client("maintainer")
        for index in 0..<101 {
            _ = try await maintainer.createComment(issue: pr, body: "review note \(index)")
        }
        let ours = try await github.createComment(issue: pr, body: try Self.body("pr_1-AbCd1234Ef", version: 1))
        let result = try await github.upsertStickyComment(issue: pr, marker: Self.marker, body: try Self.body("pr_1-AbCd1234Ef", version: 2))
        #expect(result.action == .updated && result.comment.id == ours.id)
        #expect(try await github.listComments(issue: pr).count == 102)
    }
}
