import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import AgentCoreGitOps

/// Every flow, crashed after each of its requests (AWS and GitHub, in the order an uninterrupted
/// run makes them), then rerun: the rerun always reaches the uninterrupted run's end state.
/// The suite samples every `CRASH_MATRIX_STRIDE`-th point; `scripts/crash-matrix` runs them all.
/// Faults hit every request, so the matrix has a sandbox of its own and runs one flow at a time.
@Suite("Hardening: crash matrix", .heavyInAChain, .tags(.sandbox, .process), .serialized)
final class CrashMatrixSandboxTests {
    let sandbox: Sandbox
    let matrix: CrashMatrix

    init() async throws {
        sandbox = try await Sandbox.launch()
        matrix = CrashMatrix(sandbox: sandbox)
    }

    deinit { sandbox.stop() }

    /// What a workflow run sets: the same run id for the crashed run and its re-run.
    private static func workflowRun(_ runID: String, _ extra: [String: String]) -> [String: String?] {
        extra.merging(["GITHUB_RUN_ID": runID]) { $1 }
    }

    private static func newRunID() -> String { String(Int.random(in: 1_000_000...9_999_999)) }

    /// The end state of a FlowFixture scenario: the named runtimes, the pull request, and the
    /// deployment issues of `commit`.
    private static func fixtureState(
        _ fixture: FlowFixture, runtimes: [String: String], pullRequest: Int, commit: String? = nil,
        substitutions: [(String, String)]
    ) async throws -> EndState {
        // Each scenario's fixture has a prod runtime of its own, which the pull request's plan names.
        var reader = EndStateReader(
            sandbox: fixture.sandbox, github: fixture.github, substitutions: [(fixture.prodRuntime, "<prod-name>")] + substitutions)
        reader.substitute(number: pullRequest, as: "pr")
        let control = try fixture.sandbox.agentCoreControl()
        for (role, name) in runtimes {
            if let id = try await control.findRuntime(named: name)?.agentRuntimeId {
                reader.substitutions.append((id, "<\(role)-id>"))
            }
            reader.substitutions.append((name, "<\(role)>"))
        }
        var issues: [GitHubIssue] = []
        if let commit {
            issues = try await fixture.deploymentIssues(forCommit: commit).sorted { $0.number < $1.number }
            for (index, issue) in issues.enumerated() { reader.substitute(number: issue.number, as: "issue\(index + 1)") }
        }
        var state = EndState()
        for (role, name) in runtimes { state.runtimes[role] = try await reader.runtime(named: name) }
        state.threads["pull request"] = try await reader.thread(pullRequest)
        for (index, issue) in issues.enumerated() {
            state.threads["deployment issue \(index + 1)"] = try await reader.thread(issue.number)
        }
        return state
    }

    /// pr-deploy for `action` on pull request `number`, its runtime and the pull request as end state.
    private static func prScenario(
        _ fixture: FlowFixture, _ action: String, _ number: Int, before: String? = nil, runID: String,
        substitutions: [(String, String)] = []
    ) -> CrashScenario {
        CrashScenario(
            run: { try await fixture.prDeploy(action, number, before: before, environment: workflowRun(runID, $0)).process },
            endState: {
                try await fixtureState(
                    fixture, runtimes: ["pr": "pr_\(number)"], pullRequest: number, substitutions: [(runID, "<run>")] + substitutions)
            })
    }

    @Test("pr-deploy opened: create", .enabled(if: CrashMatrixSettings.includes("pr-create")))
    func prDeployCreate() async throws {
        _ = try await matrix.run("pr-create") {
            let fixture = try await FlowFixture(sandbox: sandbox)
            let number = try await fixture.openPullRequest()
            let runID = Self.newRunID()
            return Self.prScenario(fixture, "opened", number, runID: runID)
        }
    }

    @Test("pr-deploy synchronize: update", .enabled(if: CrashMatrixSettings.includes("pr-update")))
    func prDeployUpdate() async throws {
        _ = try await matrix.run("pr-update") {
            let fixture = try await FlowFixture(sandbox: sandbox)
            let first = FlowFixture.sha()
            let (number, _) = try await fixture.openDeployedPullRequest(headSHA: first)
            try await fixture.pushChange("Changed by a push", to: number)
            let runID = Self.newRunID()
            return Self.prScenario(fixture, "synchronize", number, before: first, runID: runID)
        }
    }

    @Test("pr-deploy closed: delete", .enabled(if: CrashMatrixSettings.includes("pr-delete")))
    func prDeployDelete() async throws {
        _ = try await matrix.run("pr-delete") {
            let fixture = try await FlowFixture(sandbox: sandbox)
            let (number, opened) = try await fixture.openDeployedPullRequest()
            let id = try #require(opened.outputs["runtime_id"])
            _ = try await fixture.agentCore().createAgentRuntimeEndpoint(
                CreateAgentRuntimeEndpointRequest(agentRuntimeId: id, name: "review", agentRuntimeVersion: "1"))
            try await fixture.close(number)
            let runID = Self.newRunID()
            return Self.prScenario(fixture, "closed", number, runID: runID, substitutions: [(id, "<pr-id>")])
        }
    }

