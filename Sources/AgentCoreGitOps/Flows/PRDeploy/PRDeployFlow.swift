import Foundation

/// `pr-deploy`: a pull request's own runtime `pr_<n>`.
///
/// Opened, pushed or reopened: package the agent, add a version to `pr_<n>` when the package or
/// settings changed (creating the runtime the first time), wait until it is READY, smoke-test it
/// through its DEFAULT endpoint (a failure fails the job), and keep one sticky comment saying what
/// runs, whether it answered, and how to try it. Closed without merging: delete `pr_<n>`.
/// Closed by merging: keep it for the promotion, and say so.
public struct PRDeployFlow: ExecutableFlow, Sendable {
    public static let executableName = "pr-deploy"
    public static let usage = """
        usage: pr-deploy
        Deploys a pull request's agent to its runtime pr_<number>, or deletes that runtime when the
        pull request is closed without merging. Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
        GITHUB_REPOSITORY, GITHUB_TOKEN, AGENTCORE_ROLE_ARN, AGENTCORE_S3_BUCKET, AWS credentials and
        AWS_REGION from the environment; the agent is agent/ (or AGENTCORE_AGENT_DIR).
        """

    public let context: FlowContext
    public let event: PullRequestEvent
    public let agent: AgentSource

    /// Reads the event and skips forks before touching any setting (their runs have no AWS
    /// credentials), then runs the flow.
    @discardableResult
    public static func run(environment: [String: String], reporter: ActionsReporter) async throws -> PRDeployOutcome {
        let trigger = "`pull_request` (types opened, synchronize, reopened, closed)"
        let event = try Self.event(in: environment, handles: "pull_request", triggeredBy: trigger) { event -> PullRequestEvent? in
            guard case .pullRequest(let event) = event else { return nil }
            return event
        }
        if event.isFromFork {
            reporter.notice(
                "Pull request #\(event.number) comes from a fork, which gets no AWS credentials: nothing is deployed. "
                    + "A maintainer can push the branch to this repository to deploy it.",
                title: "Fork pull request skipped")
            return .skippedFork
        }
        let context = try FlowContext.fromEnvironment(environment)
        let agent: AgentSource
        do {
            agent = try AgentSource.fromEnvironment(environment)
        } catch {
            // A broken agent/ (say, its agentcore.json) is this push's failure like any other.
            if event.action.deploys { await reportFailure(error, context: context, event: event) }
            throw error
        }
        return try await PRDeployFlow(context: context, event: event, agent: agent).run()
    }

    @discardableResult
    public func run() async throws -> PRDeployOutcome {
        switch event.action {
        case .opened, .synchronize, .reopened:
            return try await deploy()
        case .closed where event.isMerged:
            let recorded = await gitHubDeployment.closed()
            let outcome = try await keepForPromotion()
            try recorded.get()
            return outcome
        case .closed:
            let recorded = await gitHubDeployment.closed()
            let outcome = try await cleanUp()
            try recorded.get()
            return outcome
        case .other(let action):
            context.reporter.notice("pr-deploy has nothing to do for pull_request action '\(action)'")
            return .ignoredAction(action)
        }
    }

    private var target: DeploymentTarget { .pullRequest(event.number) }
    private var github: any GitHubAPI { context.github }
    private var lookup: RuntimeLookup { RuntimeLookup(context: context) }

    // MARK: Opened, pushed, reopened

    private func deploy() async throws -> PRDeployOutcome {
        let record = await gitHubDeployment.start()
        let (report, comments): (PRDeploymentReport, [GitHubComment])
        do {
            (report, comments) = try await deployPush()
        } catch {
            await gitHubDeployment.failed(record)
            await Self.reportFailure(error, context: context, event: event, redactor: agent.redactor)
            throw error
        }
        // From here on the version runs: a comment or output that fails is not a failed deploy.
        let recorded = await gitHubDeployment.succeeded(record, report: report)
        try await updateComment(.deployed(report), comments: comments)
        try reportOutputs(report)
        if let smokeTest = report.smokeTest, smokeTest.failed {
            // The comment says why; the failed job is what a reviewer and branch protection see.
            if case .failure(let error) = recorded {
                context.reporter.warning(error.description, title: "GitHub deployment not recorded")
            }
            throw ActionableError(
                "\(report.runtimeName) version \(report.version) failed its smoke test: \(smokeTest.result?.reason ?? "no reason given")",
                fix: "read the pull request comment and the agent's logs, then push a fix or re-run this job to test it again")
        }
        try recorded.get()
        return .deployed(report)
    }

