import Foundation
import Testing
@testable import AgentCoreGitOps

/// The `agentcore` binary against the sandbox, as a person or a script would run it.
@Suite(.heavy, .tags(.sandbox, .process)) struct AgentCoreCLISandboxTests {
    /// The shared sandbox, started by the first suite that needs it.
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.shared() }

    @Test func createUpdateEndpointsAndCleanupWithJSONOutput() async throws {
        let cli = AgentCoreCLI(sandbox: sandbox)
        let name = Sandbox.uniqueName("cli")
        let v1 = try await sandbox.uploadCode(key: "\(name)/v1/code.zip")
        _ = try await sandbox.uploadCode(key: "\(name)/v2/code.zip")

        let created: AgentRuntime = try await cli.json(["runtime", "create", name, "--code", v1.uri] + cli.quick)
        #expect(created.agentRuntimeName == name && created.agentRuntimeVersion == "1" && created.status == .ready)
        let id = created.agentRuntimeId

        // A bare key takes AGENTCORE_S3_BUCKET; settings not given are kept.
        let updated: AgentRuntime = try await cli.json(
            ["runtime", "update", name, "--code", "\(name)/v2/code.zip", "--env", "STAGE=two"] + cli.quick)
        #expect(updated.agentRuntimeVersion == "2")
        #expect(updated.environmentVariables == ["STAGE": "two"])
        #expect(updated.agentRuntimeArtifact?.codeConfiguration?.code.s3?.prefix == "\(name)/v2/code.zip")
        #expect(updated.agentRuntimeArtifact?.codeConfiguration?.entryPoint == ["agent.py"])

        let versions: RuntimeListingJSON = try await cli.json(["runtime", "versions", id])
        #expect(versions.agentRuntimes.map(\.agentRuntimeVersion) == ["2", "1"])

        let live: AgentRuntimeEndpoint = try await cli.json(["endpoint", "create", name, "1", "live"] + cli.quick)
        #expect(live.name == "live" && live.liveVersion == "1" && live.status == .ready)
        let moved: AgentRuntimeEndpoint = try await cli.json(["endpoint", "update", id, "live", "2"] + cli.quick)
        #expect(moved.liveVersion == "2" && moved.targetVersion == "2")
        let endpoints: EndpointListingJSON = try await cli.json(["endpoint", "list", name])
        #expect(endpoints.runtimeEndpoints.map(\.name) == ["DEFAULT", "live"])

        let text = try await cli.run(["runtime", "get", name, "--version", "1"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("\(name) (\(id)) version 1: READY"))
        #expect(text.stdout.contains("code:    \(v1.uri) (PYTHON_3_11, agent.py)"))

        let cleanup: DeletionJSON = try await cli.json(["cleanup", name, "--yes"] + cli.quick)
        #expect(cleanup.agentRuntimeId == id && cleanup.deletedEndpoints == ["live"] && cleanup.status == "DELETED")
        let ours = try await sandbox.loggedRequests().filter { $0.path.contains(id) && $0.isMutating }
        #expect(ours.suffix(2).map(\.operation) == ["DeleteAgentRuntimeEndpoint", "DeleteAgentRuntime"])

        let gone = try await cli.run(["runtime", "get", id])
        #expect(gone.status != 0)
        #expect(gone.stderr.hasPrefix("error: GetAgentRuntime failed: ResourceNotFoundException"))
        #expect(gone.stderr.contains(" — check the runtime and endpoint names with `agentcore runtime list`"))
    }

    @Test func rerunningACommandChangesNothingTheSecondTime() async throws {
        let cli = AgentCoreCLI(sandbox: sandbox)
        let (name, code) = try await sandbox.newRuntimeCode("rerun")
        let create = ["runtime", "create", name, "--code", code.uri] + cli.quick
        let update = ["runtime", "update", name, "--code", code.uri, "--env", "A=1"] + cli.quick

        #expect(try await cli.run(create).status == 0)
        let again = try await cli.run(create)
        #expect(again.status == 0)
        #expect(again.stderr.contains("already exists with this code"))
        #expect(try await cli.run(update).status == 0)
        let updateAgain = try await cli.run(update)
        #expect(updateAgain.stderr.contains("version 2 of \(name) already runs this configuration; no new version made"))
        #expect(try await cli.run(["endpoint", "create", name, "2"] + cli.quick).status == 0)
        #expect(try await cli.run(["endpoint", "create", name, "2"] + cli.quick).stderr.contains("endpoint v2 already exists"))

        let client = try sandbox.agentCoreControl()
        let runtime = try #require(try await client.findRuntime(named: name))
        #expect(try await client.allAgentRuntimeVersions(id: runtime.agentRuntimeId).count == 2)

        // Someone else's runtime of that name is not taken over.
        let other = try await sandbox.uploadCode(key: "\(name)/other.zip")
        let clash = try await cli.run(["runtime", "create", name, "--code", other.uri] + cli.quick)
        #expect(clash.status != 0)
        #expect(clash.stderr.contains("a runtime named \(name) already exists"))
        #expect(clash.stderr.contains("`agentcore runtime update \(name) --code ...`"))
    }

    @Test func aFailedCreationSaysWhyAndWhatToDo() async throws {
        let cli = AgentCoreCLI(sandbox: sandbox)
        let (name, code) = try await sandbox.newRuntimeCode("broken")
        try await sandbox.awsControl("POST", "/_sandbox/fail-next", json: [
            "operation": "CreateAgentRuntime", "name_contains": name,
            "failure_reason": "Initialization exceeded 30 s: agent.py imports too much at start-up"])

        let result = try await cli.run(["runtime", "create", name, "--code", code.uri] + cli.quick)
        #expect(result.status != 0)
        #expect(result.stderr.contains("error: gave up waiting for runtime \(name)-"))
        #expect(result.stderr.contains(
            "it is CREATE_FAILED because: Initialization exceeded 30 s: agent.py imports too much at start-up — fix the cause"))
        #expect(result.stderr.contains("agentcore runtime update"))
    }

    /// Reads the whole request log, so it runs its own sandbox.
    @Test func badInputFailsBeforeAnyChange() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let cli = AgentCoreCLI(sandbox: sandbox)
        let (name, code) = try await sandbox.newRuntimeCode("guard")
        let client = try sandbox.agentCoreControl()
        let runtime = try await client.createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: sandbox.configuration(code: code)))
        try await AgentCoreWaiter(client: client, policy: AgentCoreControlSandboxTests.quick).runtimeReady(id: runtime.agentRuntimeId)
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")

        var noCredentials = sandbox.awsEnvironment
        noCredentials["AWS_ACCESS_KEY_ID"] = nil
        noCredentials["AWS_SECRET_ACCESS_KEY"] = nil
        let cases: [(arguments: [String], environment: [String: String]?, expected: String)] = [
            (["runtime", "create", "pr-42", "--code", code.uri], nil, "— use underscores: pr_42"),
            (["runtime", "create", "fresh_one", "--code", "s3://\(code.bucket)/nothing/here.zip"], nil,
             "nothing is stored at s3://\(code.bucket)/nothing/here.zip"),
            (["runtime", "create", "fresh_one", "--code", "s3://no-such-bucket-here/code.zip"], nil,
             "nothing is stored at s3://no-such-bucket-here/code.zip"),
            (["runtime", "update", name, "--code", "nothing/here.zip"], nil, "upload the code zip first"),
            (["runtime", "create", "fresh_one", "--code", code.uri, "--env", "NOEQUALS"], nil, "is not KEY=VALUE"),
            (["runtime", "create", "fresh_one", "--code", code.uri, "--python", "2.7"], nil, "use one of 3.10"),
            (["runtime", "create", "fresh_one", "--code", code.uri], noCredentials, "No AWS credentials found"),
            (["endpoint", "create", name, "7", "live"], nil, "runtime \(name) has no version 7 (it has: 1)"),
            (["endpoint", "create", name, "v1", "live"], nil, "use the number alone: 1"),
            (["endpoint", "update", name, "live", "1"], nil, "has no endpoint named live"),
            (["endpoint", "delete", name, "DEFAULT"], nil, "the DEFAULT endpoint is AWS's"),
            (["endpoint", "update", "pr-42", "live", "1"], nil, "if you meant a name, use underscores: pr_42"),
            (["runtime", "delete", name], nil, "refusing to delete without confirmation"),
            (["cleanup", name], nil, "— pass --yes to confirm"),
            (["cleanup", "nobody_here", "--yes"], nil, "no runtime is named 'nobody_here'"),
        ]
        for (arguments, environment, expected) in cases {
            let result = try await cli.run(arguments, environment: environment)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.hasPrefix("error: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }

        let log = try await sandbox.loggedRequests()
        // The checks did reach the sandbox (so the log is not empty for want of requests)...
        #expect(log.contains { $0.operation == "HeadObject" } && log.contains { $0.operation == "ListAgentRuntimeVersions" })
        // ...and nothing changed.
        let changes = log.filter(\.isMutating)
        #expect(changes.isEmpty, "\(changes.map { "\($0.method) \($0.path)" })")
        #expect(try await client.findRuntime(named: name) != nil)
    }

    /// Slows every change down, so it runs its own sandbox.
    @Test func aWaitThatRunsOutOfTimeSaysHowToCheckLater() async throws {
        let sandbox = try await Sandbox.launch(arguments: ["--ready-delay", "30"])
        defer { sandbox.stop() }
        let cli = AgentCoreCLI(sandbox: sandbox)
        let (name, code) = try await sandbox.newRuntimeCode("slow")

        let waited = try await cli.run(["runtime", "create", name, "--code", code.uri, "--timeout", "0.5", "--poll-interval", "0.1"])
        #expect(waited.status != 0)
        #expect(waited.stderr.contains("error: timed out after 0.5s waiting for runtime \(name)-"))
        #expect(waited.stderr.contains("last status CREATING — it may still finish: check with `agentcore runtime get \(name)-"))

        let other = Sandbox.uniqueName("slow")
        let change: AgentRuntimeChangeJSON = try await cli.json(["runtime", "create", other, "--code", code.uri, "--no-wait"])
        #expect(change.status == "CREATING" && change.agentRuntimeVersion == "1")
    }

    /// Confirmation needs a terminal: util-linux `script` gives the command one.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func cleanupAsksOnATerminalAndDeletesOnlyWhenConfirmed() async throws {
        let cli = AgentCoreCLI(sandbox: sandbox)
        let (name, code) = try await sandbox.newRuntimeCode("asked")
        #expect(try await cli.run(["runtime", "create", name, "--code", code.uri] + cli.quick).status == 0)
        #expect(try await cli.run(["endpoint", "create", name, "1", "live"] + cli.quick).status == 0)
        let command = ([RepositoryPaths.executable("agentcore").path, "cleanup", name] + cli.quick).joined(separator: " ")
        func cleanup(answering answer: String) async throws -> ProcessResult {
            try await runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
                                 environment: sandbox.awsEnvironment, stdin: answer + "\n")
        }

        let refused = try await cleanup(answering: "yes")
        #expect(refused.status != 0)
        #expect(refused.output.contains("This deletes endpoints live, then runtime \(name) ("))
        #expect(refused.output.contains("not confirmed, so nothing was deleted"))
        let client = try sandbox.agentCoreControl()
        #expect(try await client.findRuntime(named: name) != nil)

        let confirmed = try await cleanup(answering: name)
        #expect(confirmed.status == 0, "\(confirmed.output)")
        #expect(confirmed.output.contains("DELETED"))
        #expect(try await client.findRuntime(named: name) == nil)
    }

    @Test func helpAndUsageErrors() async throws {
        let cli = AgentCoreCLI(sandbox: nil)
        let help = try await cli.run(["--help"])
        #expect(help.status == 0)
        for command in ["runtime", "endpoint", "cleanup", "AGENTCORE_ROLE_ARN"] { #expect(help.stdout.contains(command)) }
        let missing = try await cli.run(["endpoint", "create"])
        #expect(missing.status != 0)
        #expect(missing.stderr.hasPrefix("error: Missing expected argument '<runtime>' — run with --help"))
    }
}

