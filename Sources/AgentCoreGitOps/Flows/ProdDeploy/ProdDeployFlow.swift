import Foundation

/// `prod-deploy`: a push to the default branch adds a version to the long-lived prod runtime.
///
/// Find the pull request the commit came from and that pull request's runtime (through the bot's
/// sticky comment), package the agent, create or update the prod runtime, wait until the version
/// is READY, smoke-test it through DEFAULT, and open the deployment issue whose hidden metadata
/// prod-promote acts on. The prod endpoint does not move here. A failed smoke test fails the job
/// after the issue says so; a re-run tests the version again.
public struct ProdDeployFlow: ExecutableFlow, Sendable {
    public static let executableName = "prod-deploy"
    public static let usage = """
        usage: prod-deploy
        Adds a version to the prod runtime (AGENTCORE_PROD_RUNTIME, default prod) for a push to the
        default branch and opens the deployment issue that prod-promote acts on. Reads
        GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN, AGENTCORE_ROLE_ARN,
        AGENTCORE_S3_BUCKET, AWS credentials and AWS_REGION from the environment; the agent is agent/
        (or AGENTCORE_AGENT_DIR).
        """

    public let context: FlowContext
    public let event: PushEvent
    public let agent: AgentSource

    /// Reads the event and leaves pushes it does not deploy before touching any setting, then
    /// runs the flow.
    @discardableResult
    public static func run(environment: [String: String], reporter: ActionsReporter) async throws -> ProdDeployOutcome {
        let event = try Self.event(in: environment, handles: "push", triggeredBy: "`push` to the default branch") { event -> PushEvent? in
            guard case .push(let event) = event else { return nil }
            return event
        }
        if let reason = skipReason(event) {
            reporter.notice("Nothing to deploy: \(reason)", title: "prod-deploy skipped")
            return .skipped(reason: reason)
        }
        let context = try FlowContext.fromEnvironment(environment)
        let agent = try AgentSource.fromEnvironment(environment)
        return try await ProdDeployFlow(context: context, event: event, agent: agent).run()
    }

    /// Only a commit that lands on the default branch is deployed.
    public static func skipReason(_ event: PushEvent) -> String? {
        let defaultBranch = event.repository.defaultBranch ?? "main"
        if event.deleted || event.after.allSatisfy({ $0 == "0" }) { return "\(event.ref) was deleted" }
        guard let branch = event.branch else { return "\(event.ref) is not a branch" }
        guard branch == defaultBranch else { return "\(branch) is not the default branch (\(defaultBranch))" }
        return nil
    }

    @discardableResult
    public func run() async throws -> ProdDeployOutcome {
        let retention = try RetentionPolicy.fromEnvironment(context.environment)
        if let issue = try await DeploymentIssue.find(forCommit: event.after, github: github) {
            return try await finishEarlierRun(issue, retention: retention)
        }
        let settings = try agent.runtimeSettings(for: target.role, reporter: context.reporter)
        let current = try await findProdRuntime()
        if let reason = try await supersededReason(newest: current) {
            context.reporter.notice("Nothing deployed: \(reason)", title: "prod-deploy skipped")
            return .skipped(reason: reason)
        }
        let package = try await agent.build(for: target.runtimeName, reporter: context.reporter)
        defer { try? FileManager.default.removeItem(atPath: package.path) }
        let pullRequest = try await findMergedPullRequest()
        let pullRequestRuntimeID = try await findPullRequestRuntime(pullRequest)
        let drift = try await checkDrift(current: current, package: package, settings: settings)
        let plan = try await DeploymentPlan.againstLiveProd(context: context, package: package, settings: settings, prod: current)
        let (deployment, smokeTestOutcome) = try await RuntimeDeployer(context: context)
            .deploy(package, settings: settings, to: target, current: current) { version in
                try await recordDeployment(of: version, package: package, pullRequest: pullRequest)
                return try await smokeTest(version)
            }
        let issue = try DeploymentIssue(
            deployment: deployment, package: package, commitSHA: event.after, pullRequest: pullRequest,
            pullRequestRuntimeID: pullRequestRuntimeID, prodEndpointName: context.settings.prodEndpointName,
            plan: plan, drift: drift, smokeTest: smokeTestOutcome)
        let number = try await openIssue(issue)
        try reportOutputs(issue, number: number)
        try await pruneOldVersions(of: deployment.runtime, policy: retention)
        try requirePassed(smokeTestOutcome, issue: number)
        return .deployed(issue: number, deployment: deployment)
    }

    private var target: DeploymentTarget {
        DeploymentTarget(runtimeName: context.settings.prodRuntimeName, role: .production)
    }
    private var github: any GitHubAPI { context.github }

    // MARK: Steps