    private var gitHubDeployment: PRGitHubDeployment { PRGitHubDeployment(context: context, event: event) }

    private func deployPush() async throws -> (PRDeploymentReport, [GitHubComment]) {
        let settings = try agent.runtimeSettings(for: target.role, reporter: context.reporter)
        let package = try await agent.build(for: target.runtimeName, reporter: context.reporter)
        defer { try? FileManager.default.removeItem(atPath: package.path) }
        let comments = try await github.listComments(issue: event.number)
        let current = try await findRuntime(comments)
        let smokeTest = DeploymentSmokeTest(
            context: context, settings: agent.settings.smokeTest, runtimeName: target.runtimeName, redactor: agent.redactor)
        let (deployment, smokeTestOutcome) = try await RuntimeDeployer(context: context)
            .deploy(package, settings: settings, to: target, current: current) { [headSHA = event.headSHA] version in
                try await smokeTest.run(version, commitSHA: headSHA)
            }
        var report = PRDeploymentReport(
            deployment: deployment, package: package, headSHA: event.headSHA,
            defaultEndpoint: try await defaultEndpoint(of: deployment.runtimeID), smokeTest: smokeTestOutcome)
        (report.plan, report.noPlanReason) = await planAgainstProd(package)
        return (report, comments)
    }

    /// What merging would do to prod, or why it cannot be told. The pull request's version runs
    /// whatever this says, so a plan that cannot be worked out is a note, not a failed deploy.
    private func planAgainstProd(_ package: PackageManifest) async -> (plan: DeploymentPlan?, noPlanReason: String?) {
        do {
            return (try await DeploymentPlan.againstProdRecord(
                context: context, package: package, declaredSettings: agent.settings.settings(for: .prod)), nil)
        } catch let error as AWSError where error.isAccessDenied {
            let reason = DeploymentPlan.prodNotReadable(error, runtimeName: context.settings.prodRuntimeName)
            context.reporter.warning(reason, title: "No plan against prod")
            return (nil, reason)
        } catch {
            context.reporter.warning("The plan against prod could not be made: \(error)", title: "No plan against prod")
            return (nil, "The plan against prod could not be made this time; the run's log says why.")
        }
    }

    /// Turns the sticky comment into "deploy failed" for this push, keeping its record of the
    /// runtime and of what still runs; creates it when the pull request has none yet. It never
    /// throws: the deploy's error stays the run's error, and a comment that cannot be written
    /// (or bot comments that name two runtimes) is reported beside it, the comment left as it was.
    static func reportFailure(
        _ error: any Error, context: FlowContext, event: PullRequestEvent, redactor: SecretRedactor? = nil
    ) async {
        guard !event.isFromFork else { return }
        let github = context.github
        do {
            let comments = try await github.listComments(issue: event.number)
            let target = DeploymentTarget.pullRequest(event.number)
            var previous = try PRComment.record(in: comments, trusted: github.trustedMarkers)
            if previous.runtimeID == nil,
               let created = try? await RuntimeLookup(context: context).runtime(named: target.runtimeName, role: target.role) {
                // A first deploy that created the runtime and then failed: the comment records it,
                // so a merge keeps it for promotion and a close deletes it, as for any other.
                previous = PRCommentRecord(runtimeID: created.agentRuntimeId, deployed: nil)
            }
            let failure = PRDeployFailure(
                runtimeName: target.runtimeName, commitSHA: event.headSHA,
                reason: ErrorExcerpt(describing: error, redactor: redactor ?? SecretRedactor(environment: context.environment)),
                previous: previous, runURL: WorkflowRunLink.url(environment: context.environment))
            try await upsertComment(.failed(failure), comments: comments, context: context, number: event.number)
        } catch let commentError {
            context.reporter.warning(
                "The pull request comment could not be changed to say that this deploy failed: \(commentError). "
                    + "The deploy's own error follows.",
                title: "Pull request comment not updated")
        }
    }

