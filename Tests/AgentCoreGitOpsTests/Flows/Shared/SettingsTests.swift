import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct DeploymentSettingsTests {
    let complete = [
        "AGENTCORE_ROLE_ARN": "arn:aws:iam::123456789012:role/AgentCoreExecution",
        "AGENTCORE_S3_BUCKET": "my-agent-packages",
    ]

    @Test func defaultsFillTheOptionalSettings() throws {
        let settings = try DeploymentSettings.fromEnvironment(complete)
        #expect(settings.prodRuntimeName == "prod")
        #expect(settings.prodEndpointName == "prod")
        #expect(settings.approverPermission == .write)
        #expect(settings.botLogin == "github-actions[bot]")
    }

    @Test func emptyVariablesCountAsUnsetAndAllProblemsAreListed() {
        let error = #expect(throws: SettingsError.self) {
            try DeploymentSettings.fromEnvironment(["AGENTCORE_ROLE_ARN": "", "AGENTCORE_APPROVER_PERMISSION": "triage"])
        }
        #expect(error?.problems.count == 3)
        #expect(error?.description.contains("AGENTCORE_S3_BUCKET is not set") == true)
        #expect(error?.description.contains("docs/setup.md") == true)
    }

    @Test(arguments: [
        ("AGENTCORE_PROD_RUNTIME", "pr_7", "pull-request runtime"),
        ("AGENTCORE_PROD_RUNTIME", "pr_main", "pull-request runtime"),
        ("AGENTCORE_PROD_RUNTIME", "prod-main", "not a valid AgentCore name"),
        ("AGENTCORE_PROD_ENDPOINT", "DEFAULT", "cannot be DEFAULT"),
        ("AGENTCORE_ROLE_ARN", "arn:aws:iam::12:role/x", "not an IAM role ARN"),
        ("AGENTCORE_S3_BUCKET", "Bad_Bucket", "not a valid bucket name"),
    ])
    func badValuesAreNamed(variable: String, value: String, message: String) {
        var environment = complete
        environment[variable] = value
        let error = #expect(throws: SettingsError.self) { try DeploymentSettings.fromEnvironment(environment) }
        #expect(error?.problems == [error?.problems.first(where: { $0.contains(message) }) ?? "missing: \(message)"])
    }

    @Test func approverRanksFollowGitHubRoles() {
        #expect(ApproverPermission.write.isSatisfied(byRole: "maintain"))
        #expect(ApproverPermission.write.isSatisfied(byRole: "write"))
        #expect(!ApproverPermission.write.isSatisfied(byRole: "triage"))
        #expect(!ApproverPermission.maintain.isSatisfied(byRole: "write"))
        #expect(!ApproverPermission.write.isSatisfied(byRole: "custom-deployer"))
        #expect(ApproverPermission.admin.isSatisfied(byRole: "admin"))
    }
}

@Suite struct RuntimeSettingsTests {
    @Test func parsesEveryField() throws {
        let settings = try RuntimeSettings.parse(Data("""
            {"$schema": "./agentcore.schema.json", "entryPoint": "main.py", "python": "3.10",
             "requirements": "deps/requirements.txt", "prompt": "prompts/bot.txt", "description": "Joke bot",
             "environmentVariables": {"LOG_LEVEL": "INFO"},
             "lifecycle": {"idleRuntimeSessionTimeout": 120, "maxLifetime": 3600},
             "networkMode": "PUBLIC", "protocol": "MCP"}
            """.utf8))
        #expect(settings.entryPoint == "main.py")
        #expect(settings.python == "3.10")
        #expect(settings.requirements == "deps/requirements.txt")
        #expect(settings.prompt == "prompts/bot.txt")
        #expect(settings.base.environmentVariables == ["LOG_LEVEL": "INFO"])
        #expect(settings.base.lifecycle == LifecycleConfiguration(idleRuntimeSessionTimeout: 120, maxLifetime: 3600))
        #expect(settings.base.serverProtocol == ProtocolConfiguration(serverProtocol: "MCP"))
        #expect(settings.base.network == .public)
        #expect(settings.smokeTest == nil, "no smokeTest: the minimal test applies")
    }

    @Test func theSmokeTestIsReadFromItsSection() throws {
        let settings = try RuntimeSettings.parse(Data("""
            {"python": "3.12", "smokeTest": {"payload": {"prompt": "Tell me a joke"}, "expect": "joke|pun", "timeoutSeconds": 20}}
            """.utf8))
        #expect(settings.smokeTest == (try SmokeTestSettings(payload: ["prompt": .string("Tell me a joke")], expect: "joke|pun", timeoutSeconds: 20)))
        #expect(settings.python == "3.12")
    }

