import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agent/agentcore.schema.json` (what editors check) and the tool's own checks (what runs before
/// any AWS call) agree: the schema accepts the sample and a file using every member, and both
/// refuse each value of a table of invalid ones, the tool naming the field.
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
        (#"{"hooksConfiguration": {"build": {"warmup": {"action": {"httpPost": {"path": "warmup"}}}}}}"#,
         "hooksConfiguration.build.warmup.action.httpPost.path"),
        (#"{"environments": {"prod": {"networkMode": "VPN"}}}"#, "environments.prod.networkMode"),
        (#"{"environments": {"pr": {"tags": {"": "x"}}}}"#, "environments.pr.tags."),
        (#"{"environments": {"pr": {"prompt": "other.txt"}}}"#, "environments.pr.prompt"),
        (#"{"onDrift": "ignore"}"#, "onDrift"),
        (#"{"authorizer": {}}"#, "authorizer"),
    ]

    static let discovery = "https://issuer.example.com/.well-known/openid-configuration"

    static func claim(_ value: String, _ matchOperator: String) -> String {
        #"{"inboundTokenClaimName": "tier", "inboundTokenClaimValueType": "STRING", "authorizingClaimMatchValue": {"claimMatchValue": \#(value), "claimMatchOperator": "\#(matchOperator)"}}"#
    }

    @Test("the schema and the tool refuse the same values; the tool names each field")
    func schemaAndToolAgree() async throws {
        #expect(Self.invalid.count >= 20)
        for (json, field) in Self.invalid {
            let error = #expect(throws: RuntimeSettingsError.self, "\(json.prefix(120))") { try RuntimeSettings.parse(Data(json.utf8)) }
            #expect(error?.field == field, "\(json.prefix(120)): \(error?.description ?? "accepted")")
            #expect(error?.fix != nil || error?.problem.contains("must be") == true, "no fix in \(error?.description ?? "")")
        }
        let sample = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("agent/agentcore.json"), encoding: .utf8)
        let verdicts = try await SchemaValidator.errors(for: [sample, EnvironmentSettingsTests.full] + Self.invalid.map(\.json))
        #expect(verdicts[0] == nil, "the schema refuses agent/agentcore.json: \(verdicts[0] ?? "")")
        #expect(verdicts[1] == nil, "the schema refuses a file using every member: \(verdicts[1] ?? "")")
        _ = try RuntimeSettings.parse(Data(EnvironmentSettingsTests.full.utf8))
        for (index, row) in Self.invalid.enumerated() {
            #expect(verdicts[index + 2] != nil, "the schema accepts what the tool refuses: \(row.json.prefix(160))")
        }
    }

    @Test("each invalid value fails prod-deploy before any AWS call, naming the field")
    func refusedBeforeAnyAWSCall() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let fixture = try await FlowFixture(sandbox: sandbox)
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")
        for (json, field) in Self.invalid {
            try fixture.checkout.file("agent/agentcore.json", json)
            let run = try await fixture.prodDeploy(after: FlowFixture.sha())
            #expect(!run.succeeded)
            #expect(run.process.output.contains("agentcore.json: \(field)"), "\(field): \(run.process.output.suffix(400))")
        }
        let requests = try await sandbox.loggedRequests()
        #expect(requests.filter(\.isMutating).isEmpty, "refused deploys changed something: \(requests.map(\.path))")
    }
}

/// Runs Python's `jsonschema` (pinned in sandbox/requirements.txt) over texts with the schema.
enum SchemaValidator {
    /// Per text: nil when the schema accepts it, else the first error.
    static func errors(for texts: [String]) async throws -> [String?] {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            out = []
            for text in json.load(sys.stdin):
                errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: list(e.absolute_path))
                out.append(None if not errors else f"{list(errors[0].absolute_path)}: {errors[0].message[:200]}")
            print(json.dumps(out))
            """
        let input = String(decoding: try JSONSerialization.data(withJSONObject: texts), as: UTF8.self)
        let schema = RepositoryPaths.root.appendingPathComponent("agent/agentcore.schema.json")
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, schema.path],
            environment: ProcessInfo.processInfo.environment, stdin: input)
        guard result.status == 0 else {
            Issue.record("jsonschema failed (pip install -r sandbox/requirements.txt): \(result.output)")
            return texts.map { _ in nil }
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any] ?? []
        return decoded.map { $0 as? String }
    }
}
