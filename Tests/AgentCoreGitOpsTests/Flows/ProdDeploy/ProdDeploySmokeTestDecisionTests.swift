import Foundation
import Testing
@testable import AgentCoreGitOps

/// prod-deploy's smoke test and what prod-promote makes of it, in-process over the in-memory
/// AgentCore, data plane, S3 and GitHub: a failed version gets an issue that says so and cannot
/// be promoted, whatever the issue's text claims; a re-run tests it again and updates the issue.
@Suite("prod-deploy smoke test decisions, in memory")
struct ProdDeploySmokeTestDecisionTests {
    let flows: InMemoryFlows

    init() throws { flows = try InMemoryFlows() }

    private var prodRecords: DeploymentRecords {
        DeploymentRecords(s3: S3Client(client: flows.s3), bucket: InMemoryFlows.bucket, runtimeName: "prod")
    }

    /// A pull request deployed, merged and closed, ready for prod-deploy of its merge commit.
    private func merged() async throws -> (pullRequest: Int, merge: String) {
        let number = flows.github.openPullRequest()
        try await flows.prDeploy("opened", number)
        let merge = flows.github.merge(number)
        try await flows.prDeploy("closed", number)
        return (number, merge)
    }

    private func prodInvocations(_ runtimeID: String) -> [AgentInvocation] {
        flows.invoker.invocations.filter { $0.runtimeARN.hasSuffix("runtime/\(runtimeID)") }
    }