    /// A re-run for a commit whose deployment issue exists: the job was done, unless the version
    /// has not passed its smoke test; then it is tested again and the issue shows the new result.
    private func finishEarlierRun(_ issue: GitHubIssue, retention: RetentionPolicy) async throws -> ProdDeployOutcome {
        try context.reporter.setOutput("issue_number", String(issue.number))
        let done = "Commit \(event.after) is already deployed: deployment issue #\(issue.number)"
        guard issue.state == "open", let metadata = try github.trustedMarkers.deploymentMetadata(in: issue) else {
            context.reporter.notice(done)
            try await pruneOldVersions(of: nil, policy: retention)
            return .alreadyDeployed(issue: issue.number)
        }
        let runtime = try await context.agentCore.getAgentRuntime(id: metadata.runtimeID, version: metadata.version)
        let recorded = try await records.smokeTest(runtimeID: metadata.runtimeID, version: metadata.version)
        if let recorded, recorded.passed {
            // A re-test that crashed after its record: the issue may still say it failed.
            try await showSmokeTest(
                SmokeTestOutcome(version: metadata.version, verdict: .tested(recorded.result(runtimeARN: runtime.agentRuntimeArn))),
                in: issue, onlyIfShownAsFailed: true)
            context.reporter.notice(done)
            try await pruneOldVersions(of: nil, policy: retention)
            return .alreadyDeployed(issue: issue.number)
        }
        context.reporter.info("\(runtime.agentRuntimeName) version \(metadata.version) has not passed its smoke test: testing it again")
        let outcome = try await smokeTest(runtime)
        try await showSmokeTest(outcome, in: issue, onlyIfShownAsFailed: false)
        try await pruneOldVersions(of: nil, policy: retention)
        try requirePassed(outcome, issue: issue.number)
        guard outcome.passed else {
            context.reporter.notice("\(outcome.summary); deployment issue #\(issue.number) says so")
            return .alreadyDeployed(issue: issue.number)
        }
        context.reporter.notice("Version \(metadata.version) passed its smoke test this time: deployment issue #\(issue.number) says so")
        return .retested(issue: issue.number)
    }

    /// Through DEFAULT, which serves the new version; before the issue opens, so it says how it went.
    private func smokeTest(_ runtime: AgentRuntime) async throws -> SmokeTestOutcome {
        try await DeploymentSmokeTest(
            context: context, settings: agent.settings.smokeTest, runtimeName: target.runtimeName, redactor: agent.redactor
        ).run(runtime, commitSHA: event.after)
    }

    private func showSmokeTest(_ outcome: SmokeTestOutcome, in issue: GitHubIssue, onlyIfShownAsFailed: Bool) async throws {
        let body = issue.body ?? ""
        if onlyIfShownAsFailed && DeploymentIssue.showsSmokeTestPassed(body) { return }
        let updated = DeploymentIssue.replacingSmokeTest(in: body, with: outcome, runtimeName: target.runtimeName)
        guard updated != body else { return }
        _ = try await github.updateIssue(number: issue.number, GitHubIssueUpdate(body: updated))
    }

    /// A failed smoke test fails the job once the issue says so: prod-promote refuses the version.
    private func requirePassed(_ outcome: SmokeTestOutcome, issue: Int) throws {
        guard outcome.failed else { return }
        throw ActionableError(
            "\(target.runtimeName) version \(outcome.version) failed its smoke test: \(outcome.result?.reason ?? "no reason given"); "
                + "deployment issue #\(issue) says so, and it cannot be promoted",
            fix: "read the agent's logs, then re-run this job to test the version again, or merge a fix")
    }

    private var records: DeploymentRecords {
        DeploymentRecords(s3: context.s3, bucket: context.settings.bucket, runtimeName: target.runtimeName)
    }

    /// A commit is deployed only while it is the newest: the tip of the default branch, or a
    /// descendant of the commit prod's newest version was built from. A re-run of an old run after
    /// newer commits landed would otherwise make an old commit the newest version.
    private func supersededReason(newest runtime: AgentRuntime?) async throws -> String? {
        let branch = event.repository.defaultBranch ?? "main"
        let tip = try await github.branchTip(branch)
        if tip == event.after { return nil }
        if let runtime, let newest = try await records.forVersion(runtime.agentRuntimeVersion) {
            let order = try await github.compareCommits(base: newest.commitSHA, head: event.after).status
            if order == .ahead || order == .identical { return nil }
        }
        return "commit \(event.after) is no longer the tip of \(branch): \(tip) superseded it, and it does not come after "
            + "the commit prod's newest version was built from. The run for \(tip.prefix(7)) deploys the newer code."
    }

    /// What this version was built from, written once in the deploy bucket before the issue
    /// opens: prod-promote checks every deployment issue against it.
    private func recordDeployment(of version: AgentRuntime, package: PackageManifest, pullRequest: Int?) async throws {
        try await records.record(DeploymentRecord(
            runtimeName: target.runtimeName, version: version.agentRuntimeVersion, commitSHA: event.after,
            packageSHA256: package.sha256, pullRequest: pullRequest, recordedAt: Date()))
    }