/// Runs the built `agentcore` with a sandbox's settings (or none).
struct AgentCoreCLI {
    let sandbox: Sandbox?
    /// Waits poll quickly in tests.
    let quick = ["--poll-interval", "0.05", "--timeout", "60"]

    func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
        try await runProcess(
            RepositoryPaths.executable("agentcore"), arguments, environment: environment ?? sandbox?.awsEnvironment ?? [:])
    }

    /// Runs with `--json` and decodes stdout as the one JSON object it must be.
    func json<T: Decodable>(_ arguments: [String]) async throws -> T {
        let result = try await run(arguments + ["--json"])
        guard result.status == 0 else {
            throw CLIFailure(arguments: arguments, result: result)
        }
        return try AgentCoreJSON.decoder.decode(T.self, from: Data(result.stdout.utf8))
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    let arguments: [String]
    let result: ProcessResult
    var description: String { "agentcore \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)" }
}

struct RuntimeListingJSON: Decodable { var agentRuntimes: [AgentRuntimeSummary] }
struct EndpointListingJSON: Decodable { var runtimeEndpoints: [AgentRuntimeEndpoint] }
struct DeletionJSON: Decodable {
    var agentRuntimeId: String
    var agentRuntimeName: String
    var deletedEndpoints: [String]?
    var status: String
}
struct AgentRuntimeChangeJSON: Decodable {
    var agentRuntimeId: String
    var agentRuntimeVersion: String
    var status: String
}