    @Test("prod-deploy: a merge", .enabled(if: CrashMatrixSettings.includes("prod-deploy")))
    func prodDeploy() async throws {
        _ = try await matrix.run("prod-deploy") {
            let fixture = try await FlowFixture(sandbox: sandbox)
            let (number, _) = try await fixture.openDeployedPullRequest()
            let merge = try await fixture.merge(number)
            // As the uninterrupted run found it: a repository without the deployment labels.
            for label in DeploymentLabels.all { try await Self.deleteLabel(label.name, in: fixture.github) }
            let runID = Self.newRunID()
            return CrashScenario(
                run: { try await fixture.prodDeploy(after: merge, environment: Self.workflowRun(runID, $0)).process },
                endState: {
                    try await Self.fixtureState(
                        fixture, runtimes: ["pr": "pr_\(number)", "prod": fixture.prodRuntime], pullRequest: number,
                        commit: merge, substitutions: [(runID, "<run>")])
                })
        }
    }

    private static func deleteLabel(_ name: String, in github: GitHubEmulator) async throws {
        let path = "/repos/\(github.repository)/labels/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)"
        var request = URLRequest(url: try #require(URL(string: github.apiURL + path)))
        request.httpMethod = "DELETE"
        request.setValue("Bearer \(try #require(github.tokens["maintainer"]))", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        try #require(status == 204 || status == 404, "deleting label \(name): \(status)")
    }

    // MARK: prod-promote and the sweep, on repositories of their own

    private static func stageState(
        _ stage: PromoteStage, issue: Int, pullRequest: Int?, runtimes: [String: String], runID: String
    ) async throws -> EndState {
        var reader = EndStateReader(sandbox: stage.sandbox, github: stage.github, substitutions: [
            (stage.repository, "<repo>"), (runID, "<run>"), (stage.prodID, "<prod-id>"), (stage.prodName, "<prod>")])
        reader.substitute(number: issue, as: "issue")
        if let pullRequest { reader.substitute(number: pullRequest, as: "pr") }
        for (role, id) in runtimes { reader.substitutions.append((id, "<\(role)-id>")) }
        var state = EndState()
        state.runtimes["prod"] = try await reader.runtime(named: stage.prodName)
        for (role, id) in runtimes {
            let name = String(id.prefix { $0 != "-" })
            state.runtimes[role] = try await reader.runtime(named: name)
        }
        state.threads["deployment issue"] = try await reader.thread(issue)
        return state
    }

    @Test("prod-promote: approval", .enabled(if: CrashMatrixSettings.includes("promote")))
    func promoteApproval() async throws {
        _ = try await matrix.run("promote") {
            let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
            let (pr, prRuntime, issue, payload) = try await stage.approvedDeployment(version: "2")
            let runID = Self.newRunID()
            return CrashScenario(
                run: { try await stage.runPromote(eventName: "issues", payload: payload, runID: runID, environment: $0).result },
                endState: {
                    try await Self.stageState(stage, issue: issue, pullRequest: pr, runtimes: ["pr": prRuntime], runID: runID)
                })
        }
    }

    @Test("prod-promote: rollback dispatch", .enabled(if: CrashMatrixSettings.includes("rollback")))
    func rollbackDispatch() async throws {
        _ = try await matrix.run("rollback") {
            let stage = try await PromoteStage.make(sandbox: sandbox, versions: 3, endpointAt: "3")
            let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "3", prRuntimeID: nil, prNumber: nil))
            let payload = try await stage.dispatchEvent(inputs: ["prod_runtime_version": "1", "issue_number": String(issue)])
            let runID = Self.newRunID()
            return CrashScenario(
                run: {
                    try await stage.runPromote(eventName: "workflow_dispatch", payload: payload, runID: runID, environment: $0).result
                },
                endState: { try await Self.stageState(stage, issue: issue, pullRequest: nil, runtimes: [:], runID: runID) })
        }
    }

    @Test("agentcore sweep", .enabled(if: CrashMatrixSettings.includes("sweep")))
    func sweep() async throws {
        _ = try await matrix.run("sweep") {
            let stage = try await PromoteStage.make(sandbox: sandbox, versions: 1, endpointAt: nil)
            let (closedPR, closed) = try await stage.makePullRequestRuntime()
            try await stage.github.control("POST", "/_sandbox/repos/\(stage.repository)/pulls/\(closedPR)/close")
            let (mergedPR, merged) = try await stage.makePullRequestRuntime()
            try await stage.github.mergePullRequest(mergedPR, mergeSHA: GitHubEmulator.randomSHA())
            let (openPR, open) = try await stage.makePullRequestRuntime()
            let names = ["closed": closed, "merged": merged, "open": open]
            return CrashScenario(
                run: { try await SweepFlowSandboxTests.sweep(stage, [], environment: $0).result },
                endState: {
                    var reader = EndStateReader(sandbox: stage.sandbox, github: stage.github)
                    var state = EndState()
                    for (role, id) in names { state.runtimes[role] = try await reader.runtime(named: String(id.prefix { $0 != "-" })) }
                    reader.substitutions = [(stage.repository, "<repo>")]
                    for (role, number) in ["closed": closedPR, "merged": mergedPR, "open": openPR] {
                        state.threads["pull request \(role)"] = try await reader.thread(number)
                    }
                    return state
                },
                cleanUp: {
                    // The sweep lists every runtime: leave the account as the next scenario expects it.
                    let control = try stage.sandbox.agentCoreControl()
                    for id in [stage.prodID, closed, merged, open] {
                        do { _ = try await control.deleteAgentRuntime(id: id) } catch let error as AWSError where error.isNotFound {}
                    }
                    for id in [stage.prodID, closed, merged, open] { try await stage.waiter.runtimeDeleted(id: id) }
                })
        }
    }
}
