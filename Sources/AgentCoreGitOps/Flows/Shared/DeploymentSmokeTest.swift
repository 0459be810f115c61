import Foundation

/// The smoke test a deploy flow runs on the version it deployed, through the `DEFAULT` endpoint
/// once that serves the version. The result is recorded in the deploy bucket (which decides
/// whether the version may be promoted) and reported as the commit status
/// `agentcore/smoke-test` of the deployed commit. A version that passed before (the package did
/// not change, or this is a re-run) is not invoked again: its recorded pass stands.
struct DeploymentSmokeTest: Sendable {
    let context: FlowContext
    let settings: SmokeTestSettings
    let records: SmokeTestRecords

    init(context: FlowContext, settings: SmokeTestSettings?, runtimeName: String) {
        self.context = context
        self.settings = settings ?? .minimal
        records = SmokeTestRecords(s3: context.s3, bucket: context.settings.bucket, runtimeName: runtimeName)
    }

    /// Tests `runtime` (at the deployed version) unless it passed before, records what it found
    /// and reports it on `commitSHA`.
    func run(_ runtime: AgentRuntime, commitSHA: String) async throws -> SmokeTestOutcome {
        let version = runtime.agentRuntimeVersion
        return try await context.reporter.group("Smoke test of \(runtime.agentRuntimeName) version \(version)") {
            let outcome: SmokeTestOutcome
            if let earlier = try await records.forVersion(runtimeID: runtime.agentRuntimeId, version: version), earlier.passed {
                context.reporter.info("version \(version) passed at \(earlier.testedAt) and has not changed since: not invoked again")
                outcome = SmokeTestOutcome(
                    version: version, result: earlier.result(runtimeARN: runtime.agentRuntimeArn), fromEarlierRun: true)
            } else {
                let result = try await test(runtime)
                try await records.record(SmokeTestRecord(
                    result, runtimeName: runtime.agentRuntimeName, version: version, commitSHA: commitSHA, testedAt: Date()))
                outcome = SmokeTestOutcome(version: version, result: result, fromEarlierRun: false)
            }
            try await context.github.createCommitStatus(
                sha: commitSHA, state: outcome.result.commitState, context: SmokeTest.statusContext,
                description: outcome.statusDescription, targetURL: WorkflowRunLink.url(environment: context.environment))
            if outcome.passed {
                context.reporter.info(outcome.result.summary)
            } else {
                context.reporter.warning(outcome.result.summary, title: "Smoke test failed")
            }
            return outcome
        }
    }

    /// Invokes the version through `DEFAULT`, which AgentCore moves to each new version; a
    /// `DEFAULT` that serves another version fails the test instead of testing the wrong code.
    private func test(_ runtime: AgentRuntime) async throws -> SmokeTestResult {
        let endpoint = AgentRuntimeEndpoint.defaultName
        if let reason = try await reasonDefaultCannotServe(runtime) {
            return SmokeTestResult(
                passed: false, runtimeARN: runtime.agentRuntimeArn, endpoint: endpoint, latency: .zero, reason: reason,
                expectation: settings.expect, timeoutSeconds: settings.timeoutSeconds)
        }
        context.reporter.info("invoking \(runtime.agentRuntimeName) version \(runtime.agentRuntimeVersion) through \(endpoint)")
        return await SmokeTest(settings: settings, redactor: SecretRedactor(environment: context.environment))
            .run(invoker: context.invoker, runtimeARN: runtime.agentRuntimeArn, endpoint: endpoint, clock: context.invocationClock)
    }

    /// Nil once `DEFAULT` serves the version (waiting while it moves there); else why not.
    private func reasonDefaultCannotServe(_ runtime: AgentRuntime) async throws -> String? {
        let (id, version, name) = (runtime.agentRuntimeId, runtime.agentRuntimeVersion, AgentRuntimeEndpoint.defaultName)
        guard let endpoint = try await context.agentCore.findEndpoint(runtimeId: id, name: name) else {
            return "\(runtime.agentRuntimeName) has no \(name) endpoint to invoke"
        }
        if endpoint.status == .ready, endpoint.liveVersion == version { return nil }
        if let live = endpoint.liveVersion, let liveNumber = Int(live), let number = Int(version), liveNumber > number {
            return "the \(name) endpoint serves version \(live), not version \(version): a newer deploy moved it, "
                + "so version \(version) can no longer be tested through it"
        }
        do {
            try await context.waiter.endpointReady(runtimeId: id, name: name, version: version)
            return nil
        } catch let error as WaiterError {
            return "the \(name) endpoint did not come to serve version \(version): \(error.problem)"
        }
    }
}

/// A deploy's smoke test: run now, or the recorded pass of an unchanged version.
public struct SmokeTestOutcome: Sendable, Equatable {
    public var version: String
    public var result: SmokeTestResult
    /// The version passed in an earlier run and has not changed since, so it was not invoked again.
    public var fromEarlierRun: Bool

    public var passed: Bool { result.passed }

    /// A section for the sticky comment and the deployment issue.
    public var markdown: String {
        result.markdown + (fromEarlierRun
            ? "\n\nNot repeated: version \(version) passed this test in an earlier run, and it has not changed since."
            : "")
    }

    public var statusDescription: String {
        fromEarlierRun
            ? GitHubCommitStatus.fittedDescription("Unchanged version \(version) passed before: \(result.statusDescription)")
            : result.statusDescription
    }
}