    /// Our marker first (one GetAgentRuntime); a missing or stale one falls back to the name.
    private func findRuntime(_ comments: [GitHubComment]) async throws -> AgentRuntime? {
        let marked = try PRComment.runtimeID(in: comments, trusted: github.trustedMarkers)
        return try await lookup.runtime(markedID: marked, name: target.runtimeName, role: target.role)
    }

    private func defaultEndpoint(of runtimeID: String) async throws -> AgentRuntimeEndpoint? {
        try await context.agentCore.findEndpoint(runtimeId: runtimeID, name: AgentRuntimeEndpoint.defaultName)
    }

    private func updateComment(_ state: PRComment.State, comments: [GitHubComment]) async throws {
        try await Self.upsertComment(state, comments: comments, context: context, number: event.number)
    }

    private static func upsertComment(
        _ state: PRComment.State, comments: [GitHubComment], context: FlowContext, number: Int
    ) async throws {
        let result = try await context.github.upsertStickyComment(
            issue: number, marker: PRComment.marker, body: try PRComment.render(state), comments: comments)
        context.reporter.info("pull request comment \(result.action.rawValue)")
        // Whoever checks the comment (the demo) finds it by the marker the tool reports.
        try context.reporter.setOutput("comment_marker", PRComment.marker)
    }

    private func reportOutputs(_ report: PRDeploymentReport) throws {
        let reporter = context.reporter
        try reporter.setOutput("runtime_id", report.runtimeID)
        try reporter.setOutput("runtime_version", report.version)
        try reporter.setOutput("package_sha256", report.packageSHA256)
        try reporter.setOutput("changed", report.changed ? "true" : "false")
        if let smokeTest = report.smokeTest {
            try reporter.setOutput("smoke_test", smokeTest.passed ? "passed" : smokeTest.failed ? "failed" : "not run")
        }
        try reporter.appendSummary(report.markdown)
    }

    // MARK: Closed

    /// The merge's deployment issue names this runtime; prod-promote deletes it once approved.
    private func keepForPromotion() async throws -> PRDeployOutcome {
        let comments = try await github.listComments(issue: event.number)
        guard let runtimeID = try PRComment.runtimeID(in: comments, trusted: github.trustedMarkers) else {
            context.reporter.info("pull request #\(event.number) was merged; it has no runtime of ours")
            return .keptForPromotion(runtimeID: nil)
        }
        try await updateComment(.merged(runtimeName: target.runtimeName, runtimeID: runtimeID), comments: comments)
        context.reporter.notice("Pull request #\(event.number) was merged: \(target.runtimeName) stays until its deployment is promoted")
        return .keptForPromotion(runtimeID: runtimeID)
    }

    private func cleanUp() async throws -> PRDeployOutcome {
        let comments = try await github.listComments(issue: event.number)
        let marked = try PRComment.runtimeID(in: comments, trusted: github.trustedMarkers)
        var runtime: AgentRuntime?
        if let marked { runtime = try await lookup.runtime(markedID: marked, name: target.runtimeName, role: target.role) }
        if runtime == nil {
            // By name, ours or not: the cleanup itself decides whether it may delete it.
            runtime = try await lookup.anyRuntime(named: target.runtimeName)
        }
        guard let runtime else {
            if !PRComment.ours(in: comments, trusted: github.trustedMarkers).isEmpty {
                try await updateComment(.deleted(runtimeName: target.runtimeName, runtimeID: marked), comments: comments)
            }
            context.reporter.info("\(target.runtimeName) does not exist; nothing to delete")
            return .deleted(runtimeID: nil)
        }
        do {
            _ = try await PRRuntimeRemover(context: context).remove(runtimeID: runtime.agentRuntimeId, pullRequest: event.number)
        } catch let error as PRRuntimeNotOursError {
            context.reporter.warning(error.description, title: "Runtime left alone")
            try await updateComment(.keptForeign(runtimeName: target.runtimeName, runtimeID: runtime.agentRuntimeId), comments: comments)
            return .leftForeignRuntime(runtimeID: runtime.agentRuntimeId)
        }
        try await updateComment(.deleted(runtimeName: target.runtimeName, runtimeID: runtime.agentRuntimeId), comments: comments)
        return .deleted(runtimeID: runtime.agentRuntimeId)
    }
}

private extension PullRequestEvent.Action {
    /// Opened, pushed or reopened: the actions that deploy the head commit.
    var deploys: Bool { [.opened, .synchronize, .reopened].contains(self) }
}
