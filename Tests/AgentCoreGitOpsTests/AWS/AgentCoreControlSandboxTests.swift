import Foundation
import Testing
@testable import AgentCoreGitOps

/// The real client and waiters over real HTTP against the sandbox (moto with AWS's behaviour).
@Suite(.heavy, .tags(.sandbox)) struct AgentCoreControlSandboxTests {
    /// The shared sandbox, started by the first suite that needs it.
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.shared() }

    static let quick = WaitPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200), timeout: .seconds(120))

    @Test func runtimeAndEndpointLifecycle() async throws {
        let client = try sandbox.agentCoreControl()
        let waiter = AgentCoreWaiter(client: client, policy: Self.quick)
        let name = Sandbox.uniqueName("lib")
        let code = try await sandbox.uploadCode(key: "\(name)/v1/code.zip")

        let created = try await client.createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: sandbox.configuration(code: code)))
        #expect(created.agentRuntimeId.hasPrefix(name + "-"))
        #expect(created.agentRuntimeVersion == "1")
        let ready = try await waiter.runtimeReady(id: created.agentRuntimeId, version: "1")
        #expect(ready.agentRuntimeName == name)
        #expect(ready.agentRuntimeArtifact?.codeConfiguration?.code.s3 == code)
        #expect(try await client.findRuntime(named: name)?.agentRuntimeId == created.agentRuntimeId)

        var configuration = try #require(ready.configuration)
        configuration.environmentVariables = ["STAGE": "two"]
        let updated = try await client.updateAgentRuntime(
            UpdateAgentRuntimeRequest(agentRuntimeId: created.agentRuntimeId, configuration: configuration))
        #expect(updated.agentRuntimeVersion == "2")
        #expect(try await waiter.runtimeReady(id: created.agentRuntimeId, version: "2").environmentVariables == ["STAGE": "two"])
        let versions = try await client.allAgentRuntimeVersions(id: created.agentRuntimeId).map(\.agentRuntimeVersion)
        #expect(Set(versions) == ["1", "2"])

        _ = try await client.createAgentRuntimeEndpoint(
            CreateAgentRuntimeEndpointRequest(agentRuntimeId: created.agentRuntimeId, name: "live", agentRuntimeVersion: "1"))
        #expect(try await waiter.endpointReady(runtimeId: created.agentRuntimeId, name: "live", version: "1").liveVersion == "1")
        _ = try await client.updateAgentRuntimeEndpoint(
            UpdateAgentRuntimeEndpointRequest(agentRuntimeId: created.agentRuntimeId, endpointName: "live", agentRuntimeVersion: "2"))
        #expect(try await waiter.endpointReady(runtimeId: created.agentRuntimeId, name: "live", version: "2").liveVersion == "2")
        let endpoints = try await client.allAgentRuntimeEndpoints(runtimeId: created.agentRuntimeId)
        #expect(Set(endpoints.map(\.name)) == ["DEFAULT", "live"])

        _ = try await client.deleteAgentRuntimeEndpoint(runtimeId: created.agentRuntimeId, name: "live")
        try await waiter.endpointDeleted(runtimeId: created.agentRuntimeId, name: "live")
        _ = try await client.deleteAgentRuntime(id: created.agentRuntimeId)
        try await waiter.runtimeDeleted(id: created.agentRuntimeId)
        #expect(try await client.findRuntime(named: name) == nil)
    }

    @Test func listingsFollowPagesOverHTTP() async throws {
        let client = try sandbox.agentCoreControl()
        let code = try await sandbox.uploadCode(key: "pages/code.zip")
        var names: [String] = []
        for _ in 0..<3 {
            let name = Sandbox.uniqueName("page")
            _ = try await client.createAgentRuntime(
                CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: sandbox.configuration(code: code)))
            names.append(name)
        }
        let first = try await client.listAgentRuntimes(maxResults: 2, nextToken: nil)
        #expect(first.items.count == 2)
        #expect(first.nextToken != nil)
        let all = try await client.allAgentRuntimes()
        #expect(Set(names).isSubset(of: Set(all.map(\.agentRuntimeName))))
        // Pages neither repeat nor skip: every id once.
        #expect(Set(all.map(\.agentRuntimeId)).count == all.count)
    }

    @Test func anUpdateThatFailsSurfacesItsReason() async throws {
        let client = try sandbox.agentCoreControl()
        let (name, code) = try await sandbox.newRuntimeCode("upfail")
        let created = try await client.createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: sandbox.configuration(code: code)))
        let waiter = AgentCoreWaiter(client: client, policy: Self.quick)
        try await waiter.runtimeReady(id: created.agentRuntimeId)
        try await sandbox.awsControl("POST", "/_sandbox/fail-next", json: [
            "operation": "UpdateAgentRuntime", "name_contains": name, "failure_reason": "python 3.11 wheels missing"])

        let updated = try await client.updateAgentRuntime(
            UpdateAgentRuntimeRequest(agentRuntimeId: created.agentRuntimeId, configuration: sandbox.configuration(code: code)))
        await #expect(throws: WaiterError(
            kind: .failed(reason: "python 3.11 wheels missing"),
            waitedFor: "runtime \(created.agentRuntimeId) version 2 to become READY", lastStatus: "UPDATE_FAILED")) {
            try await waiter.runtimeReady(id: created.agentRuntimeId, version: updated.agentRuntimeVersion)
        }
    }

    /// Changes global sandbox settings (faults), so it runs its own sandbox.
    @Test func aRetriedCreateResendsTheSameClientTokenAndMakesOneRuntime() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let client = try sandbox.agentCoreControl()
        let (name, code) = try await sandbox.newRuntimeCode("retry")
        try await sandbox.awsControl("POST", "/_sandbox/faults", json: [
            "service": "bedrock-agentcore", "operation": "CreateAgentRuntime", "fault": "throttle", "count": 1])

        let request = CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: sandbox.configuration(code: code))
        let created = try await client.createAgentRuntime(request)
        // Repeating the same logical call (a rerun after a crash) returns the same runtime.
        let repeated = try await client.createAgentRuntime(request)
        #expect(repeated.agentRuntimeId == created.agentRuntimeId)

        let creates = try await sandbox.loggedRequests().filter { $0.operation == "CreateAgentRuntime" }
        #expect(creates.map(\.status) == [429, 202, 202])
        #expect(creates.allSatisfy { $0.clientToken == request.clientToken })
        #expect(try await client.allAgentRuntimes().filter { $0.agentRuntimeName == name }.count == 1)
    }
}