    @Test(arguments: [
        (#"{"pyhton": "3.11"}"#, "agentcore.json: pyhton is not a known setting"),
        (#"{"python": 3.1}"#, "agentcore.json: python must be a string"),
        (#"{"python": "3.9"}"#, "agentcore.json: python '3.9' is not a Python AgentCore runs — use a string from \"3.10\""),
        (#"{"entryPoint": "src/agent.py"}"#, "agentcore.json: entryPoint 'src/agent.py' has the wrong form — a .py file name"),
        (#"{"prompt": "/etc/passwd"}"#, "agentcore.json: prompt '/etc/passwd' is not a relative path — give a path relative to the agent directory"),
        (#"{"lifecycle": {"maxLifetime": 1209601}}"#, "agentcore.json: lifecycle.maxLifetime must be a whole number of seconds from 60 to 1,209,600"),
        (#"{"lifecycle": {"maxLifetime": true}}"#, "agentcore.json: lifecycle.maxLifetime must be a whole number"),
        (#"{"lifecycle": {"idleRuntimeSessionTimeout": 900, "maxLifetime": 600}}"#, "lifecycle.idleRuntimeSessionTimeout (900 s) cannot exceed maxLifetime (600 s)"),
        (#"{"environmentVariables": {"DEBUG": true}}"#, "agentcore.json: environmentVariables.DEBUG must be a string"),
        (#"{"environmentVariables": {"1BAD": "x"}}"#, "environmentVariables.1BAD is not a valid variable name"),
        (#"{"networkMode": "VPC"}"#, "networkConfiguration.networkModeConfig is missing — networkMode VPC needs"),
        (#"{"protocol": "gRPC"}"#, "agentcore.json: protocol 'gRPC' is not allowed — use one of HTTP, MCP, A2A, AGUI"),
        (#"["python"]"#, "agentcore.json must be a JSON object"),
        (#"{"python": }"#, "agentcore.json is not valid JSON"),
        (#"{"smokeTest": {"expect": "("}}"#, "agentcore.json: smokeTest.expect '(' is not a regular expression"),
        (#"{"smokeTest": {"timeoutSeconds": 0}}"#, "agentcore.json: smokeTest.timeoutSeconds is 0 — give a whole number"),
        (#"{"smokeTest": "ping"}"#, "agentcore.json: smokeTest must be a JSON object"),
    ])
    func errorsNameTheField(json: String, message: String) {
        let error = #expect(throws: RuntimeSettingsError.self) { try RuntimeSettings.parse(Data(json.utf8)) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }

    @Test func missingFileGivesDefaultsAndNamedFilesMustExist() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try RuntimeSettings.load(agentDirectory: directory) == RuntimeSettings())

        try Data(#"{"prompt": "missing.txt"}"#.utf8).write(to: directory.appendingPathComponent("agentcore.json"))
        try Data().write(to: directory.appendingPathComponent("agent.py"))
        try Data().write(to: directory.appendingPathComponent("requirements.txt"))
        let error = #expect(throws: RuntimeSettingsError.self) { try RuntimeSettings.load(agentDirectory: directory) }
        #expect(error?.field == "prompt")
        #expect(error?.problem.contains("missing.txt, which does not exist") == true)

        try Data(#"{"prompt": "../../etc/passwd"}"#.utf8).write(to: directory.appendingPathComponent("agentcore.json"))
        let escape = #expect(throws: RuntimeSettingsError.self) { try RuntimeSettings.load(agentDirectory: directory) }
        #expect(escape?.problem.contains("points outside the repository") == true)
    }

    @Test func theSampleAgentsSettingsAreValid() throws {
        let settings = try RuntimeSettings.load(agentDirectory: RepositoryPaths.root.appendingPathComponent("agent"))
        #expect(settings.entryPoint == "agent.py")
        #expect(settings.prompt != nil)
        // The sample answers {"result": ...}, or {"error": ...} with a 200 when its model call fails.
        #expect(settings.smokeTest?.expect == #""result""#)
    }

    @Test func aSmokeTestErrorNamesTheFileItIsIn() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"smokeTest": {"expected": "x"}}"#.utf8).write(to: directory.appendingPathComponent("agentcore.json"))
        let error = #expect(throws: RuntimeSettingsError.self) { try RuntimeSettings.load(agentDirectory: directory) }
        #expect(error?.source == directory.appendingPathComponent("agentcore.json").path)
        #expect(error?.description.hasSuffix("smokeTest.expected is not a known setting (known: expect, payload, timeoutSeconds) — remove it, or correct its name") == true)
    }
}