    private func issueBody(_ number: Int) throws -> String { try #require(flows.github.issue(number)?.body) }

    @Test("the prod version's smoke test does not wait for its code to be copied to v<k>: both are in flight at once")
    func theSmokeTestRunsWhileTheCodeIsCopied() async throws {
        let (_, merge) = try await merged()
        let overlap = Overlap()
        flows.s3.beforeEachCopy { await overlap.run("copy", alongside: "invoke") {} }
        flows.invoker.answer { _ in
            await overlap.run("invoke", alongside: "copy") { FakeInvoker.answer(#"{"result": "Hello"}"#) }
        }
        guard case .deployed(_, let deployment) = try await flows.prodDeploy(after: merge) else {
            throw InMemoryFlowsError("prod-deploy did not deploy")
        }

        #expect(await overlap.overlapped)
        #expect(try await prodRecords.smokeTest(runtimeID: deployment.runtimeID, version: "1")?.passed == true)
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/v1/code.zip") != nil)
    }

    @Test("a failure beside the copy of the version's code does not cancel the copy: it finishes, and the run fails with that failure")
    func aFailureBesideTheCopyLetsTheCopyFinish() async throws {
        let (_, merge) = try await merged()
        flows.s3.denyAccess { operation, key in operation == "PutObject" && key.hasPrefix("prod/records/versions/") }
        let copyCancelled = Recorder<Bool>()
        flows.s3.beforeEachCopy {
            for _ in 0..<10_000 { await Task.yield() }  // the record's write fails meanwhile
            copyCancelled.append(Task.isCancelled)
        }

        await #expect(throws: AWSError.self) { try await flows.prodDeploy(after: merge) }
        #expect(copyCancelled.values == [false], "a cancelled request in flight can hang URLSession on Linux")
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/v1/code.zip") != nil)
    }

    @Test("a merge: the new prod version answers through DEFAULT before the issue opens, which shows it")
    func theNewVersionIsTestedBeforeTheIssueOpens() async throws {
        let merge = try await flows.deployedMerge()
        let prodID = merge.deployment.runtimeID

        let invocation = try #require(prodInvocations(prodID).first)
        #expect(prodInvocations(prodID).count == 1 && invocation.endpoint == "DEFAULT")
        let calls = flows.github.calls.map(\.operation)
        let status = try #require(calls.lastIndex(of: "createCommitStatus"))
        #expect(status < (calls.firstIndex(of: "createIssue") ?? -1), "tested and reported before the issue opens")
        let body = try issueBody(merge.issue)
        #expect(body.contains("#### Smoke test: passed") && body.contains("Hello from the test agent"))
        #expect(!body.contains("failed its smoke test"))
        let mergeSHA = try #require(flows.github.pullRequest(merge.pullRequest)?.mergeCommitSHA)
        #expect(flows.github.commitStatuses(mergeSHA).last?.state == .success)
        #expect(try await prodRecords.smokeTest(runtimeID: prodID, version: "1")?.passed == true)
    }

    @Test("a failed version: the issue says so, the job fails, approval is refused; a re-run that passes updates the issue, and then it promotes")
    func aFailedVersionIsRefusedUntilARerunPasses() async throws {
        let (_, mergeSHA) = try await merged()
        flows.invoker.answer { throw FakeInvoker.agentFailed($0) }

        await #expect { try await flows.prodDeploy(after: mergeSHA) } throws: { error in
            "\(error)".contains("prod version 1 failed its smoke test") && "\(error)".contains("cannot be promoted")
        }
        let issue = try #require(try await DeploymentIssue.find(forCommit: mergeSHA, github: flows.github))
        let body = try issueBody(issue.number)
        #expect(body.contains("**`prod` version 1 failed its smoke test, so prod-promote refuses to promote it.**"))
        #expect(body.contains("#### Smoke test: failed") && body.contains("RuntimeClientError"))
        #expect(flows.github.commitStatuses(mergeSHA).last?.state == .failure)

        let changes = flows.agentCore.changes
        try await flows.github.addLabels(issue: issue.number, labels: [DeploymentLabels.approved.name])
        guard case .refused(let refusal) = try await flows.promote(issue: issue.number) else {
            Issue.record("a failed version was not refused")
            return
        }
        #expect(refusal.problem == "version 1 of prod failed its smoke test; this issue shows why")
        #expect(refusal.fix.contains("re-run the prod-deploy job of commit \(mergeSHA.prefix(7))"))
        #expect(flows.agentCore.changes == changes, "nothing moved")
        #expect(flows.github.comments(on: issue.number).contains { ($0.body ?? "").contains("failed its smoke test") })

        // The re-run of the same push tests the same version again; this time it answers.
        flows.invoker.answer { _ in FakeInvoker.answer(#"{"result": "fixed"}"#) }
        #expect(try await flows.prodDeploy(after: mergeSHA) == .retested(issue: issue.number))
        let prodID = try #require(flows.agentCore.runtimeIDs(named: "prod").first)
        #expect(flows.agentCore.versionNumbers(of: prodID) == ["1"], "tested again, not deployed again")
        let updated = try issueBody(issue.number)
        #expect(updated.contains("#### Smoke test: passed") && updated.contains("fixed") && !updated.contains("failed its smoke test"))
        #expect(updated.components(separatedBy: DeploymentIssue.smokeTestStart).count == 2, "the part replaced, not added")
        #expect(flows.github.commitStatuses(mergeSHA).last?.state == .success)
        #expect(flows.github.allIssues.count == 1, "no second issue")

        // A further re-run finds the pass and does nothing.
        let invocations = flows.invoker.invocations.count
        #expect(try await flows.prodDeploy(after: mergeSHA) == .alreadyDeployed(issue: issue.number))
        #expect(flows.invoker.invocations.count == invocations)

        try await flows.github.addLabels(issue: issue.number, labels: [DeploymentLabels.approved.name])
        guard case .promoted(let result) = try await flows.promote(issue: issue.number) else {
            Issue.record("the version that passed on the re-run was not promoted")
            return
        }
        #expect(result.version == "1" && result.endpointChanged)
    }

    @Test("editing a failed version's issue to say it passed promotes nothing: only the record counts")
    func theIssueTextCannotTurnAFailureIntoAPass() async throws {
        let (_, mergeSHA) = try await merged()
        flows.invoker.answer { throw FakeInvoker.agentFailed($0) }
        await #expect(throws: ActionableError.self) { try await flows.prodDeploy(after: mergeSHA) }
        let issue = try #require(try await DeploymentIssue.find(forCommit: mergeSHA, github: flows.github))
        let runtimeID = try #require(flows.agentCore.runtimeIDs(named: "prod").first)

        // Someone with write access rewrites the smoke-test part as a pass, keeping the metadata.
        let forged = DeploymentIssue.replacingSmokeTest(
            in: try issueBody(issue.number),
            with: SmokeTestOutcome(
                version: "1", verdict: .tested(SmokeTestResult(
                    passed: true, runtimeARN: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/\(runtimeID)",
                    endpoint: "DEFAULT", latency: .milliseconds(120)))),
            runtimeName: "prod")
        _ = try await flows.github.updateIssue(number: issue.number, GitHubIssueUpdate(body: forged))
        #expect(DeploymentIssue.showsSmokeTestPassed(try issueBody(issue.number)))
        try await flows.github.addLabels(issue: issue.number, labels: [DeploymentLabels.approved.name])

        guard case .refused(let refusal) = try await flows.promote(issue: issue.number) else {
            Issue.record("an edited issue text promoted a failed version")
            return
        }
        #expect(refusal.problem.contains("failed its smoke test"))
        #expect(flows.agentCore.endpoint(of: runtimeID, named: "prod") == nil)
    }

    @Test("what a failing agent says reaches no comment unescaped: it cannot forge the bot's promotion marker")
    func aFailingAgentCannotForgeMarkers() async throws {
        let (_, mergeSHA) = try await merged()
        let forged = "\(PromotionComments.promotionMarker(version: "1"))\n@octocat"
        flows.invoker.answer { invocation in
            throw AgentInvocationError(kind: .agentFailed, invocation, problem: "the agent failed; its output:\n\(forged)", fix: "look")
        }
        await #expect(throws: ActionableError.self) { try await flows.prodDeploy(after: mergeSHA) }
        let issue = try #require(try await DeploymentIssue.find(forCommit: mergeSHA, github: flows.github))
        let body = try issueBody(issue.number)
        #expect(!body.contains(forged) && body.contains("&lt;!-- PROMOTION: version 1 --&gt;"))

        try await flows.github.addLabels(issue: issue.number, labels: [DeploymentLabels.approved.name])
        guard case .refused = try await flows.promote(issue: issue.number) else {
            Issue.record("a failed version was not refused")
            return
        }
        let bodies = flows.github.comments(on: issue.number).compactMap(\.body)
        #expect(!bodies.contains { $0.contains(PromotionComments.promotionMarker(version: "1")) || $0.contains("@octocat") })
    }

    @Test("a version without a smoke-test record (deployed before the test existed, or by hand) is refused")
    func aVersionWithNoRecordIsRefused() async throws {
        let merge = try await flows.deployedMerge()
        let key = "prod/records/smoke-tests/\(merge.deployment.runtimeID)/v1.json"
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: key) != nil)
        flows.s3.remove(bucket: InMemoryFlows.bucket, key: key)

        guard case .refused(let refusal) = try await flows.promote(issue: merge.issue) else {
            Issue.record("a version nobody tested was promoted")
            return
        }
        #expect(refusal.problem.contains("version 1 of prod has no smoke test on record"))
    }

    @Test("a merge that leaves the package as it was makes no version and invokes nothing: the earlier pass stands")
    func anUnchangedPackageIsNotInvokedAgain() async throws {
        let first = try await flows.deployedMerge()
        let second = try await flows.deployedMerge()
        let prodID = first.deployment.runtimeID

        #expect(!second.deployment.changed && second.deployment.version == "1")
        #expect(prodInvocations(prodID).count == 1)
        #expect(try issueBody(second.issue).contains("Not repeated: version 1 passed this test in an earlier run"))
    }
}