/// What the sandbox's request log records of one AWS request.
struct LoggedRequest: Decodable {
    var service: String?
    var operation: String?
    var method: String
    var path: String
    var status: Int?
    var clientToken: String?

    static let mutatingMethods: Set<String> = ["PUT", "POST", "DELETE"]
    /// Changes something (list calls are POSTs but read only).
    var isMutating: Bool { Self.mutatingMethods.contains(method) && !(operation ?? "").hasPrefix("List") }
}

extension Sandbox {
    /// A runtime name no other test uses: tests share one sandbox and run in parallel.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }

    func awsClient() throws -> AWSClient {
        AWSClient(configuration: try AWSConfiguration.resolve(environment: awsEnvironment), transport: URLSessionTransport(session: Self.session))
    }

    func agentCoreControl() throws -> AgentCoreControl {
        AgentCoreControl(transport: try awsClient())
    }

    /// Puts a small stand-in code zip in the sandbox bucket.
    func uploadCode(key: String) async throws -> S3CodeLocation {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("code-\(UUID().uuidString).zip")
        try Data("PK\u{5}\u{6}".utf8 + Data(count: 18)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await S3Client(client: try awsClient()).putObject(bucket: info.s3Bucket, key: key, fileURL: file)
        return S3CodeLocation(bucket: info.s3Bucket, prefix: key)
    }

    /// A runtime name no other test uses (`uniqueName`), and a code zip uploaded under it.
    func newRuntimeCode(_ prefix: String) async throws -> (name: String, code: S3CodeLocation) {
        let name = Self.uniqueName(prefix)
        return (name, try await uploadCode(key: "\(name)/code.zip"))
    }

    func configuration(code: S3CodeLocation) -> AgentRuntimeConfiguration {
        AgentRuntimeConfiguration(
            agentRuntimeArtifact: .code(code, runtime: "PYTHON_3_11", entryPoint: ["agent.py"]), roleArn: info.roleArn)
    }

    func loggedRequests() async throws -> [LoggedRequest] {
        struct Log: Decodable { var requests: [LoggedRequest] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Log.self, from: try await awsControl("GET", "/_sandbox/requests")).requests
    }
}
