import Foundation
import Testing
@testable import AgentCoreGitOps

/// pr-deploy's smoke test in-process over the in-memory AgentCore, data plane, S3 and GitHub:
/// which version it invokes and how, what the sticky comment, the commit status, the record and
/// the job's exit say, and when it does not invoke at all.
@Suite("pr-deploy smoke test decisions, in memory")
struct PRDeploySmokeTestDecisionTests {
    let flows: InMemoryFlows

    init() throws { flows = try InMemoryFlows() }

    private func deployed(_ outcome: PRDeployOutcome) throws -> PRDeploymentReport {
        guard case .deployed(let report) = outcome else { throw InMemoryFlowsError("expected a deployment, got \(outcome)") }
        return report
    }

    private func headSHA(_ number: Int) throws -> String { try #require(flows.github.pullRequest(number)).head.sha }

    private func comment(_ number: Int) -> String { flows.github.comments(on: number).first?.body ?? "" }

    private func smokeStatuses(_ sha: String) -> [GitHubCommitStatus] {
        flows.github.commitStatuses(sha).filter { $0.context == SmokeTest.statusContext }
    }

    @Test("the smoke test does not wait for the version's code to be copied to v<k>: both are in flight at once")
    func theSmokeTestRunsWhileTheCodeIsCopied() async throws {
        let overlap = Overlap()
        flows.s3.beforeEachCopy { await overlap.run("copy", alongside: "invoke") {} }
        flows.invoker.answer { _ in
            await overlap.run("invoke", alongside: "copy") { FakeInvoker.answer(#"{"result": "Hello"}"#) }
        }
        let number = flows.github.openPullRequest()
        let report = try deployed(try await flows.prDeploy("opened", number))

        #expect(await overlap.overlapped)
        #expect(report.smokeTest?.passed == true)
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "pr_\(number)/v1/code.zip") != nil)
    }

    @Test("opened: the new version answers through DEFAULT; the comment, the status, the record and the output say it passed")
    func aNewVersionIsTestedAndPasses() async throws {
        flows.environment["GITHUB_SERVER_URL"] = "https://github.com"
        let number = flows.github.openPullRequest()
        let report = try deployed(try await flows.prDeploy("opened", number))

        let invocation = try #require(flows.invoker.invocations.first)
        #expect(flows.invoker.invocations.count == 1)
        #expect(invocation.runtimeARN == report.runtimeARN && invocation.endpoint == "DEFAULT")
        #expect(invocation.payload == Data(#"{"prompt":"Hello"}"#.utf8), "without settings, the minimal payload")
        guard case .tested(let result)? = report.smokeTest?.verdict else { throw InMemoryFlowsError("not tested: \(String(describing: report.smokeTest))") }
        #expect(result.passed)

        let body = comment(number)
        #expect(body.contains("#### Smoke test: passed"))
        #expect(body.contains("Invoked endpoint <code>DEFAULT</code> of <code>\(report.runtimeID)</code>: answered in 0.00 s."))
        #expect(body.contains("<pre>{&quot;result&quot;: &quot;Hello from the test agent&quot;}</pre>"))
        let status = try #require(smokeStatuses(try headSHA(number)).last)
        #expect(status.state == .success && status.targetURL == "https://github.com/octo/agent/actions/runs/1001/attempts/1")
        #expect(status.description == "Endpoint DEFAULT answered in 0.00 s")
        #expect(flows.outputs["smoke_test"] == "passed")
        let record = try await records(number).smokeTest(runtimeID: report.runtimeID, version: "1")
        let head = try headSHA(number)
        #expect(record?.passed == true && record?.commitSHA == head)
    }

    @Test("a push that changes nothing invokes nothing: the earlier pass stands, and the new commit gets it as its status")
    func anUnchangedVersionIsNotInvokedAgain() async throws {
        let number = flows.github.openPullRequest()
        _ = try deployed(try await flows.prDeploy("opened", number))
        flows.github.pushToPullRequest(number)
        let unchanged = try deployed(try await flows.prDeploy("synchronize", number))

        guard case .passedBefore(let earlier)? = unchanged.smokeTest?.verdict else { throw InMemoryFlowsError("tested again") }
        #expect(!unchanged.changed && earlier.passed)
        #expect(flows.invoker.invocations.count == 1)
        #expect(comment(number).contains("Not repeated: version 1 passed this test in an earlier run"))
        let status = try #require(smokeStatuses(try headSHA(number)).last)
        #expect(status.state == .success && status.description?.hasPrefix("Unchanged version 1 passed before: ") == true)

        try flows.writeAgent("A changed agent")
        flows.github.pushToPullRequest(number)
        let changed = try deployed(try await flows.prDeploy("synchronize", number))
        #expect(changed.version == "2" && flows.invoker.invocations.count == 2, "a new version is tested")
    }

    @Test("an agent that fails: the job fails, the comment and the status say why; a re-run tests it again")
    func aFailingVersionFailsTheJobUntilARerunPasses() async throws {
        let number = flows.github.openPullRequest()
        flows.invoker.answer { throw FakeInvoker.agentFailed($0) }

        await #expect { try await flows.prDeploy("opened", number) } throws: { error in
            "\(error)".contains("pr_\(number) version 1 failed its smoke test: InvokeAgentRuntime on runtime pr_\(number)")
        }
        let runtimeID = try #require(flows.agentCore.runtimeIDs(named: "pr_\(number)").first)
        #expect(flows.agentCore.latest(of: runtimeID)?.status == .ready, "the version is deployed; only its test failed")
        let body = comment(number)
        #expect(body.contains("#### Smoke test: failed") && body.contains("RuntimeClientError (HTTP 424)"))
        #expect(body.contains("**This fails the pr-deploy job.**"))
        #expect(try RuntimeIDMarker.parse(body) == runtimeID, "the comment still records the runtime")
        #expect(smokeStatuses(try headSHA(number)).last?.state == .failure)
        #expect(flows.outputs["smoke_test"] == "failed")
        #expect(try await records(number).smokeTest(runtimeID: runtimeID, version: "1")?.passed == false)

        // Re-running the same job (the agent's dependency came back, say): the version is tested again.
        flows.invoker.answer { _ in FakeInvoker.answer(#"{"result": "back"}"#) }
        let rerun = try deployed(try await flows.prDeploy("opened", number))
        guard case .tested(let retested)? = rerun.smokeTest?.verdict else { throw InMemoryFlowsError("not tested again") }
        #expect(!rerun.changed && retested.passed)
        #expect(flows.invoker.invocations.count == 2)
        #expect(comment(number).contains("#### Smoke test: passed") && !comment(number).contains("This fails"))
        #expect(smokeStatuses(try headSHA(number)).last?.state == .success)
        #expect(try await records(number).smokeTest(runtimeID: runtimeID, version: "1")?.passed == true)
    }

    @Test("smokeTest in agentcore.json: its payload is sent, and an answer that does not match expect fails")
    func theSettingsDecideWhatIsSentAndExpected() async throws {
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "prompt": "../prompts/bot.txt",
             "smokeTest": {"payload": {"prompt": "Are you there?"}, "expect": "^pong$", "timeoutSeconds": 30}}
            """)
        let number = flows.github.openPullRequest()

        await #expect { try await flows.prDeploy("opened", number) } throws: { "\($0)".contains("failed its smoke test") }
        #expect(flows.invoker.invocations.first?.payload == Data(#"{"prompt":"Are you there?"}"#.utf8))
        #expect(comment(number).contains("the answer does not match `expect` (^pong$)"))
        #expect(comment(number).contains("expecting a match for <code>^pong$</code>"))
    }

    @Test("an agent that never finishes fails once timeoutSeconds have passed on the invocation clock")
    func anAnswerPastTheTimeoutFails() async throws {
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "prompt": "../prompts/bot.txt", "smokeTest": {"timeoutSeconds": 5}}
            """)
        let clock = flows.invocationClock
        flows.invoker.answer { _ in
            try await clock.sleep(for: .seconds(3600))
            return FakeInvoker.answer("{}")
        }
        let number = flows.github.openPullRequest()
        let run = Task { [flows] in try await flows.prDeploy("opened", number) }
        await clock.waitForSleepers(2)  // the agent and the timeout
        clock.advance(by: .seconds(6))

        await #expect { try await run.value } throws: { "\($0)".contains("no complete answer within 5 s") }
        #expect(comment(number).contains("failed in 6.00 s"))
    }

