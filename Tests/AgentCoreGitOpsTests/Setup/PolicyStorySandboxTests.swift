import Foundation
import Testing
@testable import AgentCoreGitOps

/// The whole story against a sandbox of its own, every AWS call recorded at the sandbox, mapped
/// to what IAM authorizes (iam.md) and evaluated against the policies of the role that makes it:
/// the generated ones, and docs/setup.md's. Every call must be allowed, and every granted action
/// used by some call or explained in `SetupPolicies.grantsNoDeploymentCallUses`.
@Suite(.heavy, .tags(.sandbox, .process)) struct PolicyStorySandboxTests {
    @Test func everyCallOfTheStoryIsAllowedAndEveryGrantIsUsed() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        try await sandbox.enableBucketVersioning()
        let fixture = try await FlowFixture(sandbox: sandbox)
        let recorder = CallRecorder(sandbox: sandbox)

        let reviewed = try await pullRequests(fixture, recorder)
        try await production(merging: reviewed, fixture, recorder)
        try await sweep(fixture, recorder)
        try await commandLine(fixture, recorder)

        let parameters = try await sandbox.setupParameters(prodRuntime: fixture.prodRuntime)
        let policies = SetupPolicies(parameters)
        let mapping = IAMCallMapping(names: ResourceNames(parameters))
        let calls = await recorder.calls
        let generated = try PolicyVerdict.evaluate(
            calls, mapping: mapping, policies: [.deploy: policies.deploy.permissionsPolicy, .pullRequest: policies.pullRequest.permissionsPolicy])
        #expect(generated.denied.isEmpty, "denied:\n\(generated.denied.joined(separator: "\n"))")
        for role in DeployingRole.allCases {
            let unexplained = generated.unexplained(role, granted: role.permissions(policies))
            #expect(unexplained.isEmpty, "the \(role.rawValue) role grants \(unexplained.sorted()) but no call uses them")
        }
        // The story covers what it claims to: both roles, and the calls the issue names.
        let operations = Set(calls.map(\.call.operation))
        for operation in ["CreateAgentRuntime", "UpdateAgentRuntime", "DeleteAgentRuntime", "ListAgentRuntimeEndpoints",
                          "ListAgentRuntimeVersions", "CreateAgentRuntimeEndpoint", "UpdateAgentRuntimeEndpoint",
                          "PutObject", "CopyObject", "HeadObject", "DeleteObject", "HeadBucket", "InvokeAgentRuntime"] {
            #expect(operations.contains(operation), "the story never calls \(operation)")
        }
        #expect(calls.contains { $0.call.resources.codeVersionId != nil }, "the CLI's versioned-bucket path was not taken")

        // docs/setup.md's policies, filled in with the sandbox's values, decide the same way.
        let documented = try documentedPolicies(filledWith: parameters)
        let documentedDeploy = try #require(documented.first { $0 == policies.deploy.permissionsPolicy },
                                            "docs/setup.md lacks the deploy role's permissions policy")
        let documentedPR = try #require(documented.first { $0 == policies.pullRequest.permissionsPolicy },
                                        "docs/setup.md lacks the pull-request role's permissions policy")
        let fromDocs = try PolicyVerdict.evaluate(calls, mapping: mapping, policies: [.deploy: documentedDeploy, .pullRequest: documentedPR])
        #expect(fromDocs.denied.isEmpty, "denied by docs/setup.md's policies:\n\(fromDocs.denied.joined(separator: "\n"))")

        for role in DeployingRole.allCases {
            let granted = Set(role.permissions(policies).allowedActions.map { $0.lowercased() })
            print("policy story, \(role.rawValue) role: \(generated.callsChecked[role] ?? 0) calls checked, "
                + "\(granted.count) distinct actions granted, \(generated.used[role]?.count ?? 0) used")
        }
        print("policy story: \(calls.count) calls, \(generated.requestsChecked) IAM requests evaluated; execution role: "
            + "\(policies.execution.permissionsPolicy.allowedActions.count) actions granted, used by the agent at run time")
    }

    // MARK: The story

    /// Two pull requests deployed, one pushed to, one closed: pr-deploy with the pull-request role.
    /// Returns the one left open, for production to merge.
    private func pullRequests(_ fixture: FlowFixture, _ recorder: CallRecorder) async throws -> Int {
        let head = FlowFixture.sha()
        let number = try await fixture.openPullRequest(headSHA: head)
        let opened = try await recorder.step("pr-deploy opened", as: .pullRequest) { try await fixture.prDeploy("opened", number) }
        #expect(opened.succeeded, "\(opened.process.output)")
        try fixture.writeAgent("Second push")
        try await fixture.pushToPullRequest(number)
        let pushed = try await recorder.step("pr-deploy synchronize", as: .pullRequest) {
            try await fixture.prDeploy("synchronize", number, before: head)
        }
        #expect(pushed.succeeded, "\(pushed.process.output)")

        let abandoned = try await fixture.openPullRequest()
        let other = try await recorder.step("pr-deploy opened", as: .pullRequest) { try await fixture.prDeploy("opened", abandoned) }
        #expect(other.succeeded, "\(other.process.output)")
        try await fixture.close(abandoned)
        let closed = try await recorder.step("pr-deploy closed", as: .pullRequest) { try await fixture.prDeploy("closed", abandoned) }
        #expect(closed.succeeded, "\(closed.process.output)")
        #expect(try await fixture.runtime(named: "pr_\(abandoned)") == nil)
        return number
    }

    /// Merge, prod deploy, approval (creates the prod endpoint); a second merge and approval
    /// (moves it); a rollback by hand. All with the deploy role.
    private func production(merging first: Int, _ fixture: FlowFixture, _ recorder: CallRecorder) async throws {
        try await mergeAndPromote(first, fixture, recorder)

        try fixture.writeAgent("Second release")
        let second = try await fixture.openPullRequest()
        let opened = try await recorder.step("pr-deploy opened", as: .pullRequest) { try await fixture.prDeploy("opened", second) }
        #expect(opened.succeeded, "\(opened.process.output)")
        try await mergeAndPromote(second, fixture, recorder)

        let payload = try await fixture.event(["event": "workflow_dispatch", "inputs": ["prod_runtime_version": "1"]])
        let rollback = try await recorder.step("prod-promote rollback", as: .deploy) {
            try await fixture.run("prod-promote", event: "workflow_dispatch", payload: payload)
        }
        #expect(rollback.succeeded, "\(rollback.process.output)")
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        #expect(try await fixture.agentCore().getAgentRuntimeEndpoint(runtimeId: prod.agentRuntimeId, name: "prod").liveVersion == "1")
    }

    private func mergeAndPromote(_ number: Int, _ fixture: FlowFixture, _ recorder: CallRecorder) async throws {
        let merge = try await fixture.merge(number)
        let deployed = try await recorder.step("prod-deploy", as: .deploy) { try await fixture.prodDeploy(after: merge) }
        #expect(deployed.succeeded, "\(deployed.process.output)")
        let issue = try #require(deployed.outputs["issue_number"].flatMap(Int.init))
        _ = try await fixture.github.client("maintainer").addLabels(issue: issue, labels: ["approved"])
        let payload = try await fixture.event(["event": "issues", "action": "labeled", "number": issue, "label": "approved"])
        let promoted = try await recorder.step("prod-promote approval", as: .deploy) {
            try await fixture.run("prod-promote", event: "issues", payload: payload)
        }
        #expect(promoted.succeeded, "\(promoted.process.output)")
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
    }

    /// A pull request closed while its close run never ran: the sweep deletes its runtime.
    private func sweep(_ fixture: FlowFixture, _ recorder: CallRecorder) async throws {
        let number = try await fixture.openPullRequest()
        let opened = try await recorder.step("pr-deploy opened", as: .pullRequest) { try await fixture.prDeploy("opened", number) }
        #expect(opened.succeeded, "\(opened.process.output)")
        try await fixture.close(number)
        let swept = try await recorder.step("sweep", as: .deploy) {
            try await runProcess(RepositoryPaths.executable("agentcore"), ["sweep", "--poll-interval", "0.05"], environment: fixture.environment)
        }
        #expect(swept.status == 0, "\(swept.output)")
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
    }

    /// The CLI by hand with the deploy role: runtime, endpoint, cleanup, deploy, and the setup
    /// check with each role.
    private func commandLine(_ fixture: FlowFixture, _ recorder: CallRecorder) async throws {
        let sandbox = fixture.sandbox
        let cli = AgentCoreCLI(sandbox: sandbox)
        let name = Sandbox.uniqueName("cli")
        let v1 = try await sandbox.uploadCode(key: "\(name)/v1/code.zip")
        let v2 = try await sandbox.uploadCode(key: "\(name)/v2/code.zip")
        let commands: [[String]] = [
            ["runtime", "create", name, "--code", v1.uri] + cli.quick,
            ["runtime", "update", name, "--code", v2.uri] + cli.quick,
            ["runtime", "get", name], ["runtime", "list"], ["runtime", "versions", name],
            ["endpoint", "create", name, "1", "live"] + cli.quick,
            ["endpoint", "update", name, "live", "2"] + cli.quick,
            ["endpoint", "get", name, "live"], ["endpoint", "list", name],
            ["endpoint", "delete", name, "live"] + cli.quick,
            ["cleanup", name, "--yes"] + cli.quick,
        ]
        for arguments in commands {
            let result = try await recorder.step("agentcore \(arguments.prefix(2).joined(separator: " "))", as: .deploy) {
                try await cli.run(arguments)
            }
            #expect(result.status == 0, "agentcore \(arguments.joined(separator: " ")): \(result.output)")
        }

        let agent = try DeployTestAgent(sandbox: sandbox)
        let deployed = Sandbox.uniqueName("manual")
        defer { agent.removeCachedBuild(deployed) }
        let deploy = try await recorder.step("agentcore deploy", as: .deploy) { try await agent.run(deployed) }
        #expect(deploy.status == 0, "\(deploy.output)")

        for role in DeployingRole.allCases {
            let check = try await recorder.step("agentcore setup check --role \(role.rawValue)", as: role) {
                try await cli.run(["setup", "check", "--role", role.rawValue], environment: fixture.environment)
            }
            #expect(check.status == 0, "\(check.output)")
        }
    }
}
