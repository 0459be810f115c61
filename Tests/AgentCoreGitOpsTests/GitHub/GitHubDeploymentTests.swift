import Foundation
import Testing
@testable import AgentCoreGitOps

/// The pieces the deployment recorder builds its requests from.
@Suite struct GitHubDeploymentTests {
    @Test func consoleLinkOfARuntime() {
        #expect(RuntimeConsoleLink.url(runtimeARN: "arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/prod-AbCdEfGhIj")
                == "https://eu-west-1.console.aws.amazon.com/bedrock-agentcore/home?region=eu-west-1#/agents/prod-AbCdEfGhIj")
        #expect(RuntimeConsoleLink.url(runtimeARN: "arn:aws-us-gov:bedrock-agentcore:us-gov-west-1:123456789012:runtime/p-AbCdEfGhIj")?
                .hasPrefix("https://console.amazonaws-us-gov.com/bedrock-agentcore/home?region=us-gov-west-1#/agents/") == true)
        for bad in ["", "arn:aws:s3:::bucket", "arn:aws:bedrock-agentcore:us-east-1:1:runtime/x y",
                    "arn:aws:bedrock-agentcore:us-east-1#x:123456789012:runtime/prod-AbCdEfGhIj",
                    "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/prod-AbCdEfGhIj"] {
            #expect(RuntimeConsoleLink.url(runtimeARN: bad) == nil, "\(bad)")
        }
    }

    @Test func statusDescriptionsNameTheVersionAndFitGitHubsLimit() {
        let ready = GitHubDeploymentRecorder.readyDescription(version: "12", runtimeName: "pr_7")
        #expect(ready == "Version 12 of pr_7")
        #expect(GitHubDeploymentRecorder.version(inDescription: ready) == "12")
        for other in [nil, "", "Version 12 of pr_7 and more", "Version 0 of pr_7", "version 3 of prod"] {
            #expect(GitHubDeploymentRecorder.version(inDescription: other) == nil)
        }
        let long = GitHubDeploymentStatusRequest(state: .failure, description: String(repeating: "é", count: 200))
        #expect(long.description?.unicodeScalars.count == GitHubDeploymentStatusRequest.maximumDescriptionLength)
        #expect(GitHubDeploymentRecorder.productionEnvironment([:]) == "agentcore-production")
        #expect(GitHubDeploymentRecorder.productionEnvironment(["AGENTCORE_PRODUCTION_ENVIRONMENT": " live "]) == "live")
    }

    @Test func requestsCarryNoAutoMergeAndNoRequiredContexts() throws {
        let request = GitHubDeploymentRequest(
            ref: "abc", task: GitHubDeploymentRecorder.task, environment: "pr-7", description: "d", payload: ["version": "3"],
            transientEnvironment: true, productionEnvironment: false)
        let json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(request)) as? [String: Any])
        #expect(json["auto_merge"] as? Bool == false)
        #expect((json["required_contexts"] as? [Any])?.isEmpty == true)
        #expect(json["transient_environment"] as? Bool == true && json["production_environment"] as? Bool == false)
        let status = try #require(try JSONSerialization.jsonObject(
            with: try JSONEncoder().encode(GitHubDeploymentStatusRequest(state: .inProgress))) as? [String: Any])
        #expect(status as NSDictionary == ["state": "in_progress"] as NSDictionary)
    }
}
