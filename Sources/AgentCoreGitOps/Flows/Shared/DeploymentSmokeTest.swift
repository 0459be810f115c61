import Foundation

/// The smoke test a deploy flow runs on the version it deployed, through the `DEFAULT` endpoint
/// once that serves the version. The result is recorded in the deploy bucket (which decides
/// whether the version may be promoted) and reported as the commit status
/// `agentcore/smoke-test` of the deployed commit. A version that passed before (the package did
/// not change, or this is a re-run) is not invoked again: its recorded pass stands.
struct DeploymentSmokeTest: Sendable {
    let context: FlowContext
    let settings: SmokeTestSettings
    let records: DeploymentRecords
    /// Keeps secrets out of the answer's excerpt (an agent may well echo its own variables).
    let redactor: SecretRedactor

    init(context: FlowContext, settings: SmokeTestSettings?, runtimeName: String, redactor: SecretRedactor? = nil) {
        self.context = context
        self.settings = settings ?? .minimal
        self.redactor = redactor ?? SecretRedactor(environment: context.environment)
        records = DeploymentRecords(s3: context.s3, bucket: context.settings.bucket, runtimeName: runtimeName)
    }

    /// Tests `runtime` (at the deployed version) unless it passed before, records what it found
    /// and reports it on `commitSHA`.
    func run(_ runtime: AgentRuntime, commitSHA: String) async throws -> SmokeTestOutcome {
        let version = runtime.agentRuntimeVersion
        return try await context.reporter.group("Smoke test of \(runtime.agentRuntimeName) version \(version)") {
            let outcome = try await decide(runtime, commitSHA: commitSHA)
            if let result = outcome.result {
                try await context.github.createCommitStatus(
                    sha: commitSHA, state: result.commitState, context: SmokeTest.statusContext,
                    description: outcome.statusDescription, targetURL: WorkflowRunLink.url(environment: context.environment))
            }
            if outcome.failed {
                context.reporter.warning(outcome.summary, title: "Smoke test failed")
            } else {
                context.reporter.info(outcome.summary)
            }
            return outcome
        }
    }

    private func decide(_ runtime: AgentRuntime, commitSHA: String) async throws -> SmokeTestOutcome {
        let version = runtime.agentRuntimeVersion
        let stored = try await records.storedSmokeTest(runtimeID: runtime.agentRuntimeId, version: version)
        if let earlier = stored?.record, earlier.passed {
            context.reporter.info("version \(version) passed at \(earlier.testedAt) and has not changed since: not invoked again")
            return SmokeTestOutcome(version: version, verdict: .passedBefore(earlier.result(runtimeARN: runtime.agentRuntimeArn)))
        }
        let result: SmokeTestResult
        switch try await defaultEndpointState(runtime) {
        case .serves:
            context.reporter.info("invoking \(runtime.agentRuntimeName) version \(version) through \(AgentRuntimeEndpoint.defaultName)")
            result = await SmokeTest(settings: settings, redactor: redactor).run(
                invoker: context.invoker, runtimeARN: runtime.agentRuntimeArn, endpoint: AgentRuntimeEndpoint.defaultName,
                clock: context.invocationClock)
        case .servesNewer(let newer):
            // A newer run deployed a newer version, and tests that one.
            return SmokeTestOutcome(version: version, verdict: .superseded(newerVersion: newer))
        case .cannotServe(let reason):
            result = SmokeTestResult(
                passed: false, runtimeARN: runtime.agentRuntimeArn, endpoint: AgentRuntimeEndpoint.defaultName, latency: .zero,
                reason: reason, expectation: settings.expect, timeoutSeconds: settings.timeoutSeconds)
        }
        try await records.recordSmokeTest(
            SmokeTestRecord(result, runtimeName: runtime.agentRuntimeName, version: version, commitSHA: commitSHA, testedAt: Date()),
            replacing: stored)
        return SmokeTestOutcome(version: version, verdict: .tested(result))
    }

    private enum DefaultEndpointState {
        case serves
        case servesNewer(String)
        case cannotServe(reason: String)
    }

    /// Whether `DEFAULT`, which AgentCore moves to each new version, serves this one (waiting
    /// while it moves there): testing through it must never test other code.
    private func defaultEndpointState(_ runtime: AgentRuntime) async throws -> DefaultEndpointState {
        let (id, version, name) = (runtime.agentRuntimeId, runtime.agentRuntimeVersion, AgentRuntimeEndpoint.defaultName)
        func newer(_ other: String?) -> String? {
            guard let other, let otherNumber = Int(other), let number = Int(version), otherNumber > number else { return nil }
            return other
        }
        guard let endpoint = try await context.agentCore.findEndpoint(runtimeId: id, name: name) else {
            return .cannotServe(reason: "\(runtime.agentRuntimeName) has no \(name) endpoint to invoke")
        }
        if endpoint.status == .ready, endpoint.liveVersion == version { return .serves }
        if let newer = newer(endpoint.targetVersion) ?? newer(endpoint.liveVersion) { return .servesNewer(newer) }
        do {
            try await context.waiter.endpointReady(runtimeId: id, name: name, version: version)
            return .serves
        } catch let error as WaiterError {
            if let moved = try await context.agentCore.findEndpoint(runtimeId: id, name: name),
               let newer = newer(moved.targetVersion) ?? newer(moved.liveVersion) {
                return .servesNewer(newer)
            }
            return .cannotServe(reason: "the \(name) endpoint did not come to serve version \(version): \(error.problem)")
        }
    }
}

/// What a deploy's smoke test found about the version it deployed.
public struct SmokeTestOutcome: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        /// Invoked now.
        case tested(SmokeTestResult)
        /// It passed in an earlier run and has not changed since, so it was not invoked again.
        case passedBefore(SmokeTestResult)
        /// `DEFAULT` already serves a newer version, which the run that deployed it tests; this
        /// one is not tested (and so cannot be promoted).
        case superseded(newerVersion: String)
    }

    public var version: String
    public var verdict: Verdict

    /// The result to show, nil when nothing was tested.
    public var result: SmokeTestResult? {
        switch verdict {
        case .tested(let result), .passedBefore(let result): result
        case .superseded: nil
        }
    }

    public var passed: Bool { result?.passed == true }
    /// Tested now and failed: the job fails.
    public var failed: Bool { result.map { !$0.passed } ?? false }

    /// A section for the sticky comment and the deployment issue.
    public var markdown: String {
        switch verdict {
        case .tested(let result):
            return result.markdown
        case .passedBefore(let result):
            return result.markdown + "\n\nNot repeated: version \(version) passed this test in an earlier run, and it has not changed since."
        case .superseded(let newer):
            return "#### Smoke test: not run\n\nVersion \(version) was not tested: the `DEFAULT` endpoint already serves "
                + "version \(newer), which a newer run deployed and tests."
        }
    }

    public var statusDescription: String {
        switch verdict {
        case .tested(let result): result.statusDescription
        case .passedBefore(let result):
            GitHubCommitStatus.fittedDescription("Unchanged version \(version) passed before: \(result.statusDescription)")
        case .superseded(let newer): GitHubCommitStatus.fittedDescription("Not run: DEFAULT serves the newer version \(newer)")
        }
    }

    /// One line for the log.
    public var summary: String {
        switch verdict {
        case .tested(let result): result.summary
        case .passedBefore(let result): "version \(version) passed before and has not changed: \(result.summary)"
        case .superseded(let newer): "smoke test not run: DEFAULT serves version \(newer), newer than version \(version)"
        }
    }
}
