import Foundation
import Testing
@testable import AgentCoreGitOps

/// Golden tests of what prod-promote writes, and of the idempotency tokens it sends.
@Suite struct PromotionCommentsTests {
    static let time = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z
    static let move = EndpointMove(runtimeID: "prod-AbCdEfGhIj", endpointName: "prod", fromVersion: "4", toVersion: "5", changed: true)

    @Test func promotionComment() throws {
        let prRuntime = PRRuntimeReference(runtimeID: "pr_7-KlMnOpQrSt", pullRequest: 7)
        let body = PromotionComments.promotion(Self.move, runtimeName: "prod", approver: "octo", prRuntime: prRuntime, at: Self.time)
        #expect(body == """
            <!-- PROMOTION: version 5 -->
            ### Promoted to production

            | | |
            |---|---|
            | Endpoint | `prod` of runtime `prod` (`prod-AbCdEfGhIj`) |
            | From version | 4 |
            | To version | 5 |
            | Approved by | @octo |
            | Time | 2026-09-21T14:13:20Z |
            | PR runtime | `pr_7-KlMnOpQrSt` (PR #7): deleted next; if that fails, re-run this job to finish |

            To roll back, run the prod-promote workflow by hand with `prod_runtime_version` = 4.
            """)
        // The marker is what a rerun looks for, and the metadata parser must not mistake it for metadata.
        #expect(body.contains(PromotionComments.promotionMarker(version: "5")))
        #expect(try DeploymentMetadata.parse(body) == nil)
    }

    @Test func rollbackCommentSaysWhichWay() {
        var back = Self.move
        (back.fromVersion, back.toVersion) = ("5", "3")
        let body = PromotionComments.rollback(back, runtimeName: "prod", requester: "octo", runID: "42", at: Self.time)
        #expect(body.hasPrefix("<!-- ROLLBACK: version 3 run 42 -->\n### Rolled back: prod endpoint set to version 3 by hand"))
        #expect(body.contains("| Requested by | @octo |"))
        let forward = PromotionComments.rollback(Self.move, runtimeName: "prod", requester: "octo", runID: nil, at: Self.time)
        #expect(forward.hasPrefix("<!-- ROLLBACK: version 5 run manual -->\n### Rolled forward"))
        var already = Self.move
        (already.fromVersion, already.changed) = ("5", false)
        #expect(PromotionComments.rollback(already, runtimeName: "prod", requester: "octo", runID: "1", at: Self.time)
            .contains("| From version | 5 (already serving it) |"))
    }

    @Test func refusalCommentAndMarker() {
        let refusal = ActionableError.refusal("@eve has the triage role", fix: "ask a maintainer")
        let body = PromotionComments.refusal(refusal, runID: "77")
        #expect(body == """
            <!-- PROMOTION_REFUSED: run 77 -->
            ### Promotion refused

            @eve has the triage role.

            **What to do:** ask a maintainer.

            The `approved` label was removed. Nothing was changed in AWS.
            """)
        // By hand (no run id) the same reason gives the same marker, another reason another one.
        let manual = PromotionComments.refusalMarker(refusal, runID: nil)
        #expect(manual == PromotionComments.refusalMarker(refusal, runID: nil))
        #expect(manual != PromotionComments.refusalMarker(ActionableError.refusal("other", fix: "x"), runID: nil))
    }

    @Test func sweepReportAndHeadroom() {
        let report = SweepReport(
            dryRun: false,
            entries: [
                .init(runtimeName: "pr_7", runtimeID: "pr_7-AbCdEfGhIj", pullRequest: 7, action: .deleted),
                .init(runtimeName: "pr_9", runtimeID: "pr_9-AbCdEfGhIj", pullRequest: 9, action: .keptOpen),
            ],
            headroom: [
                Headroom(quota: "Runtimes in this account and region", used: 12, limit: Headroom.runtimesPerAccount),
                Headroom(quota: "Endpoints of prod", used: 10, limit: Headroom.endpointsPerRuntime),
            ])
        #expect(report.markdown == """
            ### Sweep of pull-request runtimes

            | Runtime | Pull request | Action |
            |---|---|---|
            | `pr_7` (`pr_7-AbCdEfGhIj`) | #7 | deleted |
            | `pr_9` (`pr_9-AbCdEfGhIj`) | #9 | kept: pull request open |

            ### Quota headroom

            | Quota | Used | Limit | Left |
            |---|---:|---:|---:|
            | Runtimes in this account and region | 12 | 1,000 | 988 |
            | Endpoints of prod | 10 | 10 | 0 ⚠️ |

            """)
        #expect(report.lines.last == "Endpoints of prod: 10 of 10 used, 0 left")
        // The warning starts at 80% used.
        #expect(!Headroom(quota: "q", used: 799, limit: 1000).isLow)
        #expect(Headroom(quota: "q", used: 800, limit: 1000).isLow)
        #expect(!Headroom(quota: "q", used: 7, limit: 10).isLow && Headroom(quota: "q", used: 8, limit: 10).isLow)
        #expect(Headroom(quota: "q", used: 1200, limit: 1000).left == 0)
        #expect([0, 999, 1000, 1234567].map(Headroom.format) == ["0", "999", "1,000", "1,234,567"])
    }

    @Test func headroomOfProdAndTheFullestPullRequestRuntime() {
        let rows = Headroom.measure(
            runtimesInAccount: 812,
            prod: .init(name: "prod", versions: 850, endpoints: 2),
            pullRequests: [.init(name: "pr_7", versions: 3, endpoints: 1), .init(name: "pr_9", versions: 12, endpoints: 9),
                           .init(name: "pr_8", versions: 12, endpoints: 1)])
        #expect(rows.map(\.quota) == [
            "Runtimes in this account and region", "Versions of prod", "Endpoints of prod",
            "Versions of pr_8, the fullest PR runtime", "Endpoints of pr_9, the fullest PR runtime",
        ])
        #expect(rows.map(\.used) == [812, 850, 2, 12, 9])
        #expect(rows.map(\.isLow) == [true, true, false, false, true])
        #expect(Headroom.measure(runtimesInAccount: 1, prod: nil, pullRequests: []).count == 1)
    }
}
