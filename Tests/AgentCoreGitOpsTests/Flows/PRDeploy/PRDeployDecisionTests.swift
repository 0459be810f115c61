import Foundation
import Testing
@testable import AgentCoreGitOps

/// pr-deploy's decisions in-process over the in-memory AgentCore, S3 and GitHub: what it
/// creates, updates, deletes and leaves, and which calls it makes. The end-to-end tests over the
/// sandbox (PRDeploySandboxTests) run the executable itself.
@Suite("pr-deploy decisions, in memory")
struct PRDeployDecisionTests {
    let flows: InMemoryFlows

    init() throws { flows = try InMemoryFlows() }

    private func deployed(_ outcome: PRDeployOutcome) throws -> PRDeploymentReport {
        guard case .deployed(let report) = outcome else { throw InMemoryFlowsError("expected a deployment, got \(outcome)") }
        return report
    }

    @Test("opened: pr_<n> version 1, READY, its package and v1 copy stored, one sticky comment")
    func openedDeploysVersionOne() async throws {
        let number = flows.github.openPullRequest()
        let report = try deployed(try await flows.prDeploy("opened", number))

        #expect(report.version == "1" && report.changed)
        #expect(flows.agentCore.runtimeIDs(named: "pr_\(number)") == [report.runtimeID])
        let runtime = try #require(flows.agentCore.latest(of: report.runtimeID))
        #expect(runtime.status == .ready)
        #expect(try await flows.context().owningRepository.deletablePullRequest(
            name: runtime.agentRuntimeName, description: runtime.description) == number)
        #expect(RuntimeOwnership.owner(fromDescription: runtime.description)?.repositoryID == flows.github.id)
        #expect(runtime.environmentVariables == ["LOG_LEVEL": "DEBUG"])

        let package = try #require(flows.s3.object(bucket: InMemoryFlows.bucket, key: "pr_\(number)/packages/\(report.packageSHA256).zip"))
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "pr_\(number)/v1/code.zip")?.checksum == package.checksum)

        let comments = flows.github.comments(on: number)
        #expect(comments.count == 1)
        #expect(comments.first?.user?.login == flows.github.botLogin)
        #expect(try RuntimeIDMarker.parse(comments.first?.body ?? "") == report.runtimeID)

        #expect(flows.agentCore.calls("CreateAgentRuntime").count == 1)
        #expect(flows.agentCore.calls("UpdateAgentRuntime").isEmpty)
        // The version was CREATING at the first look: the wait polled again on the test clock.
        #expect(flows.clock.sleeps == [.seconds(1)])
        #expect(flows.outputs["runtime_version"] == "1" && flows.outputs["changed"] == "true")
    }

    @Test("a push that changes nothing makes no version; a changed agent makes version 2, which DEFAULT serves")
    func onlyChangesMakeVersions() async throws {
        let number = flows.github.openPullRequest()
        let first = try deployed(try await flows.prDeploy("opened", number))
        let uploads = flows.s3.calls("PutObject").count

        flows.github.pushToPullRequest(number)
        let unchanged = try deployed(try await flows.prDeploy("synchronize", number))
        #expect(!unchanged.changed && unchanged.version == "1" && unchanged.runtimeID == first.runtimeID)
        #expect(flows.agentCore.calls("UpdateAgentRuntime").isEmpty)
        #expect(flows.agentCore.versionNumbers(of: first.runtimeID) == ["1"])
        #expect(flows.s3.calls("PutObject").count == uploads, "the package is not uploaded again")
        #expect(flows.github.comments(on: number).count == 1)
        #expect(flows.github.comments(on: number).first?.body?.contains("no new version") == true)

        try flows.writeAgent("Hello again, changed")
        flows.github.pushToPullRequest(number)
        let changed = try deployed(try await flows.prDeploy("synchronize", number))
        #expect(changed.changed && changed.version == "2" && changed.runtimeID == first.runtimeID)
        #expect(flows.agentCore.calls("UpdateAgentRuntime").count == 1)
        #expect(flows.agentCore.endpoint(of: first.runtimeID, named: "DEFAULT")?.liveVersion == "2")
        #expect(flows.s3.object(bucket: InMemoryFlows.bucket, key: "pr_\(number)/v2/code.zip") != nil)
        #expect(flows.github.comments(on: number).count == 1)
    }

    @Test("closed without merging: deletes that pull request's runtime and nothing else")
    func closeDeletesOnlyItsOwnRuntime() async throws {
        let closing = flows.github.openPullRequest()
        let staying = flows.github.openPullRequest()
        let closingID = try deployed(try await flows.prDeploy("opened", closing)).runtimeID
        let stayingID = try deployed(try await flows.prDeploy("opened", staying)).runtimeID
        let foreign = flows.agentCore.seedRuntime(name: "pr_99", description: "made by hand")

        flows.github.close(closing)
        #expect(try await flows.prDeploy("closed", closing) == .deleted(runtimeID: closingID))

        #expect(!flows.agentCore.exists(closingID))
        #expect(flows.agentCore.exists(stayingID) && flows.agentCore.exists(foreign.agentRuntimeId))
        #expect(flows.agentCore.calls("DeleteAgentRuntime").map(\.target) == [closingID])
        #expect(flows.github.comments(on: closing).first?.body?.contains("deleted") == true)
    }

    @Test("closed without merging, when pr_<n> is someone else's: left alone and said so")
    func aForeignRuntimeOfTheSameNameIsLeftAlone() async throws {
        let number = flows.github.openPullRequest()
        let foreign = flows.agentCore.seedRuntime(name: "pr_\(number)", description: "made by hand")

        flows.github.close(number)
        #expect(try await flows.prDeploy("closed", number) == .leftForeignRuntime(runtimeID: foreign.agentRuntimeId))
        #expect(flows.agentCore.exists(foreign.agentRuntimeId))
        #expect(flows.agentCore.calls("DeleteAgentRuntime").isEmpty)
    }

    @Test("merged: the runtime stays for the promotion, and the comment says so")
    func mergedKeepsTheRuntime() async throws {
        let number = flows.github.openPullRequest()
        let id = try deployed(try await flows.prDeploy("opened", number)).runtimeID

        flows.github.merge(number)
        #expect(try await flows.prDeploy("closed", number) == .keptForPromotion(runtimeID: id))
        #expect(flows.agentCore.exists(id))
        #expect(flows.agentCore.calls("DeleteAgentRuntime").isEmpty)
        #expect(flows.github.comments(on: number).count == 1)
    }

    @Test("a fork's pull request: skipped before any setting is read or any call is made")
    func forksAreSkipped() async throws {
        let number = flows.github.openPullRequest(fork: true)
        let event = try flows.pullRequestEvent("opened", number)
        #expect(event.isFromFork)
        let payload = try JSONSerialization.data(withJSONObject: [
            "action": "opened", "number": number,
            "pull_request": try JSONSerialization.jsonObject(with: try JSONEncoder().encode(try #require(flows.github.pullRequest(number)))),
            "repository": ["full_name": "octo/agent", "default_branch": "main"], "sender": ["login": "stranger"],
        ])
        let eventFile = try flows.checkout.data("event.json", payload)
        let log = Recorder<String>()
        // No AWS or GitHub settings at all: reading any of them would fail the run.
        let outcome = try await PRDeployFlow.run(
            environment: ["GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": eventFile.path],
            reporter: ActionsReporter(environment: [:], write: { log.append($0) }))

        #expect(outcome == .skippedFork)
        #expect(log.values.contains { $0.contains("comes from a fork") })
        #expect(flows.agentCore.calls.isEmpty && flows.github.calls.isEmpty && flows.s3.calls.isEmpty)
    }

    @Test("AWS refusing the create: the run fails with AWS's error, and the comment says the deploy failed")
    func aRefusedCreateFailsAndSaysSo() async throws {
        let number = flows.github.openPullRequest()
        flows.agentCore.failNext("CreateAgentRuntime", with: FakeAgentCore.error(
            "AccessDeniedException", 403, "CreateAgentRuntime", "not allowed to create runtimes"))

        await #expect { try await flows.prDeploy("opened", number) } throws: { ($0 as? AWSError)?.code == "AccessDeniedException" }
        #expect(flows.agentCore.runtimeIDs(named: "pr_\(number)").isEmpty)
        let comments = flows.github.comments(on: number)
        #expect(comments.count == 1)
        #expect(comments.first?.body?.contains(": deploy failed") == true)
        #expect(try RuntimeIDMarker.parse(comments.first?.body ?? "") == nil, "no runtime to name")
    }

    @Test("a version that fails to start: the run fails saying where to look, the comment keeps the runtime")
    func aFailedVersionFailsTheRun() async throws {
        let number = flows.github.openPullRequest()
        let first = try deployed(try await flows.prDeploy("opened", number))
        try flows.writeAgent("This one crashes")
        flows.agentCore.failNextVersion(reason: "agent.py raised at import")

        await #expect { try await flows.prDeploy("synchronize", number) } throws: { error in
            "\(error)".contains("agent.py raised at import") && "\(error)".contains("CloudWatch")
        }
        #expect(flows.agentCore.latest(of: first.runtimeID)?.status == .updateFailed)
        let body = flows.github.comments(on: number).first?.body ?? ""
        #expect(body.contains(": deploy failed"))
        #expect(try RuntimeIDMarker.parse(body) == first.runtimeID)
    }

    @Test("an action pr-deploy has no business with (labeled) touches nothing")
    func otherActionsAreIgnored() async throws {
        let number = flows.github.openPullRequest()
        #expect(try await flows.prDeploy("labeled", number) == .ignoredAction("labeled"))
        #expect(flows.agentCore.calls.isEmpty && flows.github.calls.isEmpty && flows.s3.calls.isEmpty)
    }

    @Test("reopened after its runtime was deleted: a new runtime, not the deleted one")
    func reopeningDeploysAfresh() async throws {
        let number = flows.github.openPullRequest()
        let first = try deployed(try await flows.prDeploy("opened", number))
        flows.github.close(number)
        try await flows.prDeploy("closed", number)
        #expect(!flows.agentCore.exists(first.runtimeID))

        flows.environment["GITHUB_RUN_ID"] = "1002"  // the reopen is another workflow run
        let reopened = try deployed(try await flows.prDeploy("reopened", number))
        #expect(reopened.runtimeID != first.runtimeID && reopened.version == "1")
        #expect(flows.agentCore.runtimeIDs(named: "pr_\(number)") == [reopened.runtimeID])
        #expect(flows.github.comments(on: number).count == 1)
    }

    // MARK: The plan against prod, as the pull-request role sees prod

    @Test("the pull-request role's grants are enough for the plan: it compares with the version prod serves, reading nothing else of prod")
    func thePullRequestRoleReadsProdForThePlan() async throws {
        let prod = try await prodServingVersionOne()
        actAs(SetupPolicies(.placeholders).pullRequest.permissionsPolicy)

        try flows.writeAgent("A change under review")
        let number = flows.github.openPullRequest()
        let report = try deployed(try await flows.prDeploy("opened", number))

        let plan = try #require(report.plan, "no plan: \(report.noPlanReason ?? "")")
        #expect(report.noPlanReason == nil)
        #expect(plan.liveVersion == "1" && plan.oldPackageSHA256 == prod.packageSHA256 && plan.newPackageSHA256 == report.packageSHA256)
        // The package prod serves has no manifest beside it, and its zip is not the role's to read.
        #expect(plan.dependencyChanges == nil)
        #expect(flows.s3.calls("GetObject").contains { $0.hasSuffix("prod/packages/\(prod.packageSHA256).zip") })
        let comment = flows.github.comments(on: number).first?.body ?? ""
        #expect(comment.contains("Compared with version 1, which the `prod` endpoint serves now"), "\(comment)")
        #expect(!comment.contains("prod not readable"))
    }

    @Test("the plan never reads prod's configuration: it compares with the record of what git declared for the version prod serves")
    func thePlanComparesWithProdsDeclaredRecord() async throws {
        let secret = "prod-only-secret-value-7Hq2"
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt", "tags": {"team": "jokes"},
             "environments": {"prod": {"environmentVariables": {"API_KEY": "${PROD_API_KEY}"}}}}
            """)
        flows.environment["PROD_API_KEY"] = secret
        let prod = try await prodServingVersionOne()
        let record = try #require(flows.s3.object(bucket: InMemoryFlows.bucket, key: "prod/deployed/versions/1.json"))
        #expect(String(decoding: record.bytes, as: UTF8.self).contains("${PROD_API_KEY}"))
        #expect(!String(decoding: record.bytes, as: UTF8.self).contains(secret), "the record is the pull-request role's to read")

        // The pull request's job has no prod secret, and changes a setting and a tag.
        flows.environment["PROD_API_KEY"] = nil
        actAs(SetupPolicies(.placeholders).pullRequest.permissionsPolicy)
        let prodReadsBefore = flows.agentCore.calls("GetAgentRuntime").filter { $0.target.hasPrefix(prod.runtimeID) }.count
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt", "tags": {"team": "puns"},
             "lifecycle": {"idleRuntimeSessionTimeout": 600},
             "environments": {"prod": {"environmentVariables": {"API_KEY": "${PROD_API_KEY}"}}}}
            """)
        let number = flows.github.openPullRequest()
        let report = try deployed(try await flows.prDeploy("opened", number))

        let plan = try #require(report.plan, "no plan: \(report.noPlanReason ?? "")")
        #expect(plan.liveVersion == "1" && plan.oldPackageSHA256 == prod.packageSHA256)
        #expect(plan.settingChanges == [
            SettingChange(path: "lifecycleConfiguration.idleRuntimeSessionTimeout", old: "900", new: "600"),
            SettingChange(path: "tags.team", old: "jokes", new: "puns"),
        ], "the secret's reference is the same on both sides: no change")
        #expect(plan.warnings.contains { $0.contains("tag-resource") })
        #expect(flows.agentCore.calls("GetAgentRuntime").filter { $0.target.hasPrefix(prod.runtimeID) }.count == prodReadsBefore,
                "pr-deploy read prod's configuration")
        #expect(!flows.github.comments(on: number).contains { $0.body?.contains(secret) == true })
    }

    @Test("a pull-request role without the read grant: the pull request deploys, and its comment says prod is not readable and what to add")
    func withoutTheReadGrantThePlanSaysSo() async throws {
        _ = try await prodServingVersionOne()
        let policy = SetupPolicies(.placeholders).pullRequest.permissionsPolicy
        actAs(PolicyDocument(policy.statements.filter { $0.sid?.hasSuffix("ForThePlan") != true }))

        try flows.writeAgent("A change under review")
        let number = flows.github.openPullRequest()
        let report = try deployed(try await flows.prDeploy("opened", number))

        #expect(report.plan == nil)
        #expect(report.version == "1" && flows.agentCore.runtimeIDs(named: "pr_\(number)") == [report.runtimeID])
        let reason = try #require(report.noPlanReason)
        #expect(reason.hasPrefix("prod not readable:") && reason.contains("`bedrock-agentcore:GetAgentRuntimeEndpoint`"), "\(reason)")
        let comment = flows.github.comments(on: number).first?.body ?? ""
        for expected in ["#### Plan against prod", "prod not readable", "ProdEndpointReadOnlyForThePlan", "agentcore setup policies"] {
            #expect(comment.contains(expected), "comment lacks \(expected):\n\(comment)")
        }
        // AWS's message names the role and the prod runtime's ARN: it stays out of a comment anyone may read.
        #expect(!comment.contains("is not authorized") && !comment.contains("assumed-role"))
        #expect(flows.log.values.contains { $0.contains("prod not readable") }, "the run's log says so too")
    }

    /// prod deployed from a merge, its `prod` endpoint on version 1 as after an approval.
    private func prodServingVersionOne() async throws -> (runtimeID: String, packageSHA256: String) {
        let merge = try await flows.deployedMerge()
        flows.agentCore.seedEndpoint(runtimeID: merge.deployment.runtimeID, name: "prod", version: "1")
        let key = merge.deployment.packageLocation.key
        let sha = try #require(DeploymentPlan.packageSHA256(ofKey: key), "\(key)")
        return (merge.deployment.runtimeID, sha)
    }

    /// From now on the fakes answer as IAM would for a role with `policy`: AgentCore calls on
    /// existing runtimes and S3 object requests it does not allow are denied.
    private func actAs(_ policy: PolicyDocument) {
        let names = ResourceNames(.placeholders)
        let allowed: @Sendable (String, String) -> Bool = { action, resource in
            (try? PolicyEvaluator.evaluate(AuthorizationRequest(action: action, resource: resource), policy: policy).isAllowed) == true
        }
        flows.agentCore.denyAccess { operation, id, endpoint in
            let resources = [names.runtime(id)] + (endpoint.map { [names.endpoint(runtime: id, name: $0)] } ?? [])
            return resources.contains { !allowed("bedrock-agentcore:\(operation)", $0) }
        }
        flows.s3.denyAccess { operation, key in
            let action = ["HeadObject": "s3:GetObject", "CopyObject": "s3:PutObject"][operation] ?? "s3:\(operation)"
            return !allowed(action, names.object(key))
        }
    }
}
