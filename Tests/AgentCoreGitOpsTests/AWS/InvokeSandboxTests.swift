import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore invoke` as a person runs it, and `AgentCoreDataPlane` over real HTTP, against
/// runtimes the sandbox runs from their real code zips: the sample agent (a dad-joke version
/// served by a `live` endpoint, then a haiku version on DEFAULT), and a probe agent built on the
/// sample agent's packages that streams, raises, or echoes as asked.
@Suite(.heavy, .tags(.sandbox, .process)) struct InvokeSandboxTests {
    @Test func theSampleAgentAnswersOnDefaultAndOnANamedEndpoint() async throws {
        let sample = try await InvokeFixtures.sample.value()
        let cli = AgentCoreCLI(sandbox: try await Sandbox.shared())

        // DEFAULT follows the newest version: the haiku prompt. Text output is indented JSON.
        let byName = try await cli.run(["invoke", sample.name])
        #expect(byName.status == 0, "\(byName.output)")
        #expect(byName.stdout.contains("\"result\" : \"Code sleeps in the zip"), "\(byName.stdout)")
        #expect(byName.stderrBesidesRetries.wholeMatch(of: /session [0-9a-f-]{36}\n/) != nil, "\(byName.stderr)")

        // `live` still serves version 1, the dad-joke prompt; --json prints the answer as sent.
        let live = try await cli.run(["invoke", sample.id, "--endpoint", "live", "--json", "--payload", #"{"prompt": "joke"}"#])
        #expect(live.status == 0, "\(live.output)")
        let answer = try JSONDecoder().decode([String: String].self, from: Data(live.stdout.utf8))
        #expect(answer["result"]?.hasPrefix("I told my computer a joke about UDP.") == true, "\(live.stdout)")
        #expect(live.stdout.filter { $0 == "\n" }.count == 1, "one line")

        // By ARN, continuing a given session, with the payload from a file.
        let tree = try TempTree()
        try tree.file("payload.json", #"{"prompt": "a haiku please"}"#)
        let session = "session-" + UUID().uuidString
        let byARN = try await cli.run(["invoke", sample.arn, "--payload-file", tree.url("payload.json").path, "--session", session])
        #expect(byARN.status == 0, "\(byARN.output)")
        #expect(byARN.stdout.contains("Code sleeps in the zip") && byARN.stderrBesidesRetries == "session \(session)\n")
    }

    @Test func aStreamIsPrintedAsItArrives() async throws {
        let probe = try await InvokeFixtures.probe.value()
        let sandbox = try await Sandbox.shared()
        let key = UUID().uuidString
        let process = try LineReadingProcess(
            RepositoryPaths.executable("agentcore"), ["invoke", probe.name, "--payload", #"{"stream": "\#(key)"}"#],
            environment: sandbox.awsEnvironment)

        // The agent holds the stream open after its first event until it is released: the CLI
        // must have printed that event by then, or this line never comes.
        #expect(try await process.nextLine() == "first")
        _ = try await AgentCoreDataPlane(client: try sandbox.awsClient())
            .invoke(AgentInvocation(runtimeARN: probe.arn, payload: Data(#"{"release": "\#(key)"}"#.utf8))).text()
        #expect(try await process.nextLine() == "released")
        #expect(try await process.nextLine() == nil)
        #expect(await process.exitStatus() == 0)
    }

    @Test func theDataPlaneHandsOverEachEventAsItArrives() async throws {
        let probe = try await InvokeFixtures.probe.value()
        let plane = AgentCoreDataPlane(client: try await Sandbox.shared().awsClient())
        let key = UUID().uuidString

        let answer = try await plane.invoke(AgentInvocation(runtimeARN: probe.arn, payload: Data(#"{"stream": "\#(key)"}"#.utf8)))
        #expect(answer.isEventStream)
        var events = answer.events().makeAsyncIterator()
        #expect(try await events.next()?.data == #""first""#)
        _ = try await plane.invoke(AgentInvocation(runtimeARN: probe.arn, payload: Data(#"{"release": "\#(key)"}"#.utf8))).text()
        #expect(try await events.next()?.data == #""released""#)
        #expect(try await events.next() == nil)
    }

    @Test func aHandlerThatRaisesFailsNamingTheRuntimeTheEndpointAndTheLogs() async throws {
        let probe = try await InvokeFixtures.probe.value()
        let cli = AgentCoreCLI(sandbox: try await Sandbox.shared())

        let result = try await cli.run(["invoke", probe.name, "--payload", #"{"fail": true}"#])

        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix(
            "error: InvokeAgentRuntime on runtime \(probe.name) (\(probe.id)), endpoint DEFAULT: the agent failed: RuntimeClientError (HTTP 424)"),
            "\(result.stderr)")
        #expect(result.stderr.contains("look at its logs in CloudWatch (log group /aws/bedrock-agentcore/runtimes/\(probe.id)-DEFAULT)"))
    }

    @Test func unknownEndpointsAndRuntimesSayHowToFindTheRightName() async throws {
        let probe = try await InvokeFixtures.probe.value()
        let cli = AgentCoreCLI(sandbox: try await Sandbox.shared())

        let endpoint = try await cli.run(["invoke", probe.name, "--endpoint", "nope"])
        #expect(endpoint.status != 0)
        #expect(endpoint.stderr.contains("endpoint nope: no such runtime or endpoint: ResourceNotFoundException"), "\(endpoint.stderr)")
        #expect(endpoint.stderr.contains("`agentcore endpoint list \(probe.name)`"))

        let runtime = try await cli.run(["invoke", Sandbox.uniqueName("missing")])
        #expect(runtime.status != 0 && runtime.stderr.contains("agentcore runtime list"), "\(runtime.stderr)")
    }

    /// Every refusal comes from `validate()`: the AWS endpoint given is a closed port, so a run
    /// that got as far as a request would fail with a connection error instead.
    @Test func badInputIsRefusedBeforeAnyRequest() async throws {
        let tree = try TempTree()
        try tree.file("bad.json", "{\"prompt\": ")
        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1", "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
        ]
        let cases: [(arguments: [String], says: String)] = [
            (["bad-name"], "'bad-name' is neither a runtime id"),
            (["arn:aws:bedrock-agentcore:us-east-1:1:runtime/x"], "is not an agent runtime ARN"),
            (["agent_x", "--endpoint", "bad-endpoint"], "endpoint name 'bad-endpoint' contains '-'"),
            (["agent_x", "--payload", "{not json"], "--payload is not valid JSON — write JSON"),
            (["agent_x", "--payload", "{}", "--payload-file", tree.url("bad.json").path],
             "both --payload and --payload-file are given — give one of them"),
            (["agent_x", "--payload-file", tree.url("missing.json").path], "cannot read --payload-file"),
            (["agent_x", "--payload-file", tree.url("bad.json").path], "bad.json is not valid JSON"),
            (["agent_x", "--session", "short"], "the session id has 5 characters; AgentCore takes 33 to 256"),
        ]
        for (arguments, says) in cases {
            let result = try await AgentCoreCLI(sandbox: nil).run(["invoke"] + arguments, environment: environment)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(says), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("127.0.0.1"), "\(arguments) sent a request: \(result.stderr)")
        }
    }
}

/// The runtimes the suite invokes, deployed once with `agentcore deploy` on first use.
enum InvokeFixtures {
    struct Runtime: Sendable {
        var name: String
        var id: String
        var arn: String
    }

    /// The sample agent: version 1 with its dad-joke prompt, served by endpoint `live`; version 2
    /// with the haiku prompt, which DEFAULT follows.
    static let sample = OnceValue<Runtime> {
        let sandbox = try await Sandbox.shared()
        let agent = try DeployTestAgent(sandbox: sandbox, realAgent: true)
        let name = Sandbox.uniqueName("invoke")
        defer { agent.removeCachedBuild(name) }
        let first = try await agent.deploy(name)
        let cli = AgentCoreCLI(sandbox: sandbox)
        let live = try await cli.run(["endpoint", "create", name, first.runtime.agentRuntimeVersion, "live"] + cli.quick)
        guard live.status == 0 else { throw CLIFailure(arguments: ["endpoint", "create"], result: live) }
        let haiku = try await agent.run(name, extra: ["--prompt", agent.tree.url("prompts/haiku_bot.txt").path])
        guard haiku.status == 0 else { throw CLIFailure(arguments: ["deploy", name, "--prompt"], result: haiku) }
        return try await runtime(first.runtime.agentRuntimeId, sandbox: sandbox)
    }

    /// On the sample agent's packages: `{"stream": KEY}` streams `first`, then `released` once an
    /// invocation with `{"release": KEY}` arrives; `{"fail": true}` raises; anything else is echoed.
    static let probe = OnceValue<Runtime> {
        let sandbox = try await Sandbox.shared()
        let agent = try DeployTestAgent(sandbox: sandbox, realAgent: true)
        try agent.tree.file("agent/agent.py", probeAgent)
        let name = Sandbox.uniqueName("probe")
        defer { agent.removeCachedBuild(name) }
        return try await runtime(try await agent.deploy(name).runtime.agentRuntimeId, sandbox: sandbox)
    }

    private static func runtime(_ id: String, sandbox: Sandbox) async throws -> Runtime {
        let runtime = try await sandbox.agentCoreControl().getAgentRuntime(id: id)
        return Runtime(name: runtime.agentRuntimeName, id: id, arn: runtime.agentRuntimeArn)
    }

    static let probeAgent = """
        import os
        import threading

        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()
        RELEASES = {}
        LOCK = threading.Lock()


        def release(key):
            with LOCK:
                return RELEASES.setdefault(key, threading.Event())


        @app.entrypoint
        def invoke(payload):
            if payload.get("fail"):
                raise RuntimeError("the handler failed on purpose")
            if payload.get("release"):
                release(payload["release"]).set()
                return {"released": payload["release"]}
            if payload.get("stream"):
                return stream(payload["stream"])
            return {"echo": payload}


        def stream(key):
            yield "first"
            yield "released" if release(key).wait(60) else "never released"


        if __name__ == "__main__":
            app.run(port=int(os.environ.get("PORT", "8080")))

        """
}

/// A value made once, on first use, by whichever test asks first; later callers wait for it.
actor OnceValue<Value: Sendable> {
    private let make: @Sendable () async throws -> Value
    private var task: Task<Value, any Error>?

    init(_ make: @escaping @Sendable () async throws -> Value) { self.make = make }

    func value() async throws -> Value {
        if let task { return try await task.value }
        let task = Task { try await make() }
        self.task = task
        return try await task.value
    }
}

/// A child process whose stdout is read line by line while it runs.
final class LineReadingProcess: @unchecked Sendable {
    private let process = Process()
    private var lines: AsyncThrowingStream<String, any Error>.AsyncIterator
    private let exited: AsyncStream<Int32>

    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let (exited, exit) = AsyncStream<Int32>.makeStream()
        self.exited = exited
        process.terminationHandler = { process in
            exit.yield(process.terminationStatus)
            exit.finish()
        }
        let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        lines = stream.makeAsyncIterator()
        try process.run()
        // Blocking reads on a thread of their own, so the cooperative pool stays free.
        Thread.detachNewThread {
            let reader = stdout.fileHandleForReading
            var pending = Data()
            while true {
                let piece = reader.availableData
                if piece.isEmpty { break }
                pending.append(piece)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[pending.index(after: newline)...])
                }
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            continuation.finish()
        }
    }

    /// The next line of stdout, nil once the process has closed it.
    func nextLine() async throws -> String? { try await lines.next() }

    func exitStatus() async -> Int32 {
        for await status in exited { return status }
        return process.terminationStatus
    }
}