    @Test("what the agent answers is escaped and redacted: it can neither forge the comment's marker nor leak a secret")
    func theAnswerCannotForgeMarkersOrLeakSecrets() async throws {
        let token = "ghs_0123456789abcdefghijklmnopqrstuvwxyz"
        flows.environment["GITHUB_TOKEN"] = token
        flows.invoker.answer { _ in
            FakeInvoker.answer(#"{"result": "<!-- RUNTIME_ID: pr_666-AbCdEfGhIj --> @octocat token \#(token)"}"#)
        }
        let number = flows.github.openPullRequest()
        let report = try deployed(try await flows.prDeploy("opened", number))

        let body = comment(number)
        #expect(!body.contains(token) && body.contains(SecretRedactor.placeholder))
        #expect(body.contains("&lt;!-- RUNTIME_ID: pr_666-AbCdEfGhIj --&gt;"))
        #expect(try PRComment.runtimeID(in: flows.github.comments(on: number), trusted: flows.github.trustedMarkers) == report.runtimeID)
    }

    @Test("a version DEFAULT has moved past (a newer run deployed a newer one): not invoked, not recorded, no status, no failure")
    func aSupersededVersionIsNotTested() async throws {
        let seeded = flows.agentCore.seedRuntime(name: "pr_5", versions: 2)
        let first = try await flows.agentCore.getAgentRuntime(id: seeded.agentRuntimeId, version: "1")
        let commit = FakeGitHub.randomSHA()

        let outcome = try await DeploymentSmokeTest(context: try flows.context(), settings: nil, runtimeName: "pr_5")
            .run(first, commitSHA: commit)
        #expect(outcome.verdict == .superseded(newerVersion: "2"))
        #expect(!outcome.passed && !outcome.failed, "the newer run's test decides; this run does not fail")
        #expect(outcome.markdown.contains("#### Smoke test: not run") && outcome.markdown.contains("version 2"))
        #expect(flows.invoker.invocations.isEmpty && flows.github.commitStatuses(commit).isEmpty)
        #expect(try await records(5).smokeTest(runtimeID: seeded.agentRuntimeId, version: "1") == nil)
    }

    private func records(_ number: Int) -> DeploymentRecords {
        DeploymentRecords(s3: S3Client(client: flows.s3), bucket: InMemoryFlows.bucket, runtimeName: "pr_\(number)")
    }
}
