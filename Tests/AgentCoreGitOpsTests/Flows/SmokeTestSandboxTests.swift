import Foundation
import Testing
@testable import AgentCoreGitOps

/// The smoke test end to end: the executables against the sandbox, whose data plane runs the very
/// zip each version points at. The sample agent answers through its real code path (the Bedrock
/// stand-in plays the model); a handler that raises fails the job; a prod version that failed is
/// refused at approval.
@Suite("smoke test end to end", .heavy, .tags(.sandbox, .process))
struct SmokeTestSandboxTests {
    struct GitHubStatuses: Decodable {
        struct Status: Decodable {
            let sha: String
            let state: String
            let context: String
        }
        let statuses: [Status]
    }

    private func smokeStatuses(_ fixture: FlowFixture, sha: String) async throws -> [String] {
        let state = try JSONDecoder().decode(GitHubStatuses.self, from: try await fixture.github.control("GET", "/_sandbox/state"))
        return state.statuses.filter { $0.sha == sha && $0.context == SmokeTest.statusContext }.map(\.state)
    }

    @Test("a pull request of the sample agent: its comment shows the passing smoke test, its commit the status, and boto3 invokes pr_<n>")
    func theSampleAgentPassesAndBoto3InvokesIt() async throws {
        let fixture = try await FlowFixture(realAgent: true)
        let head = FlowFixture.sha()
        let number = try await fixture.openPullRequest(headSHA: head)

        let run = try await fixture.prDeploy("opened", number)
        #expect(run.succeeded, "\(run.process.output)")
        #expect(run.outputs["smoke_test"] == "passed")
        let body = try #require(try await fixture.botComments(on: number).first?.body)
        #expect(body.contains("#### Smoke test: passed"))
        #expect(body.contains("expecting a match for <code>&quot;result&quot;</code>"), "agent/agentcore.json's smokeTest")
        // The dad-joke prompt, answered by the sample's Strands agent through the Bedrock stand-in.
        #expect(body.contains("I told my computer a joke about UDP."), "\(body)")
        #expect(try await smokeStatuses(fixture, sha: head) == ["success"])

        let arn = try #require(try await fixture.runtime(named: "pr_\(number)")?.agentRuntimeArn)
        let script = """
            import boto3, json, os, sys
            client = boto3.client("bedrock-agentcore", region_name=os.environ["AWS_REGION"])
            answer = client.invoke_agent_runtime(agentRuntimeArn=sys.argv[1], qualifier="DEFAULT",
                                                 payload=json.dumps({"prompt": "Hello"}).encode())
            print(json.loads(answer["response"].read())["result"])
            """
        let boto3 = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, arn],
            environment: fixture.sandbox.awsEnvironment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""]) { $1 })
        #expect(boto3.status == 0, "\(boto3.output)")
        #expect(boto3.stdout.contains("I told my computer a joke about UDP."), "\(boto3.output)")
    }

    @Test("an agent whose handler raises: pr-deploy fails, and its comment and the commit's status say why")
    func aRaisingHandlerFailsTheJob() async throws {
        let fixture = try await FlowFixture(realAgent: true)
        try fixture.checkout.file("agent/agent.py", """
            import os
            from bedrock_agentcore.runtime import BedrockAgentCoreApp

            app = BedrockAgentCoreApp()


            @app.entrypoint
            def invoke(payload):
                raise RuntimeError("the handler failed on purpose")


            if __name__ == "__main__":
                app.run(port=int(os.environ.get("PORT", "8080")))

            """)
        let head = FlowFixture.sha()
        let number = try await fixture.openPullRequest(headSHA: head)

        let run = try await fixture.prDeploy("opened", number)
        #expect(!run.succeeded)
        #expect(run.process.output.contains("pr_\(number) version 1 failed its smoke test"), "\(run.process.output)")
        #expect(run.outputs["smoke_test"] == "failed")
        let body = try #require(try await fixture.botComments(on: number).first?.body)
        #expect(body.contains("#### Smoke test: failed") && body.contains("**This fails the pr-deploy job.**"))
        #expect(body.contains("the agent failed: RuntimeClientError"), "\(body)")
        #expect(body.contains("version 1 READY"), "the version is deployed; the comment says what runs")
        #expect(try await smokeStatuses(fixture, sha: head) == ["failure"])
    }

    @Test("a prod version that fails its smoke test: the issue says so, prod-deploy fails, and the approval is refused")
    func aFailedProdVersionIsRefusedAtApproval() async throws {
        let fixture = try await FlowFixture()
        try SmallAgent.writeRaisingAgent(into: fixture.checkout)
        let number = try await fixture.openPullRequest()
        let opened = try await fixture.prDeploy("opened", number)
        #expect(!opened.succeeded && opened.outputs["smoke_test"] == "failed")
        let merge = try await fixture.merge(number)

        let deployed = try await fixture.prodDeploy(after: merge)
        #expect(!deployed.succeeded)
        #expect(deployed.process.output.contains("failed its smoke test"), "\(deployed.process.output)")
        let issue = try #require(deployed.outputs["issue_number"].flatMap(Int.init))
        let body = try #require(try await fixture.deploymentIssues(forCommit: merge).first?.body)
        #expect(body.contains("version 1 failed its smoke test, so prod-promote refuses to promote it."))
        #expect(body.contains("HTTP 424") || body.contains("RuntimeClientError"), "\(body)")
        #expect(try await smokeStatuses(fixture, sha: merge) == ["failure"])

        _ = try await fixture.github.client("maintainer").addLabels(issue: issue, labels: ["approved"])
        let payload = try await fixture.event(["event": "issues", "action": "labeled", "number": issue, "label": "approved"])
        let approval = try await fixture.run("prod-promote", event: "issues", payload: payload)
        #expect(approval.succeeded, "a refusal is answered on the issue: \(approval.process.output)")
        #expect(approval.outputs["outcome"] == "refused")
        let comments = try await fixture.botComments(on: issue)
        #expect(comments.contains { $0.body.contains("Promotion refused") && $0.body.contains("failed its smoke test") })
        let prod = try #require(try await fixture.runtime(named: fixture.prodRuntime))
        #expect(try await fixture.agentCore().findEndpoint(runtimeId: prod.agentRuntimeId, name: "prod") == nil)
    }
}
