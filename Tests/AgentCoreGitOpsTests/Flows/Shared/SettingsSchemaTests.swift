import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agent/agentcore.schema.json` (what editors check) and the tool's own checks (what runs before
/// any AWS call) agree: the schema accepts the sample and a file using every member, and both
/// refuse each value of a table of invalid ones, the tool naming the field. The schema is checked
/// with Python's jsonschema (SettingsSchemaProcessTests), prod-deploy against the sandbox
/// (SettingsSchemaSandboxTests).
@Suite struct SettingsSchemaTests {
    /// (agentcore.json, the field path the tool's error names). One rule broken per row.
    static let invalid: [(json: String, field: String)] = [
        (#"{"python": "3.9"}"#, "python"),
        (#"{"entryPoint": "src/agent.py"}"#, "entryPoint"),
        (#"{"description": ""}"#, "description"),
        (#"{"description": "\#(String(repeating: "d", count: 3_801))"}"#, "description"),
        (#"{"environmentVariables": {"1BAD": "x"}}"#, "environmentVariables.1BAD"),
        // 2,501 characters but 5,002 code points: AWS counts code points.
        (#"{"environmentVariables": {"A": "\#(String(repeating: "e\u{301}", count: 2_501))"}}"#, "environmentVariables.A"),
        (#"{"lifecycle": {"maxLifetime": 59}}"#, "lifecycle.maxLifetime"),
        (#"{"lifecycleConfiguration": {"idleRuntimeSessionTimeout": 1209601}}"#, "lifecycleConfiguration.idleRuntimeSessionTimeout"),
        (#"{"networkMode": "PRIVATE"}"#, "networkMode"),
        (#"{"networkConfiguration": {"networkMode": "VPC"}}"#, "networkConfiguration.networkModeConfig"),
        (#"{"networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {"subnets": ["subnet-123"], "securityGroups": ["sg-0123456789abcdef0"]}}}"#,
         "networkConfiguration.networkModeConfig.subnets[0]"),
        (#"{"networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {"subnets": ["subnet-0123456789abcdef0"], "securityGroups": []}}}"#,
         "networkConfiguration.networkModeConfig.securityGroups"),
        (#"{"networkConfiguration": {"networkMode": "PUBLIC", "networkModeConfig": {"subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-0123456789abcdef0"]}}}"#,
         "networkConfiguration.networkModeConfig"),
        (#"{"environmentVariables": {"TOKEN": "Bearer ${GITHUB_TOKEN}"}}"#, "environmentVariables.TOKEN"),
        (#"{"protocol": "gRPC"}"#, "protocol"),
        (#"{"protocolConfiguration": {"serverProtocol": "HTTP", "port": 8443}}"#, "protocolConfiguration.port"),
        (#"{"protocolConfiguration": {"serverProtocol": "HTTP", "path": "mcp"}}"#, "protocolConfiguration.path"),
        (#"{"authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "https://issuer.example.com/jwks"}}}"#,
         "authorizerConfiguration.customJWTAuthorizer.discoveryUrl"),
        (#"{"authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "\#(Self.discovery)", "allowedAudience": []}}}"#,
         "authorizerConfiguration.customJWTAuthorizer.allowedAudience"),
        (#"{"authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "\#(Self.discovery)", "allowedScopes": ["has space"]}}}"#,
         "authorizerConfiguration.customJWTAuthorizer.allowedScopes[0]"),
        (#"{"authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "\#(Self.discovery)", "customClaims": [\#(Self.claim(#"{"matchValueString": "gold"}"#, "LIKE"))]}}}"#,
         "authorizerConfiguration.customJWTAuthorizer.customClaims[0].authorizingClaimMatchValue.claimMatchOperator"),
        (#"{"authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "\#(Self.discovery)", "customClaims": [\#(Self.claim(#"{"matchValueString": "gold", "matchValueStringList": ["a"]}"#, "EQUALS"))]}}}"#,
         "authorizerConfiguration.customJWTAuthorizer.customClaims[0].authorizingClaimMatchValue.claimMatchValue"),
        // The model's `[A-Za-z0-9_.-:]+` has the range `.-:` (./0-9:), no hyphen.
        (#"{"authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "\#(Self.discovery)", "customClaims": [\#(Self.claim(#"{"matchValueString": "gold"}"#, "EQUALS", name: "cognito-groups"))]}}}"#,
         "authorizerConfiguration.customJWTAuthorizer.customClaims[0].inboundTokenClaimName"),
        (#"{"requestHeaderConfiguration": {"requestHeaderAllowlist": ["1X"]}}"#, "requestHeaderConfiguration.requestHeaderAllowlist[0]"),
        (#"{"requestHeaderConfiguration": {"requestHeaderAllowlist": [\#((1...21).map { "\"X-H\($0)\"" }.joined(separator: ", "))]}}"#,
         "requestHeaderConfiguration.requestHeaderAllowlist"),
        (#"{"filesystemConfigurations": [{"sessionStorage": {"mountPath": "/data"}}]}"#, "filesystemConfigurations[0].sessionStorage.mountPath"),
        (#"{"filesystemConfigurations": [\#((1...6).map { #"{"sessionStorage": {"mountPath": "/mnt/s\#($0)"}}"# }.joined(separator: ", "))]}"#,
         "filesystemConfigurations"),
        (#"{"filesystemConfigurations": [{}]}"#, "filesystemConfigurations[0]"),
        (#"{"tags": {"aws:owner": "me"}}"#, "tags.aws:owner"),
        (#"{"tags": {"team": "a#b"}}"#, "tags.team"),
        (#"{"platformVersion": "V 2"}"#, "platformVersion"),
        (#"{"allowedPorts": [{"port": 7000}]}"#, "allowedPorts[0].port"),
        (#"{"resourceConfigurations": [{"minimumMemoryInMiB": 0}]}"#, "resourceConfigurations[0].minimumMemoryInMiB"),
        (#"{"platformVersion": "V2", "hooksConfiguration": {"build": {"warmup": {"action": {"httpPost": {"path": "warmup"}}}}}}"#,
         "hooksConfiguration.build.warmup.action.httpPost.path"),
        // Lifecycle hooks run on platform version V2 only; AgentCore's default is V1.
        (#"{"hooksConfiguration": {"build": {"warmup": {"action": {"httpPost": {"path": "/warmup"}}}}}}"#, "hooksConfiguration"),
        (#"{"platformVersion": "V1", "hooksConfiguration": {"build": {"warmup": {"action": {"httpPost": {"path": "/warmup"}}}}}}"#,
         "hooksConfiguration"),
        (#"{"environments": {"prod": {"networkMode": "VPN"}}}"#, "environments.prod.networkMode"),
        (#"{"environments": {"pr": {"tags": {"": "x"}}}}"#, "environments.pr.tags."),
        (#"{"environments": {"pr": {"prompt": "other.txt"}}}"#, "environments.pr.prompt"),
        (#"{"onDrift": "ignore"}"#, "onDrift"),
        (#"{"authorizer": {}}"#, "authorizer"),
        (#"{"smokeTest": {"payload": "Hello"}}"#, "smokeTest.payload"),
        (#"{"smokeTest": {"expect": ""}}"#, "smokeTest.expect"),
        (#"{"smokeTest": {"timeoutSeconds": 901}}"#, "smokeTest.timeoutSeconds"),
        (#"{"smokeTest": {"expected": "x"}}"#, "smokeTest.expected"),
        (#"{"environments": {"pr": {"smokeTest": {}}}}"#, "environments.pr.smokeTest"),
    ]

    static let discovery = "https://issuer.example.com/.well-known/openid-configuration"

    static func claim(_ value: String, _ matchOperator: String, name: String = "tier") -> String {
        #"{"inboundTokenClaimName": "\#(name)", "inboundTokenClaimValueType": "STRING", "authorizingClaimMatchValue": {"claimMatchValue": \#(value), "claimMatchOperator": "\#(matchOperator)"}}"#
    }

    @Test("the tool refuses each value of the table before any call, naming the field and the fix")
    func toolRefusesEachValue() throws {
        #expect(Self.invalid.count >= 20)
        for (json, field) in Self.invalid {
            let error = #expect(throws: RuntimeSettingsError.self, "\(json.prefix(120))") { try RuntimeSettings.parse(Data(json.utf8)) }
            #expect(error?.field == field, "\(json.prefix(120)): \(error?.description ?? "accepted")")
            #expect(error?.fix != nil || error?.problem.contains("must be") == true, "no fix in \(error?.description ?? "")")
        }
        _ = try RuntimeSettings.parse(Data(EnvironmentSettingsTests.full.utf8))
    }
}
