import Foundation
@testable import AgentCoreGitOps

/// Sample AgentCore answers with the fields AWS sends.
enum AgentCoreSamples {
    static let runtimeId = "pr_42-AbCdEfGhIj"

    static func runtime(
        id: String = runtimeId, name: String = "pr_42", version: String = "1", status: String = "READY",
        failureReason: String? = nil
    ) -> [String: Any] {
        var object: [String: Any] = [
            "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/\(id)",
            "agentRuntimeName": name, "agentRuntimeId": id, "agentRuntimeVersion": version,
            "createdAt": 1_763_700_000.5, "lastUpdatedAt": 1_763_700_100,
            "roleArn": "arn:aws:iam::123456789012:role/AgentRuntime",
            "networkConfiguration": ["networkMode": "PUBLIC"], "status": status,
            "lifecycleConfiguration": ["idleRuntimeSessionTimeout": 900, "maxLifetime": 28800],
            "agentRuntimeArtifact": ["codeConfiguration": [
                "code": ["s3": ["bucket": "b", "prefix": "pr_42/abc/code.zip"]],
                "runtime": "PYTHON_3_11", "entryPoint": ["agent.py"]]],
            "protocolConfiguration": ["serverProtocol": "HTTP"],
            "environmentVariables": ["MODE": "test"],
        ]
        if let failureReason { object["failureReason"] = failureReason }
        return object
    }

    static func summary(id: String, name: String, version: String = "1") -> [String: Any] {
        ["agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/\(id)",
         "agentRuntimeId": id, "agentRuntimeVersion": version, "agentRuntimeName": name,
         "description": "", "lastUpdatedAt": "2026-11-21T08:00:00.123456Z", "status": "READY"]
    }

    static func endpoint(
        name: String = "live", status: String = "READY", live: String? = "1", target: String? = "1",
        failureReason: String? = nil
    ) -> [String: Any] {
        var object: [String: Any] = [
            "name": name, "agentRuntimeEndpointArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/x/e/\(name)",
            "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/\(runtimeId)",
            "status": status, "id": "\(name)-0123456789", "createdAt": 1_763_700_000, "lastUpdatedAt": 1_763_700_000,
        ]
        if let live { object["liveVersion"] = live }
        if let target { object["targetVersion"] = target }
        if let failureReason { object["failureReason"] = failureReason }
        return object
    }
}

extension AgentRuntime {
    /// Takes every member of `configuration`, as GetAgentRuntime reports a version made from it
    /// (a missing description as "").
    mutating func take(_ configuration: AgentRuntimeConfiguration) {
        agentRuntimeArtifact = configuration.agentRuntimeArtifact
        roleArn = configuration.roleArn
        networkConfiguration = configuration.networkConfiguration
        description = configuration.description ?? ""
        protocolConfiguration = configuration.protocolConfiguration
        lifecycleConfiguration = configuration.lifecycleConfiguration
        environmentVariables = configuration.environmentVariables
        authorizerConfiguration = configuration.authorizerConfiguration
        requestHeaderConfiguration = configuration.requestHeaderConfiguration
        filesystemConfigurations = configuration.filesystemConfigurations
        platformVersion = configuration.platformVersion
        allowedPorts = configuration.allowedPorts
        resourceConfigurations = configuration.resourceConfigurations
        hooksConfiguration = configuration.hooksConfiguration
    }
}
