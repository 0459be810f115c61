import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore.json` beyond the first keys: every member of the current API, environments merged
/// over the base, `${NAME}` from the job's environment.
@Suite struct EnvironmentSettingsTests {
    static let full = """
        {"description": "Joke bot", "environmentVariables": {"LOG_LEVEL": "INFO", "API_KEY": "${JOKE_API_KEY}"},
         "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 600, "maxLifetime": 1209600},
         "networkConfiguration": {"networkMode": "PUBLIC"},
         "protocolConfiguration": {"serverProtocol": "MCP", "port": 8000, "path": "/mcp"},
         "requestHeaderConfiguration": {"requestHeaderAllowlist": ["X-Tenant", "Authorization"]},
         "filesystemConfigurations": [{"sessionStorage": {"mountPath": "/mnt/session"}}],
         "tags": {"team": "jokes"}, "platformVersion": "V2",
         "allowedPorts": [{"port": 9000}, {"portRange": {"from": 9100, "to": 9200}}],
         "resourceConfigurations": [{"minimumMemoryInMiB": 2048}],
         "hooksConfiguration": {"build": {"warmup": {"action": {"httpPost": {"path": "/warmup", "port": 8000}}}}},
         "environments": {
           "pr": {"environmentVariables": {"LOG_LEVEL": "DEBUG"}, "lifecycle": {"maxLifetime": 3600},
                  "filesystemConfigurations": []},
           "prod": {"authorizerConfiguration": {"customJWTAuthorizer": {
                      "discoveryUrl": "https://issuer.example.com/.well-known/openid-configuration",
                      "allowedAudience": ["jokes"], "allowedClients": ["web"], "allowedScopes": ["jokes/read"],
                      "customClaims": [{"inboundTokenClaimName": "tier", "inboundTokenClaimValueType": "STRING",
                        "authorizingClaimMatchValue": {"claimMatchValue": {"matchValueString": "gold"}, "claimMatchOperator": "EQUALS"}}]}},
                    "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {
                      "subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-0123456789abcdef0"]}},
                    "tags": {"stage": "prod"}}}}
        """

    /// An override that removes base settings with `null` and makes the network public.
    static let overridesThatRemove = """
        {"description": "Joke bot", "environmentVariables": {"LOG_LEVEL": "INFO", "TRACE": "on"},
         "authorizerConfiguration": {"customJWTAuthorizer": {
           "discoveryUrl": "https://issuer.example.com/.well-known/openid-configuration", "allowedAudience": ["jokes"]}},
         "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {
           "subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-0123456789abcdef0"]}},
         "platformVersion": "V2",
         "environments": {"pr": {"description": null, "authorizerConfiguration": null, "networkMode": "PUBLIC",
                                 "environmentVariables": {"TRACE": null}, "platformVersion": null}}}
        """

    @Test("every member is read; each environment is the base with its overrides merged")
    func environmentsMerge() throws {
        let settings = try RuntimeSettings.parse(Data(Self.full.utf8))
        let base = settings.base
        #expect(base.serverProtocol == ProtocolConfiguration(serverProtocol: "MCP", port: 8000, path: "/mcp"))
        #expect(base.requestHeaders?.requestHeaderAllowlist == ["X-Tenant", "Authorization"])
        #expect(base.filesystems == [FilesystemConfiguration(sessionStorage: .init(mountPath: "/mnt/session"))])
        #expect(base.platformVersion == "V2")
        #expect(base.allowedPorts == [AllowedPort(port: 9000), AllowedPort(portRange: .init(from: 9100, to: 9200))])
        #expect(base.resources == [ResourceConfiguration(minimumMemoryInMiB: 2048)])
        #expect(base.hooks?.build?.warmup?.action.httpPost == .init(path: "/warmup", port: 8000))
        #expect(base.authorizer == nil && base.network == .public)

        let pr = settings.settings(for: .pr)
        // Objects merged by key: LOG_LEVEL replaced, API_KEY kept; idle kept, maxLifetime replaced.
        #expect(pr.environmentVariables == ["LOG_LEVEL": "DEBUG", "API_KEY": "${JOKE_API_KEY}"])
        #expect(pr.lifecycle == LifecycleConfiguration(idleRuntimeSessionTimeout: 600, maxLifetime: 3600))
        // Lists replaced whole.
        #expect(pr.filesystems == [])
        #expect(pr.network == .public && pr.authorizer == nil)

        let prod = settings.settings(for: .prod)
        #expect(prod.network.networkMode == "VPC")
        #expect(prod.network.networkModeConfig?.subnets == ["subnet-0123456789abcdef0"])
        let jwt = try #require(prod.authorizer?.customJWTAuthorizer)
        #expect(jwt.allowedAudience == ["jokes"] && jwt.allowedScopes == ["jokes/read"])
        #expect(jwt.customClaims?.first?.authorizingClaimMatchValue.claimMatchValue.matchValueString == "gold")
        #expect(prod.tags == ["team": "jokes", "stage": "prod"])
        #expect(prod.lifecycle.maxLifetime == 1_209_600)
    }

    @Test("${NAME} is read from the job's environment, remembered as secret, and a missing one is named")
    func references() throws {
        let settings = try RuntimeSettings.parse(Data(Self.full.utf8))
        let resolved = try settings.resolved(for: .prod, variables: ["JOKE_API_KEY": "s3cr3t-value"])
        #expect(resolved.environmentVariables["API_KEY"] == "s3cr3t-value")
        #expect(resolved.secretVariables == ["API_KEY"])
        #expect(resolved.secretValues == ["s3cr3t-value"])

        let error = #expect(throws: RuntimeSettingsError.self) { try settings.resolved(for: .pr, variables: [:]) }
        #expect(error?.field == "environments.pr.environmentVariables")
        #expect(error?.description.contains("${JOKE_API_KEY}") == true)
        #expect(error?.description.contains("JOKE_API_KEY: ${{ secrets.JOKE_API_KEY }}") == true, "\(String(describing: error))")
    }

    @Test("null in an override removes the base's setting; an override of the network replaces it whole")
    func overridesRemoveAndReplace() throws {
        let settings = try RuntimeSettings.parse(Data(Self.overridesThatRemove.utf8))
        let pr = settings.settings(for: .pr)
        #expect(pr.description == nil && pr.authorizer == nil && pr.platformVersion == nil)
        #expect(pr.environmentVariables == ["LOG_LEVEL": "INFO"])
        // PUBLIC takes no networkModeConfig: the base's subnets do not ride along.
        #expect(pr.network == .public, "\(pr.network)")

        let prod = settings.settings(for: .prod)
        #expect(prod.description == "Joke bot" && prod.authorizer != nil && prod.platformVersion == "V2")
        #expect(prod.network.networkMode == "VPC" && prod.network.networkModeConfig?.subnets == ["subnet-0123456789abcdef0"])
        #expect(prod.environmentVariables == ["LOG_LEVEL": "INFO", "TRACE": "on"])
    }

    @Test(arguments: ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                      "ACTIONS_RUNTIME_TOKEN", "RUNNER_TEMP", "AGENTCORE_GITHUB_TOKEN"])
    func theJobsOwnCredentialsCannotBeReferenced(name: String) {
        let json = #"{"environments": {"pr": {"environmentVariables": {"X": "${\#(name)}"}}}}"#
        let error = #expect(throws: RuntimeSettingsError.self) { try RuntimeSettings.parse(Data(json.utf8)) }
        #expect(error?.field == "environments.pr.environmentVariables.X", "\(String(describing: error))")
        #expect(error?.description.contains("${\(name)}") == true, "\(String(describing: error))")
    }

    @Test("the configuration sent carries every member")
    func configurationCarriesEverything() throws {
        let prod = try RuntimeSettings.parse(Data(Self.full.utf8)).resolved(for: .prod, variables: ["JOKE_API_KEY": "k3y-value"])
        let configuration = prod.configuration(
            artifact: .code(S3CodeLocation(bucket: "b-1", prefix: "prod/packages/a.zip"), runtime: "PYTHON_3_11", entryPoint: ["agent.py"]),
            roleArn: "arn:aws:iam::123456789012:role/r", description: "Joke bot [agentcore-gitops o/r prod]")
        let json = String(decoding: try AgentCoreJSON.encoder.encode(configuration), as: UTF8.self)
        for member in ["authorizerConfiguration", "requestHeaderConfiguration", "filesystemConfigurations", "platformVersion",
                       "allowedPorts", "resourceConfigurations", "hooksConfiguration", "networkModeConfig", "\"port\":8000"] {
            #expect(json.contains(member), "\(member) missing from \(json)")
        }
        #expect(!json.contains("tags"), "tags go with CreateAgentRuntime only")
    }

    @Test(arguments: [
        (#"{"networkMode": "PUBLIC", "networkConfiguration": {"networkMode": "PUBLIC"}}"#, "networkMode and networkConfiguration are both set"),
        (#"{"environments": {"prod": {"python": "3.12"}}}"#, "environments.prod.python is a packaging setting"),
        (#"{"environments": {"staging": {}}}"#, "environments.staging is not a known setting"),
        (#"{"environments": {"prod": {"networkMode": "VPC"}}}"#, "environments.prod.networkConfiguration.networkModeConfig is missing"),
        (#"{"environments": {"pr": {"protocol": "SOAP"}}}"#, "environments.pr.protocol 'SOAP' is not allowed"),
        (#"{"lifecycle": {"idleRuntimeSessionTimeout": 300, "maxLifetime": 600}, "environments": {"pr": {"lifecycle": {"idleRuntimeSessionTimeout": 900}}}}"#,
         "environments.pr.lifecycle.idleRuntimeSessionTimeout (900 s) cannot exceed maxLifetime (600 s)"),
        (#"{"environmentVariables": {"A": "${lower-case}"}}"#, "environmentVariables.A has a '${' that is not a reference"),
        (#"{"onDrift": "ignore"}"#, "onDrift 'ignore' is not allowed"),
        (#"{"networkConfiguration": {"networkMode": "PUBLIC", "networkModeConfig": {"subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-0123456789abcdef0"]}}}"#,
         "networkConfiguration.networkModeConfig is only for networkMode VPC"),
        (#"{"uvConfig": "pyproject.toml"}"#, "uvConfig 'pyproject.toml' is not a uv.toml file"),
        (#"{"allowedPorts": [{"port": 9000}, {"portRange": {"from": 8990, "to": 9010}}]}"#, "allowedPorts[1] overlaps an earlier entry"),
        (#"{"authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "https://i.example.com/.well-known/openid-configuration", "allowedScopes": ["a"], "advertisedScopeMapping": {"b": "c"}}}}"#,
         "advertisedScopeMapping.b is not one of allowedScopes"),
    ])
    func errorsNameTheField(json: String, message: String) {
        let error = #expect(throws: RuntimeSettingsError.self) { try RuntimeSettings.parse(Data(json.utf8)) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }

    @Test("uvConfig is handed to the packager")
    func uvConfigReachesThePackager() throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "print('hi')\n")
        try tree.file("agent/requirements.txt", "")
        try tree.file("agent/uv.toml", "index-url = \"https://example.invalid/simple\"\n")
        try tree.file("agent/agentcore.json", #"{"uvConfig": "uv.toml"}"#)
        let settings = try RuntimeSettings.load(agentDirectory: tree.url("agent"))
        #expect(settings.uvConfig == "uv.toml")
        try tree.file("agent/agentcore.json", #"{"uvConfig": "missing.toml"}"#)
        let error = #expect(throws: RuntimeSettingsError.self) { try RuntimeSettings.load(agentDirectory: tree.url("agent")) }
        #expect(error?.field == "uvConfig")
    }
}
