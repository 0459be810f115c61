import Foundation
import Testing
@testable import AgentCoreGitOps

/// `prod-promote` on `issues` labeled events, run as a process against the sandbox; every test
/// checks the final AWS and GitHub state, then reruns the same run and checks nothing doubled.
@Suite(.heavy, .tags(.sandbox, .process)) struct ApprovalFlowSandboxTests {
    /// The shared sandbox, started by the first suite that needs it.
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.shared() }

    @Test func maintainerApprovalPromotesCleansUpAndCloses() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 3, endpointAt: "1")
        let (_, prRuntime, issue, payload) = try await stage.approvedDeployment(version: "3", by: "maintainer")
        let runID = PromoteStage.newRunID()

        let run = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID)
        #expect(run.status == 0, "\(run)")
        #expect(try await stage.liveVersion() == "3")
        #expect(try await !stage.runtimeExists(prRuntime))
        let maintainer = try stage.github.login("maintainer")
        let comments = try await stage.botComments(issue, containing: "<!-- PROMOTION: version 3 -->")
        #expect(comments.count == 1)
        let body = try #require(comments.first?.body)
        #expect(body.contains("| From version | 1 |") && body.contains("| To version | 3 |") && body.contains("@\(maintainer)"))
        #expect(body.contains("| Time | 20"))
        #expect(try await stage.labels(issue).isSuperset(of: [DeploymentLabels.promoted.name, "deployment"]))
        #expect(try await !stage.labels(issue).contains(DeploymentLabels.needsPromotion.name))
        let closed = try await stage.issue(issue)
        #expect(closed.state == "closed" && closed.stateReason == "completed")
        #expect(run.summary.contains("Promoted"))
        #expect(run.outputs == ["outcome": "promoted", "version": "3"])

        // Deterministic client tokens on every mutating call: one endpoint update, 64 hex characters.
        let updates = try await stage.clientTokens("UpdateAgentRuntimeEndpoint")
        #expect(updates.count == 1)
        #expect(updates.allSatisfy { $0.map { MarkerValue.matches($0, "[0-9a-f]{64}") } == true })
        #expect(try await stage.clientTokens("DeleteAgentRuntime", runtimeID: prRuntime).allSatisfy { $0?.count == 64 })

        // A rerun of the same run converges: same state, no second comment, no second move.
        let moved = try await stage.control.getAgentRuntimeEndpoint(runtimeId: stage.prodID, name: PromoteStage.endpointName)
        let rerun = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(try await stage.liveVersion() == "3")
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION:").count == 1)
        #expect(try await stage.issue(issue).state == "closed")
        let after = try await stage.control.getAgentRuntimeEndpoint(runtimeId: stage.prodID, name: PromoteStage.endpointName)
        #expect(after.lastUpdatedAt == moved.lastUpdatedAt)
    }

    @Test func firstPromotionCreatesTheEndpointAndNoPRRuntimeIsFine() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 1, endpointAt: nil)
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "1", prRuntimeID: nil, prNumber: nil))
        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.status == 0, "\(run)")
        #expect(try await stage.liveVersion() == "1")
        let body = try #require(try await stage.botComments(issue, containing: "<!-- PROMOTION: version 1 -->").first?.body)
        #expect(body.contains("none (endpoint created)"))
        #expect(try await stage.issue(issue).state == "closed")
    }

    @Test(arguments: ["triage", "outsider"])
    func approvalWithoutWriteAccessIsRefused(identity: String) async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        // Triage may label; an outsider cannot, so the payload names them as GitHub would if they could.
        let (_, prRuntime, issue, payload) = try await stage.approvedDeployment(
            version: "2", by: identity == "triage" ? "triage" : "maintainer", sender: try stage.github.login(identity))
        let runID = PromoteStage.newRunID()

        for _ in 0..<2 {  // the run, then a rerun of it
            let run = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID)
            #expect(run.status == 0, "\(run)")
            #expect(run.output.contains("::warning title=Promotion refused::"))
            #expect(run.outputs["outcome"] == "refused")
            try await expectRefused(stage, issue: issue, live: "1", prRuntime: prRuntime, mentioning: "needs at least write")
        }
    }

    @Test func personAuthoredIssueIsIgnored() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        let (pr, prRuntime) = try await stage.makePullRequestRuntime()
        // A maintainer copies the metadata format into an issue of their own.
        let issue = try await stage.deploymentIssue(
            body: stage.metadataBody(version: "2", prRuntimeID: prRuntime, prNumber: pr), author: "maintainer")
        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("::notice::") && run.output.contains("not opened by"))
        #expect(run.outputs["outcome"] == "ignored")
        #expect(try await stage.liveVersion() == "1")
        #expect(try await stage.runtimeExists(prRuntime))
        #expect(try await stage.allComments(issue).isEmpty)
        #expect(try await stage.labels(issue).isSuperset(of: [DeploymentLabels.approved.name, DeploymentLabels.needsPromotion.name]))
        #expect(try await stage.issue(issue).state == "open")
    }

    @Test func otherLabelsAreIgnored() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "2", prRuntimeID: nil, prNumber: nil))
        try await stage.github.client("maintainer").addLabels(issue: issue, labels: ["bug"])
        let payload = try await stage.github.control("POST", "/_sandbox/repos/\(stage.repository)/events", json: [
            "event": "issues", "action": "labeled", "number": issue, "label": "bug"])
        let run = try await stage.runPromote(eventName: "issues", payload: payload, runID: PromoteStage.newRunID())
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("not the approved label"))
        #expect(try await stage.liveVersion() == "1")
        #expect(try await stage.allComments(issue).isEmpty)
    }

    @Test(.readsTestVectors) func githubsRecordedLabeledPayloadIsReadAndIgnored() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 1, endpointAt: "1")
        let payload = try PromoteStage.recordedPayload("issues-labeled")
        let run = try await stage.runPromote(eventName: "issues", payload: payload, runID: PromoteStage.newRunID())
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("::notice::Issue #1: labeled bug is not the approved label being added"))
        #expect(run.outputs["outcome"] == "ignored")
    }

    /// Metadata that names something other than this repository's prod version and PR runtime.
    enum Tamper: String, CaseIterable, Sendable {
        case prRuntimeIsProd, prRuntimeOfAnotherRepository, prNumberMismatch, runtimeIsAPRRuntime
        case versionOfAnotherRuntime, missingVersion, hugeVersion, noMetadata
    }

    @Test(arguments: Tamper.allCases)
    func tamperedMetadataIsRefused(_ tamper: Tamper) async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        let (pr, prRuntime) = try await stage.makePullRequestRuntime()
        var untouched = [prRuntime]
        let body: String
        switch tamper {
        case .prRuntimeIsProd:
            body = try stage.metadataBody(version: "2", prRuntimeID: stage.prodID, prNumber: nil)
        case .prRuntimeOfAnotherRepository:
            let (_, foreign) = try await stage.makePullRequestRuntime(owner: "someone/else", number: PromoteStage.foreignNumber())
            untouched.append(foreign)
            body = try stage.metadataBody(version: "2", prRuntimeID: foreign, prNumber: nil)
        case .prNumberMismatch:
            body = try stage.metadataBody(version: "2", prRuntimeID: prRuntime, prNumber: pr + 1)
        case .runtimeIsAPRRuntime:
            body = try stage.metadataBody(version: "1", prRuntimeID: nil, prNumber: nil, runtimeID: prRuntime)
        case .versionOfAnotherRuntime:
            // Version 5 of another runtime, even one tagged as this repository's.
            let other = try await PromoteStage.makeRuntime(
                name: Sandbox.uniqueName("other"), versions: 5,
                description: RuntimeOwnership.description(nil, repository: stage.repository, role: .production),
                sandbox: stage.sandbox, control: stage.control, waiter: stage.waiter)
            untouched.append(other)
            body = try stage.metadataBody(version: "5", prRuntimeID: prRuntime, prNumber: pr, runtimeID: other)
        case .missingVersion:
            body = try stage.metadataBody(version: "99999", prRuntimeID: prRuntime, prNumber: pr)
        case .hugeVersion:
            body = try stage.metadataBody(version: "2", prRuntimeID: prRuntime, prNumber: pr)
                .replacingOccurrences(of: "VERSION: 2", with: "VERSION: 1000000")
        case .noMetadata:
            body = "Someone removed the metadata."
        }
        let (issue, payload) = try await stage.approvedIssue(body: body)
        let runID = PromoteStage.newRunID()
        for _ in 0..<2 {
            let run = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID)
            #expect(run.status == 0, "\(run)")
            try await expectRefused(stage, issue: issue, live: "1", prRuntime: prRuntime)
            for id in untouched { #expect(try await stage.runtimeExists(id), "\(id) must survive") }
        }
    }

    @Test func prodRuntimeOfAnotherRepositoryIsRefused() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1", owner: "someone/else")
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "2", prRuntimeID: nil, prNumber: nil))
        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.status == 0, "\(run)")
        try await expectRefused(stage, issue: issue, live: "1", prRuntime: nil, mentioning: "not tagged as the prod runtime")
    }

    @Test func olderVersionThanLiveIsRefused() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 3, endpointAt: "3")
        let (pr, prRuntime) = try await stage.makePullRequestRuntime()
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "2", prRuntimeID: prRuntime, prNumber: pr))
        let run = try await stage.approveAndRun(issue: issue)
        #expect(run.status == 0, "\(run)")
        try await expectRefused(stage, issue: issue, live: "3", prRuntime: prRuntime, mentioning: "prod_runtime_version = 2")
    }

    @Test func twoApprovalsAtOnceConverge() async throws {
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 3, endpointAt: "1")
        let (_, prRuntime, issue, payload) = try await stage.approvedDeployment(version: "3")

        async let first = stage.runPromote(eventName: "issues", payload: payload, runID: PromoteStage.newRunID())
        async let second = stage.runPromote(eventName: "issues", payload: payload, runID: PromoteStage.newRunID())
        let runs = try await [first, second]
        for run in runs { #expect(run.status == 0, "\(run)") }
        #expect(try await stage.liveVersion() == "3")
        #expect(try await !stage.runtimeExists(prRuntime))
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION:").count == 1)
        // Both runs saw the same endpoint state, so any update they sent carried one token: one move.
        #expect(Set(try await stage.clientTokens("UpdateAgentRuntimeEndpoint")).count == 1)
        #expect(try await stage.issue(issue).state == "closed")
    }

    /// prod-deploy is still making version 3 when version 2 is approved: the promotion waits for
    /// the runtime to settle instead of failing. A sandbox of its own, since it slows every change.
    @Test func approvalWaitsForARunningDeployment() async throws {
        let sandbox = try await Sandbox.launch(arguments: ["--ready-delay", "0"])
        defer { sandbox.stop() }
        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        let (issue, payload) = try await stage.approvedIssue(body: stage.metadataBody(version: "2", prRuntimeID: nil, prNumber: nil))

        // The update stays UPDATING until the promotion has read it; then the sandbox lets it finish.
        try await sandbox.awsControl("POST", "/_sandbox/settings", json: ["ready_delay_seconds": 3600])
        let current = try await stage.control.getAgentRuntime(id: stage.prodID)
        _ = try await stage.control.updateAgentRuntime(
            UpdateAgentRuntimeRequest(agentRuntimeId: stage.prodID, configuration: try #require(current.configuration)))
        #expect(try await stage.control.getAgentRuntime(id: stage.prodID).status == .updating)
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")

        async let promotion = stage.runPromote(eventName: "issues", payload: payload, runID: PromoteStage.newRunID())
        // The mover's first read comes after the run takes the endpoint lease.
        try await eventually("the promotion holds the lease and has read the updating runtime") {
            let log = try await sandbox.loggedRequests()
            guard let lease = log.firstIndex(where: { $0.operation == "PutObject" && $0.path.contains("/leases/") }) else { return false }
            return log[lease...].contains { $0.operation == "GetAgentRuntime" && $0.path.contains(stage.prodID) }
        }
        try await sandbox.awsControl("POST", "/_sandbox/settings", json: ["ready_delay_seconds": 0])
        try await sandbox.awsControl("POST", "/_sandbox/settle")
        let run = try await promotion
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("a deployment is running"))
        #expect(try await stage.liveVersion() == "2")
        #expect(try await stage.control.getAgentRuntime(id: stage.prodID).agentRuntimeVersion == "3")
        #expect(try await stage.issue(issue).state == "closed")
    }

    /// A crash at any call, then a rerun of the same run: the rerun always finishes the one
    /// promotion. AWS crashes: every request after the n-th fails (`fail-after`); GitHub crashes:
    /// the bot's rate limit runs out after n requests. Stepping n up until the run gets through
    /// visits every point. A sandbox of its own, since both hit every request.
    @Test func rerunAfterACrashAtAnyCallConverges() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let awsPoints = try await crashAtEveryPoint(sandbox, environment: ["AWS_MAX_ATTEMPTS": "1"]) { n in
            try await sandbox.awsControl("POST", "/_sandbox/fail-after", json: ["n": n])
        } heal: {
            try await sandbox.awsControl("DELETE", "/_sandbox/fail-after")
        }
        let githubPoints = try await crashAtEveryPoint(sandbox) { n in
            try await sandbox.githubControl("POST", "/_sandbox/rate-limits", json: ["identity": "bot", "remaining": n, "reset_in": 3600])
        } heal: {
            try await sandbox.githubControl("DELETE", "/_sandbox/rate-limits")
        }
        // A promotion makes well over ten AWS requests and several GitHub ones; each was a crash point.
        #expect(awsPoints > 10 && awsPoints < 60, "AWS crash points: \(awsPoints)")
        #expect(githubPoints > 5 && githubPoints < 60, "GitHub crash points: \(githubPoints)")
    }

    /// Promotes a fresh deployment with a crash after `n` requests, heals, reruns and checks the
    /// end state, for n = 0, 1, 2... until the run gets through uncrashed; returns that n.
    private func crashAtEveryPoint(
        _ sandbox: Sandbox, environment: [String: String] = [:],
        crash: (Int) async throws -> Void, heal: () async throws -> Void
    ) async throws -> Int {
        for crashPoint in 0..<60 {
            let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
            let (_, prRuntime, issue, payload) = try await stage.approvedDeployment(version: "2")
            let runID = PromoteStage.newRunID()

            try await crash(crashPoint)
            let crashed = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID, environment: environment)
            try await heal()
            let rerun = try await stage.runPromote(eventName: "issues", payload: payload, runID: runID)

            let point = "crash after \(crashPoint) requests: \(crashed)\nrerun: \(rerun)"
            #expect(rerun.status == 0, "\(point)")
            #expect(try await stage.liveVersion() == "2", "\(point)")
            #expect(try await !stage.runtimeExists(prRuntime), "\(point)")
            #expect(try await stage.allComments(issue).count == 1, "\(point)")
            #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION: version 2 -->").count == 1, "\(point)")
            #expect(try await stage.labels(issue) == ["approved", "deployment", "production", "promoted"], "\(point)")
            #expect(try await stage.issue(issue).state == "closed", "\(point)")
            if crashed.status == 0 { return crashPoint }
            #expect(crashed.status == 1 && crashed.output.contains("::error title=prod-promote failed::"), "\(point)")
        }
        Issue.record("the run never got through 60 crash points")
        return 60
    }

    /// The refusal's footprint: one refusal comment, `approved` gone, nothing else changed.
    func expectRefused(
        _ stage: PromoteStage, issue: Int, live: String, prRuntime: String?, mentioning text: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let refusals = try await stage.botComments(issue, containing: "<!-- PROMOTION_REFUSED:")
        #expect(refusals.count == 1, sourceLocation: sourceLocation)
        if let text { #expect(refusals.first?.body?.contains(text) == true, "\(refusals)", sourceLocation: sourceLocation) }
        #expect(refusals.first?.body?.contains("**What to do:**") == true, sourceLocation: sourceLocation)
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION:").isEmpty, sourceLocation: sourceLocation)
        let labels = try await stage.labels(issue)
        #expect(!labels.contains(DeploymentLabels.approved.name), sourceLocation: sourceLocation)
        #expect(labels.contains(DeploymentLabels.needsPromotion.name) && !labels.contains(DeploymentLabels.promoted.name),
                sourceLocation: sourceLocation)
        #expect(try await stage.issue(issue).state == "open", sourceLocation: sourceLocation)
        #expect(try await stage.liveVersion() == live, sourceLocation: sourceLocation)
        #expect(try await stage.clientTokens("UpdateAgentRuntimeEndpoint").isEmpty, sourceLocation: sourceLocation)
        if let prRuntime { #expect(try await stage.runtimeExists(prRuntime), sourceLocation: sourceLocation) }
    }
}
