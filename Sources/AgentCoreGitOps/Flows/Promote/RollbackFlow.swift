import Foundation

/// `workflow_dispatch` with `prod_runtime_version`: points the prod endpoint at that version, back
/// or forward, after checking the version exists; comments on the deployment issue `issue_number`
/// when one is given. With `dry_run` it checks everything and changes nothing.
///
/// Bad input (a malformed version, a missing version, an issue that is no deployment issue, a
/// sender without the approver permission) is refused before anything changes.
public struct RollbackFlow: PromotionFlow, Sendable {
    /// The dispatch's inputs, from the event payload (the source of truth) or `INPUT_*` variables.
    public struct Request: Sendable, Equatable {
        public var version: String
        public var issueNumber: Int?
        public var dryRun: Bool
    }

    public enum Outcome: Sendable, Equatable {
        case planned(runtimeID: String, from: String?, to: String)
        case moved(EndpointMove)
    }

    public let context: FlowContext
    public let event: WorkflowDispatchEvent
    public var now: @Sendable () -> Date = { Date() }

    private var runID: String? { steps.runID }

    public func run() async throws -> Outcome {
        let request = try readInputs()
        let requester = try await checkRequester()
        let issue = try await checkIssue(request.issueNumber)
        let runtime = try await steps.prodRuntimeByName()
        try await steps.requireReadyVersion(request.version, of: runtime)
        if request.dryRun { return try await reportPlan(runtime, request) }
        let move = try await steps.moveProdEndpoint(
            runtime, to: request.version, purpose: "prod-promote rollback to version \(request.version)")
        try await steps.whileProdServes(request.version, of: runtime, purpose: "prod-promote record of the move to version \(request.version)") {
            try await ProductionGitHubDeployment(context: context).recordMoveByHand(runtime: runtime, version: request.version)
        }
        if let issue { try await commentOnIssue(issue, move, runtime: runtime, requester: requester) }
        try report(move)
        return .moved(move)
    }

    // MARK: Steps

    func readInputs() throws -> Request {
        func input(_ name: String) -> String? {
            if let value = event.input(name) { return value }
            let fallback = context.environment["INPUT_\(name.uppercased())"]?.trimmingCharacters(in: .whitespacesAndNewlines)
            return fallback?.isEmpty == false ? fallback : nil
        }
        guard let version = input("prod_runtime_version") else {
            throw ActionableError.refusal("the input prod_runtime_version is missing", fix: "give the version to point prod at, e.g. 3")
        }
        guard MarkerValue.matches(version, MarkerValue.versionPattern) else {
            throw ActionableError.refusal("prod_runtime_version \(MarkerError.printable(version)) is not a runtime version",
                                          fix: "give a whole number from 1 to 99999, e.g. 3")
        }
        var issueNumber: Int?
        if let text = input("issue_number") {
            guard MarkerValue.matches(text, MarkerValue.prNumberPattern), let number = Int(text) else {
                throw ActionableError.refusal("issue_number \(MarkerError.printable(text)) is not an issue number",
                                              fix: "give the deployment issue's number, e.g. 12, or leave it empty")
            }
            issueNumber = number
        }
        let dryRunText = input("dry_run")?.lowercased() ?? "false"
        guard ["true", "false"].contains(dryRunText) else {
            throw ActionableError.refusal("dry_run \(MarkerError.printable(dryRunText)) is not true or false", fix: "give true or false")
        }
        return Request(version: version, issueNumber: issueNumber, dryRun: dryRunText == "true")
    }

    /// GitHub lets only writers dispatch, but the configured approver permission may be higher.
    private func checkRequester() async throws -> String {
        guard let sender = event.sender else {
            throw ActionableError.refusal("the workflow_dispatch event names no sender", fix: "start the workflow from GitHub (Actions → Run workflow)")
        }
        let who = try await steps.requireAuthorizedPeople(sender: sender, action: "pointing prod at a version by hand")
        reporter.info("Requested by \(who)")
        return sender.login
    }

    /// The issue to comment on must be one the bot opened as a deployment issue.
    private func checkIssue(_ number: Int?) async throws -> GitHubIssue? {
        guard let number else { return nil }
        let issue: GitHubIssue
        do {
            issue = try await github.getIssue(number: number)
        } catch let error as GitHubError where error.apiFailure?.isNotFound == true {
            throw ActionableError.refusal("issue #\(number) does not exist", fix: "give a deployment issue's number, or leave issue_number empty")
        }
        let metadata = try? github.trustedMarkers.deploymentMetadata(in: issue)
        guard !issue.isPullRequest, metadata != nil else {
            throw ActionableError.refusal("#\(number) is not a deployment issue opened by \(github.botLogin)",
                                          fix: "give a deployment issue's number, or leave issue_number empty")
        }
        return issue
    }

    private func reportPlan(_ runtime: AgentRuntime, _ request: Request) async throws -> Outcome {
        let live = try await steps.mover.liveVersion(runtimeID: runtime.agentRuntimeId)
        let line = "Dry run: would point \(context.settings.prodEndpointName) of \(runtime.agentRuntimeName) "
            + "from version \(live ?? "none") to \(request.version)"
            + (request.issueNumber.map { " and comment on issue #\($0)" } ?? "")
        reporter.notice(line, title: "Dry run")
        try reporter.appendSummary("### Dry run\n\n\(line). Nothing was changed.")
        return .planned(runtimeID: runtime.agentRuntimeId, from: live, to: request.version)
    }

    private func commentOnIssue(_ issue: GitHubIssue, _ move: EndpointMove, runtime: AgentRuntime, requester: String) async throws {
        let body = PromotionComments.rollback(
            move, runtimeName: runtime.agentRuntimeName, requester: requester, runID: runID, at: now())
        try await github.commentOnce(
            issue: issue.number, marker: PromotionComments.rollbackMarker(version: move.toVersion, runID: runID), body: body)
    }

    private func report(_ move: EndpointMove) throws {
        let line = "\(move.endpointName) serves version \(move.toVersion)"
            + (move.changed ? " (was \(move.fromVersion ?? "none"))" : " (it already did)")
        reporter.notice(line, title: "Prod endpoint set")
        try reporter.setOutput("version", move.toVersion)
        try reporter.appendSummary("### Prod endpoint set by hand\n\n\(line)")
    }
}
