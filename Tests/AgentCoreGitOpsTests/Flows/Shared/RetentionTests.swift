import Foundation
import Testing
@testable import AgentCoreGitOps

/// The retention rule as a pure function: which versions stay and why.
@Suite struct RetentionTests {
    private func versions(_ numbers: ClosedRange<Int>, status: AgentCoreStatus = .ready) -> [VersionRetention.Version] {
        numbers.map { VersionRetention.Version(String($0), status: status) }
    }

    private func policy(_ newest: Int, _ promoted: Int) throws -> RetentionPolicy {
        try RetentionPolicy(keepNewest: newest, keepPromoted: promoted)
    }

    @Test func keepsNewestEndpointAndPromotedVersionsAndDeletesTheRest() throws {
        let plan = VersionRetention.plan(
            versions: versions(1...8),
            endpoints: [.init(name: "DEFAULT", versions: ["8"]), .init(name: "prod", versions: ["6"])],
            promoted: ["4", "6"], policy: try policy(3, 2))
        #expect(plan.keptVersions == ["8", "7", "6", "4"])
        #expect(plan.delete == ["5", "3", "2", "1"])
        #expect(plan.kept[0].reasons == [.newest, .endpoint("DEFAULT")])
        #expect(plan.kept[2].reasons == [.newest, .endpoint("prod"), .promoted])
        #expect(plan.kept[3].reasons == [.promoted])
    }

    @Test func anEndpointHoldsItsLiveAndItsTargetVersion() throws {
        // An endpoint moving from 2 to 5 needs both until the move settles.
        let moving = VersionRetention.EndpointPin(name: "canary", versions: ["2", "5"])
        let plan = VersionRetention.plan(versions: versions(1...9), endpoints: [moving], promoted: [], policy: try policy(1, 0))
        #expect(plan.keptVersions == ["9", "5", "2"])
        #expect(plan.delete == ["8", "7", "6", "4", "3", "1"])
    }

    @Test func endpointPinsComeFromLiveAndTargetVersion() throws {
        let json = """
            {"name": "prod", "liveVersion": "3", "targetVersion": "4", "status": "UPDATING", "id": "prod-AbCdEfGhIj",
             "agentRuntimeEndpointArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/p-AbCdEfGhIj/runtime-endpoint/prod",
             "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/p-AbCdEfGhIj"}
            """
        let endpoint = try AgentCoreJSON.decoder.decode(AgentRuntimeEndpoint.self, from: Data(json.utf8))
        #expect(VersionRetention.EndpointPin(endpoint) == .init(name: "prod", versions: ["3", "4"]))
    }

    @Test func versionsBeingMadeStayAndVersionsBeingDeletedAreLeftAlone() throws {
        let all = versions(1...3) + [VersionRetention.Version("4", status: .deleting), VersionRetention.Version("5", status: .creating),
                                     VersionRetention.Version("6", status: .updateFailed), VersionRetention.Version("7")]
        let plan = VersionRetention.plan(versions: all, endpoints: [], promoted: [], policy: try policy(2, 0))
        // A version on its way out does not take a place among the newest.
        #expect(plan.keptVersions == ["7", "6", "5"])
        #expect(plan.kept.map(\.reasons) == [[.newest], [.newest], [.inProgress]])
        #expect(plan.alreadyDeleting == ["4"])
        #expect(plan.delete == ["3", "2", "1"])
    }

    @Test func numbersSortAsNumbersNotText() throws {
        let plan = VersionRetention.plan(versions: versions(8...11).shuffled(), endpoints: [], promoted: [], policy: try policy(2, 0))
        #expect(plan.keptVersions == ["11", "10"])
        #expect(plan.delete == ["9", "8"])
    }

    @Test func fewVersionsAreAllKept() throws {
        let plan = VersionRetention.plan(versions: versions(1...3), endpoints: [], promoted: [], policy: try RetentionPolicy())
        #expect(plan.delete.isEmpty)
        #expect(plan.keptVersions == ["3", "2", "1"])
    }

    @Test func promotionHistoryKeepsTheLastKOfEachRecord() {
        // Deployments: a rollback to 4 after 6 was promoted; issues: approvals only.
        let history = PromotionHistory(fromDeployments: ["4", "6", "4", "2", "1"], fromIssues: ["6", "4", "2", "1"])
        #expect(history.lastPromoted(2) == ["4", "6"])
        #expect(history.lastPromoted(0).isEmpty)
        // A record that lost an entry (a deleted deployment) does not lose the version: the other keeps it.
        let lossy = PromotionHistory(fromDeployments: ["6", "2"], fromIssues: ["6", "4", "2"])
        #expect(lossy.lastPromoted(2) == ["6", "2", "4"])
        #expect(PromotionHistory.none.lastPromoted(10).isEmpty)
    }

    @Test func policyFromEnvironmentAndOptions() throws {
        #expect(try RetentionPolicy.fromEnvironment([:]) == RetentionPolicy(keepNewest: 50, keepPromoted: 10))
        #expect(try RetentionPolicy.fromEnvironment(["AGENTCORE_KEEP_VERSIONS": " 3 ", "AGENTCORE_KEEP_PROMOTED": "2"])
                == RetentionPolicy(keepNewest: 3, keepPromoted: 2))
        // Empty counts as unset (an undefined repository variable); options win over variables.
        #expect(try RetentionPolicy.fromEnvironment(["AGENTCORE_KEEP_VERSIONS": ""]).keepNewest == 50)
        #expect(try RetentionPolicy.fromEnvironment(["AGENTCORE_KEEP_VERSIONS": "3"], keepNewest: 7, keepPromoted: 0)
                == RetentionPolicy(keepNewest: 7, keepPromoted: 0))

        let notANumber = #expect(throws: ActionableError.self) {
            try RetentionPolicy.fromEnvironment(["AGENTCORE_KEEP_PROMOTED": "ten"])
        }
        #expect(notANumber?.problem.contains("AGENTCORE_KEEP_PROMOTED") == true)
        #expect(notANumber?.fix.contains("whole number") == true)
        let zero = #expect(throws: ActionableError.self) { try RetentionPolicy(keepNewest: 0, keepPromoted: 1) }
        #expect(zero?.problem.contains("from 1 to 1000") == true)
        #expect(throws: ActionableError.self) { try RetentionPolicy(keepNewest: 5, keepPromoted: -1) }
        #expect(throws: ActionableError.self) { try RetentionPolicy(keepNewest: 1_001, keepPromoted: 1) }
    }

    @Test func pruningReportNamesWhyEachVersionStays() throws {
        let plan = VersionRetention.plan(
            versions: versions(1...5), endpoints: [.init(name: "prod", versions: ["2"])], promoted: ["3"], policy: try policy(1, 1))
        let result = VersionPruner.Result(
            runtimeName: "prod", runtimeID: "prod-AbCdEfGhIj", dryRun: false, plan: plan, deleted: ["4"],
            skipped: [.init(version: "1", detail: "endpoint canary moved onto it")], failed: [], versionsLeft: 4, endpoints: 2)
        #expect(PruningText.line(result)
                == "prod (prod-AbCdEfGhIj) versions: deleted 4; kept 5 (newest), 3 (promoted), 2 (endpoint prod); in use now, kept: 1")
        let table = PruningText.markdown([result], dryRun: false)
        #expect(table.contains("| `prod` | 4; in use now, kept: 1 | 5 (newest), 3 (promoted), 2 (endpoint prod) |"))
    }
}
