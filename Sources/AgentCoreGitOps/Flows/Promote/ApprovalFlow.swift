import Foundation

/// The `approved` label on a deployment issue: the prod endpoint moves to the issue's version,
/// the pull request's runtime is deleted, and the issue is commented, labelled `promoted` and closed.
/// A version whose smoke test has not passed is refused.
///
/// Everything that can refuse runs before anything changes: a refusal comments why and what to
/// do, removes `approved`, and leaves AWS alone. After that every step is safe to repeat, so a
/// rerun after a crash (or a second approval racing this one) finishes the same promotion once.
public struct ApprovalFlow: PromotionFlow, Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Not an approval of a deployment issue; nothing was touched.
        case ignored(String)
        case refused(ActionableError)
        case promoted(PromotionResult)
    }

    public let context: FlowContext
    public let event: IssuesEvent
    /// Clock for the comment's time stamp.
    public var now: @Sendable () -> Date = { Date() }

    private var issueNumber: Int { event.issue.number }

    public func run() async throws -> Outcome {
        if let reason = reasonToIgnore() {
            reporter.notice(reason)
            return .ignored(reason)
        }
        do {
            let approver = try await checkApprover()
            let issue = try await loadIssue()
            let metadata = try readMetadata(of: issue)
            let runtime = try await checkProdVersion(metadata)
            try await verifyDeployment(metadata, issue: issue, runtime: runtime)
            try await checkSmokeTest(metadata)
            let prRuntime = try await checkPRRuntime(metadata)
            let alreadyPromoted = try await findEarlierPromotion(metadata)
            if !alreadyPromoted {
                try checkIssueIsOpen(issue)
                try await checkMovesForward(runtime, metadata, live: try await steps.mover.liveVersion(runtimeID: runtime.agentRuntimeId))
            }
            // Nothing has changed up to here; from here on every step converges when repeated.
            let move = alreadyPromoted ? nil : try await moveProdEndpoint(runtime, metadata)
            // Say that prod moved before anything else can fail: the comment and labels are the record.
            if let move { try await commentPromotion(move, runtime: runtime, approver: approver, prRuntime: prRuntime) }
            try await labelPromotedAndClose()
            try await recordProductionDeployment(metadata, runtime: runtime)
            let cleanup = try await removePRRuntime(prRuntime)
            let result = PromotionResult(
                issue: issueNumber, runtimeID: runtime.agentRuntimeId, version: metadata.version,
                fromVersion: move?.fromVersion, endpointChanged: move?.changed ?? false, prRuntime: cleanup)
            try report(result)
            return .promoted(result)
        } catch let refusal as ActionableError where refusal.kind == .refusal {
            try await refuse(refusal)
            return .refused(refusal)
        }
    }

    // MARK: Steps

    /// Only an `approved` label on an issue the bot opened as a deployment counts; anything else
    /// (other labels, other issues, pull requests) is none of this flow's business.
    func reasonToIgnore() -> String? {
        // GitHub matches label names without regard to case, so do we.
        func same(_ name: String?, _ label: String) -> Bool { name?.lowercased() == label }
        guard event.isLabeled, same(event.label?.name, DeploymentLabels.approved.name) else {
            return "Issue #\(issueNumber): \(event.action) \(event.label?.name ?? "") is not the \(DeploymentLabels.approved.name) label being added; nothing to do"
        }
        guard !event.issue.isPullRequest, github.isAuthoredByBot(event.issue.user) else {
            return "Issue #\(issueNumber) was not opened by \(github.botLogin), so it is no deployment issue; nothing to do"
        }
        guard event.issue.labels.contains(where: { same($0.name, DeploymentLabels.needsPromotion.name) }) else {
            return "Issue #\(issueNumber) is not labelled \(DeploymentLabels.needsPromotion.name); nothing to promote"
        }
        return nil
    }

    private func checkApprover() async throws -> String {
        let who = try await steps.requireAuthorizedPeople(sender: event.sender, action: "approving a promotion")
        reporter.info("Approved by \(who)")
        return event.sender.login
    }

    /// The issue as it is now: the payload may be old when the run is a rerun.
    private func loadIssue() async throws -> GitHubIssue {
        try await github.getIssue(number: issueNumber)
    }

    private func readMetadata(of issue: GitHubIssue) throws -> DeploymentMetadata {
        let metadata: DeploymentMetadata?
        do {
            metadata = try github.trustedMarkers.deploymentMetadata(in: issue)
        } catch let error as MarkerError {
            throw ActionableError.refusal("the deployment metadata of issue #\(issueNumber) cannot be read: \(error)",
                                          fix: "restore the metadata block prod-deploy wrote, or rerun prod-deploy for the commit")
        }
        guard let metadata else {
            throw ActionableError.refusal("issue #\(issueNumber) carries no deployment metadata from \(github.botLogin)",
                                          fix: "approve the deployment issue prod-deploy opened for the commit")
        }
        if let name = metadata.runtimeName, name != context.settings.prodRuntimeName {
            throw ActionableError.refusal("the metadata names runtime \(name), not the prod runtime \(context.settings.prodRuntimeName)",
                                          fix: "approve a deployment issue of \(context.settings.prodRuntimeName)")
        }
        reporter.info("Deployment: \(metadata.runtimeID) version \(metadata.version), PR runtime \(metadata.prRuntimeID ?? "none")")
        return metadata
    }

    private func checkProdVersion(_ metadata: DeploymentMetadata) async throws -> AgentRuntime {
        let runtime = try await steps.prodRuntime(id: metadata.runtimeID)
        try await steps.requireReadyVersion(metadata.version, of: runtime)
        return runtime
    }

    private func checkPRRuntime(_ metadata: DeploymentMetadata) async throws -> PRRuntimeReference? {
        try await steps.deletablePRRuntime(in: metadata)
    }

    /// A promotion comment for this version means an earlier run moved the endpoint already: a
    /// rerun only finishes the clean-up, and never moves prod back if it has moved on since.
    private func findEarlierPromotion(_ metadata: DeploymentMetadata) async throws -> Bool {
        let found = try await github.hasBotComment(
            issue: issueNumber, marker: PromotionComments.promotionMarker(version: metadata.version))
        if found { reporter.info("Issue #\(issueNumber) was promoted before; finishing the clean-up only") }
        return found
    }

    private func checkIssueIsOpen(_ issue: GitHubIssue) throws {
        guard issue.state == "open" else {
            throw ActionableError.refusal("issue #\(issueNumber) is closed", fix: "reopen it, then add the \(DeploymentLabels.approved.name) label again")
        }
    }

    /// The hidden metadata decides what moves, so it must agree with what the issue shows, with the
    /// record prod-deploy wrote for the commit, and with the code that version runs.
    private func verifyDeployment(_ metadata: DeploymentMetadata, issue: GitHubIssue, runtime: AgentRuntime) async throws {
        var record: DeploymentRecord?
        if let commit = metadata.commitSHA { record = try await steps.records.forCommit(commit) }
        let check = DeploymentIssueCheck(
            metadata: metadata, title: issue.title, body: issue.body ?? "", record: record,
            artifactSHA256: try await steps.artifactSHA256(of: runtime, version: metadata.version))
        let disagreements = check.disagreements()
        guard disagreements.isEmpty else {
            throw ActionableError.refusal(
                "issue #\(issueNumber) does not describe what it would promote: " + disagreements.joined(separator: "; "),
                fix: "approve a deployment issue as prod-deploy wrote it, or re-run prod-deploy for the commit to open a correct one")
        }
    }

    /// Only a version that answered its smoke test is promoted. The record prod-deploy wrote in
    /// the deploy bucket decides; what the issue's text says about the test does not count.
    private func checkSmokeTest(_ metadata: DeploymentMetadata) async throws {
        let record = try await steps.records.smokeTest(runtimeID: metadata.runtimeID, version: metadata.version)
        if let record, record.passed { return }
        let name = metadata.runtimeName ?? context.settings.prodRuntimeName
        // The reason stays out: it may quote the agent, and this comment is the bot's (markers in it count).
        let problem = record == nil
            ? "version \(metadata.version) of \(name) has no smoke test on record, so nobody knows that it answers"
            : "version \(metadata.version) of \(name) failed its smoke test; this issue shows why"
        let commit = metadata.commitSHA.map { " of commit \($0.prefix(7))" } ?? ""
        throw ActionableError.refusal(
            problem,
            fix: "re-run the prod-deploy job\(commit) to test it again (a pass updates this issue), then add the "
                + "\(DeploymentLabels.approved.name) label again; or merge a fix and approve its deployment issue")
    }

    /// An approval moves prod only forward in commit order; going back is a deliberate rollback.
    /// Checked before the lease for a quick answer, and again inside it right before the move.
    private func checkMovesForward(_ runtime: AgentRuntime, _ metadata: DeploymentMetadata, live: String?) async throws {
        guard let live, live != metadata.version else { return }
        let rollback = "to roll back on purpose, run the prod-promote workflow by hand with prod_runtime_version = \(metadata.version)"
        let endpoint = context.settings.prodEndpointName
        if let target = metadata.commitSHA, let liveCommit = try await steps.records.forVersion(live)?.commitSHA {
            switch try await github.compareCommits(base: liveCommit, head: target).status {
            case .ahead, .identical:
                return
            case .behind:
                throw ActionableError.refusal(
                    "version \(metadata.version) (commit \(target.prefix(7))) is older than version \(live) "
                        + "(commit \(liveCommit.prefix(7))), which \(endpoint) serves now", fix: rollback)
            case .diverged:
                throw ActionableError.refusal(
                    "version \(metadata.version) (commit \(target.prefix(7))) does not descend from version \(live) "
                        + "(commit \(liveCommit.prefix(7))), which \(endpoint) serves now", fix: rollback)
            }
        }
        // Versions deployed before records were kept: their numbers are the only order there is.
        guard let liveNumber = Int(live), let number = Int(metadata.version), number < liveNumber else { return }
        throw ActionableError.refusal(
            "version \(metadata.version) is older than version \(live), which \(endpoint) serves now", fix: rollback)
    }

    private func moveProdEndpoint(_ runtime: AgentRuntime, _ metadata: DeploymentMetadata) async throws -> EndpointMove {
        try await steps.moveProdEndpoint(runtime, to: metadata.version, purpose: "prod-promote approval of issue #\(issueNumber)") { live in
            try await checkMovesForward(runtime, metadata, live: live)
        }
    }

    private func removePRRuntime(_ reference: PRRuntimeReference?) async throws -> RemovedPRRuntime? {
        guard let reference else { return nil }
        let removal = try await reporter.group("Delete the PR runtime \(reference.runtimeID)") {
            try await PRRuntimeRemover(context: context).remove(runtimeID: reference.runtimeID, pullRequest: reference.pullRequest)
        }
        return RemovedPRRuntime(runtime: reference, removal: removal)
    }

    private func commentPromotion(
        _ move: EndpointMove, runtime: AgentRuntime, approver: String, prRuntime: PRRuntimeReference?
    ) async throws {
        let body = PromotionComments.promotion(
            move, runtimeName: runtime.agentRuntimeName, approver: approver, prRuntime: prRuntime, at: now())
        try await github.commentOnce(issue: issueNumber, marker: PromotionComments.promotionMarker(version: move.toVersion), body: body)
    }

    private func labelPromotedAndClose() async throws {
        try await github.ensureLabels([DeploymentLabels.promoted])
        try await github.addLabels(issue: issueNumber, labels: [DeploymentLabels.promoted.name])
        try await github.removeLabel(issue: issueNumber, label: DeploymentLabels.needsPromotion.name)
        _ = try await github.closeIssue(number: issueNumber, reason: .completed)
    }

    /// GitHub's production environment shows the version prod serves, so it is recorded only while
    /// prod still serves this version: another run (or a rerun) may have moved it on since.
    private func recordProductionDeployment(_ metadata: DeploymentMetadata, runtime: AgentRuntime) async throws {
        try await steps.whileProdServes(metadata.version, of: runtime, purpose: "prod-promote record of issue #\(issueNumber)") {
            try await ProductionGitHubDeployment(context: context).record(
                runtime: runtime, version: metadata.version, commitSHA: metadata.commitSHA, packageSHA256: metadata.packageSHA256)
        }
    }

    private func report(_ result: PromotionResult) throws {
        reporter.notice(result.summaryLine, title: "Promoted")
        try reporter.setOutput("version", result.version)
        try reporter.appendSummary("### Promoted\n\n" + result.summaryLine)
    }

    private func refuse(_ refusal: ActionableError) async throws {
        reporter.warning(refusal.description, title: "Promotion refused")
        let runID = steps.runID
        try await github.commentOnce(
            issue: issueNumber, marker: PromotionComments.refusalMarker(refusal, runID: runID),
            body: PromotionComments.refusal(refusal, runID: runID))
        try await github.removeLabel(issue: issueNumber, label: DeploymentLabels.approved.name)
        try reporter.appendSummary("### Promotion refused\n\n\(refusal.description)")
    }
}