    /// The merged pull request that brought the commit, from GitHub's commit → pulls API; when
    /// that has none, from the merge message (`Merge pull request #N`, or a squash title ending
    /// `(#N)`), checked to be a merged pull request. Nil for a direct push.
    private func findMergedPullRequest() async throws -> Int? {
        let defaultBranch = event.repository.defaultBranch ?? "main"
        let merged = try await github.pullRequests(forCommit: event.after).filter(\.isMerged)
        if let pull = merged.first(where: { $0.mergeCommitSHA == event.after })
            ?? merged.first(where: { $0.base.ref == defaultBranch }) {
            return pull.number
        }
        guard let number = Self.pullRequestNumber(inMessage: event.headCommit?.message ?? "") else {
            context.reporter.info("commit \(event.after) came from no pull request (a direct push)")
            return nil
        }
        let pull = try await github.getPullRequest(number: number)
        guard pull.isMerged else {
            context.reporter.warning("the commit message names pull request #\(number), which is not merged; deploying as a direct push")
            return nil
        }
        return number
    }

    /// `Merge pull request #12 from ...`, or a first line ending `(#12)`.
    public static func pullRequestNumber(inMessage message: String) -> Int? {
        let firstLine = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if let match = firstLine.prefixMatch(of: /Merge pull request #([1-9][0-9]{0,9})\b/) { return Int(match.1) }
        if let match = firstLine.firstMatch(of: /\(#([1-9][0-9]{0,9})\)\s*$/) { return Int(match.1) }
        return nil
    }

    /// The runtime the bot's sticky comment on the pull request records, if it is that pull
    /// request's (`pr_<n>-...`). A person's comment never counts.
    private func findPullRequestRuntime(_ number: Int?) async throws -> String? {
        guard let number else { return nil }
        let comments = try await github.listComments(issue: number)
        let runtimeID: String?
        do {
            runtimeID = try PRComment.runtimeID(in: comments, trusted: github.trustedMarkers)
        } catch let error as MarkerError {
            context.reporter.warning("pull request #\(number): \(error); recording no PR runtime")
            return nil
        }
        guard let runtimeID else {
            context.reporter.info("pull request #\(number) has no runtime of ours")
            return nil
        }
        guard MarkerValue.runtimeName(ofRuntimeID: runtimeID) == RuntimeOwnership.prRuntimeName(number) else {
            context.reporter.warning("pull request #\(number)'s comment names \(runtimeID), which is not pr_\(number); recording no PR runtime")
            return nil
        }
        return runtimeID
    }

    /// Settings changed by hand since the last deploy: reported, or with `"onDrift": "fail"`
    /// refused before anything is uploaded or changed.
    private func checkDrift(current: AgentRuntime?, package: PackageManifest, settings: EnvironmentSettings) async throws -> ConfigurationDrift? {
        let names = context.settings
        let desired = try RuntimeDeployer.configuration(
            for: package, at: S3Location(bucket: names.bucket, key: "\(target.runtimeName)/packages/\(package.sha256).zip"),
            settings: settings, roleArn: names.roleArn,
            description: try await RuntimeLookup(context: context).identity.description(settings.description, role: target.role))
        let record = SentConfigurationRecord(s3: context.s3, bucket: names.bucket, runtimeName: target.runtimeName)
        guard let drift = try await ConfigurationDrift.detect(current: current, desired: desired, record: record) else { return nil }
        if agent.settings.onDrift == .fail { throw drift.refusal }
        context.reporter.warning(drift.summary + "; this deploy replaces them", title: "Drift in \(target.runtimeName)")
        return drift
    }

    private func findProdRuntime() async throws -> AgentRuntime? {
        try await RuntimeLookup(context: context).runtime(named: target.runtimeName, role: target.role)
    }

    private func openIssue(_ issue: DeploymentIssue) async throws -> Int {
        try await github.ensureLabels(DeploymentLabels.all)
        let created = try await github.createIssue(
            title: issue.title, body: issue.body, labels: DeploymentLabels.newDeployment.map(\.name))
        let kept = try await closeTwins(of: created)
        context.reporter.notice("Opened deployment issue #\(kept) for \(target.runtimeName) version \(issue.metadata.version)")
        return kept
    }

    /// A create GitHub carried out but whose answer was lost is retried, and leaves a twin:
    /// the oldest issue for the commit stays, the others are closed as duplicates.
    private func closeTwins(of created: GitHubIssue) async throws -> Int {
        let all = try await DeploymentIssue.findAll(forCommit: event.after, github: github)
        guard let oldest = all.first else { return created.number }
        for twin in all.dropFirst() {
            context.reporter.warning("Closing deployment issue #\(twin.number): it repeats #\(oldest.number)")
            _ = try await github.closeIssue(number: twin.number, reason: .notPlanned)
        }
        return oldest.number
    }

    private func reportOutputs(_ issue: DeploymentIssue, number: Int) throws {
        let reporter = context.reporter
        try reporter.setOutput("runtime_id", issue.metadata.runtimeID)
        try reporter.setOutput("runtime_version", issue.metadata.version)
        try reporter.setOutput("package_sha256", issue.metadata.packageSHA256 ?? "")
        try reporter.setOutput("changed", issue.changed ? "true" : "false")
        try reporter.setOutput("issue_number", String(number))
        try reporter.appendSummary("Deployment issue #\(number)\n\n" + issue.body)
    }
}
