import Foundation
import Testing
@testable import AgentCoreGitOps

/// Issue 14's done-when, through the executables against the sandbox: one `agentcore.json` gives
/// prod a JWT authorizer and a VPC and pull-request runtimes neither; a settings change shows up
/// field by field in the pull request's comment; a change made to prod by hand is reported as
/// drift, or with `"onDrift": "fail"` refused before anything changes.
@Suite("runtime settings end to end", .heavy, .tags(.sandbox, .process))
struct SettingsSandboxTests {
    /// A checkout of the small agent, in a repository of its own on the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    static func settings(audience: String, onDrift: String = "report") -> String {
        """
        {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt", "onDrift": "\(onDrift)",
         "description": "Settings test agent", "environmentVariables": {"LOG_LEVEL": "INFO"},
         "environments": {
           "pr": {"environmentVariables": {"LOG_LEVEL": "DEBUG"}},
           "prod": {
             "environmentVariables": {"JOKE_API_TOKEN": "${PROD_JOKE_TOKEN}"},
             "authorizerConfiguration": {"customJWTAuthorizer": {
               "discoveryUrl": "https://issuer.example.com/.well-known/openid-configuration",
               "allowedAudience": ["\(audience)"], "allowedClients": ["web-client"]}},
             "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {
               "subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-0123456789abcdef0"]}},
             "filesystemConfigurations": [{"sessionStorage": {"mountPath": "/mnt/session"}}]}}}
        """
    }

    static let secret = "prod-token-7f3a9c2e5b"

    @Test("prod and pull-request runtimes differ as configured; the plan shows a change; drift is reported, or refused")
    func settingsPerEnvironment() async throws {
        try fixture.checkout.file("agent/agentcore.json", Self.settings(audience: "jokes"))
        let prodEnvironment: [String: String?] = ["PROD_JOKE_TOKEN": Self.secret]

        // A merge deploys prod with its settings; the token comes from the job's environment.
        let first = try await fixture.prodDeploy(after: FlowFixture.sha(), environment: prodEnvironment)
        #expect(first.succeeded, "\(first.process.output)")
        let leaks = first.process.output.split(separator: "\n").filter { $0.contains(Self.secret) && !$0.hasPrefix("::add-mask::") }
        #expect(leaks.isEmpty, "the token reached the log unmasked: \(leaks)")
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        #expect(prod.networkConfiguration.networkMode == "VPC")
        #expect(prod.networkConfiguration.networkModeConfig?.subnets == ["subnet-0123456789abcdef0"])
        #expect(prod.authorizerConfiguration?.customJWTAuthorizer?.allowedAudience == ["jokes"])
        #expect(prod.filesystemConfigurations?.first?.sessionStorage?.mountPath == "/mnt/session")
        #expect(prod.environmentVariables == ["LOG_LEVEL": "INFO", "JOKE_API_TOKEN": Self.secret])
        let boto3 = try await Self.readWithBoto3(fixture, id: prod.agentRuntimeId)
        #expect(boto3.contains("\"networkMode\": \"VPC\"") && boto3.contains("\"allowedAudience\": [\"jokes\"]"), "\(boto3)")
        // As an approval would: the prod endpoint serves version 1.
        _ = try await fixture.agentCore().createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(
            agentRuntimeId: prod.agentRuntimeId, name: "prod", agentRuntimeVersion: "1"))

        // A pull request changes prod's audience: its own runtime is public, without an authorizer,
        // and its comment shows the change to prod field by field.
        try fixture.checkout.file("agent/agentcore.json", Self.settings(audience: "jokes-v2"))
        let number = try await fixture.openPullRequest()
        let opened = try await fixture.prDeploy("opened", number)
        #expect(opened.succeeded, "\(opened.process.output)")
        let prRuntime = try #require(try await fixture.runtime(named: "pr_\(number)"))
        #expect(prRuntime.networkConfiguration == .public)
        #expect(prRuntime.authorizerConfiguration == nil && prRuntime.filesystemConfigurations == nil)
        #expect(prRuntime.environmentVariables == ["LOG_LEVEL": "DEBUG"])
        let comment = try #require(try await fixture.botComments(on: number).first?.body)
        for expected in [
            "Compared with version 1, which the `prod` endpoint serves now",
            "| `authorizerConfiguration.customJWTAuthorizer.allowedAudience` | `[\"jokes\"]` | `[\"jokes-v2\"]` |",
            "The authorizer changes", "empty session storage (/mnt/session)",
            "- **Code**: `", "- **Dependencies**: unchanged",
        ] {
            #expect(comment.contains(expected), "comment lacks \(expected):\n\(comment)")
        }
        #expect(!comment.contains(Self.secret))
        // The token's reference is the same in git and in prod's record: not a change.
        #expect(!comment.contains("environmentVariables.JOKE_API_TOKEN"), "\(comment)")

        // Someone changes prod by hand; the next deploy names the field in the deployment issue.
        try await Self.changeByHand(fixture, prod.agentRuntimeId) { $0.environmentVariables?["LOG_LEVEL"] = "WARNING" }
        let second = FlowFixture.sha()
        let run = try await fixture.prodDeploy(after: second, environment: prodEnvironment)
        #expect(run.succeeded, "\(run.process.output)")
        let issue = try #require(try await fixture.deploymentIssues(forCommit: second).first)
        let body = try #require(issue.body)
        #expect(body.contains("Drift: prod was changed outside git"), "\(body)")
        #expect(body.contains("- `environmentVariables.LOG_LEVEL`"), "\(body)")
        #expect(!body.contains("WARNING") && !body.contains(Self.secret))
        #expect(body.contains("`[\"jokes\"]` | `[\"jokes-v2\"]`"), "the issue shows the plan too:\n\(body)")

        // With onDrift fail, a hand change stops the deploy before anything changes.
        try await Self.changeByHand(fixture, prod.agentRuntimeId) { $0.lifecycleConfiguration?.maxLifetime = 7200 }
        try fixture.checkout.file("agent/agentcore.json", Self.settings(audience: "jokes-v2", onDrift: "fail"))
        let versionsBefore = try await fixture.versions(ofRuntime: prod.agentRuntimeId)
        let refused = try await fixture.prodDeploy(after: FlowFixture.sha(), environment: prodEnvironment)
        #expect(!refused.succeeded)
        #expect(refused.process.output.contains("differs from what git last deployed"), "\(refused.process.output)")
        #expect(refused.process.output.contains("lifecycleConfiguration.maxLifetime") && refused.process.output.contains("onDrift is fail"))
        #expect(try await fixture.versions(ofRuntime: prod.agentRuntimeId) == versionsBefore)
    }

    /// An UpdateAgentRuntime made outside the tool: the latest configuration with one change.
    static func changeByHand(_ fixture: FlowFixture, _ id: String, _ change: (inout AgentRuntimeConfiguration) -> Void) async throws {
        var configuration = try #require(try await fixture.agentCore().getAgentRuntime(id: id).configuration)
        change(&configuration)
        let updated = try await fixture.agentCore().updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: id, configuration: configuration))
        _ = try await AgentCoreWaiter(client: try fixture.agentCore(), policy: PromoteStage.quick).runtimeReady(id: id, version: updated.agentRuntimeVersion)
    }

    /// GetAgentRuntime through boto3, as another tool would read it.
    static func readWithBoto3(_ fixture: FlowFixture, id: String) async throws -> String {
        let script = """
            import boto3, json, os, sys
            client = boto3.client("bedrock-agentcore-control", region_name=os.environ["AWS_REGION"],
                                  endpoint_url=os.environ["AWS_ENDPOINT_URL"])
            answer = client.get_agent_runtime(agentRuntimeId=sys.argv[1])
            print(json.dumps({k: answer.get(k) for k in ("networkConfiguration", "authorizerConfiguration", "filesystemConfigurations")}))
            """
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, id],
            environment: ProcessInfo.processInfo.environment.merging(fixture.sandbox.awsEnvironment) { $1 })
        #expect(result.status == 0, "\(result.output)")
        return result.stdout
    }
}
