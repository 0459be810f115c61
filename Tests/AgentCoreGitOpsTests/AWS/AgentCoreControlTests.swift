import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct AgentCoreControlTests {
    typealias Samples = AgentCoreSamples
    let id = AgentCoreSamples.runtimeId

    /// Answers each operation with a minimal valid body.
    static func answeringEverything() -> FakeAWSTransport {
        FakeAWSTransport { request in
            switch request.operation {
            case "CreateAgentRuntime", "UpdateAgentRuntime":
                return FakeAWSTransport.json([
                    "agentRuntimeArn": "arn", "agentRuntimeId": Samples.runtimeId, "agentRuntimeVersion": "2",
                    "createdAt": 1_763_700_000, "status": "CREATING"], status: 202)
            case "GetAgentRuntime": return FakeAWSTransport.json(Samples.runtime())
            case "DeleteAgentRuntime", "DeleteAgentRuntimeEndpoint":
                return FakeAWSTransport.json(["status": "DELETING"], status: 202)
            case "ListAgentRuntimes", "ListAgentRuntimeVersions": return FakeAWSTransport.json(["agentRuntimes": []])
            case "CreateAgentRuntimeEndpoint", "UpdateAgentRuntimeEndpoint":
                return FakeAWSTransport.json([
                    "targetVersion": "2", "agentRuntimeEndpointArn": "arn:e", "agentRuntimeArn": "arn",
                    "status": "CREATING", "createdAt": 1_763_700_000], status: 202)
            case "GetAgentRuntimeEndpoint": return FakeAWSTransport.json(Samples.endpoint())
            case "ListAgentRuntimeEndpoints": return FakeAWSTransport.json(["runtimeEndpoints": []])
            default: throw AWSError(code: "UnknownOperation", message: "", httpStatus: 400, operation: request.operation)
            }
        }
    }

    static let configuration = AgentRuntimeConfiguration(
        agentRuntimeArtifact: .code(S3CodeLocation(bucket: "b", prefix: "pr_42/abc/code.zip"),
                                    runtime: "PYTHON_3_11", entryPoint: ["agent.py"]),
        roleArn: "arn:aws:iam::123456789012:role/AgentRuntime", environmentVariables: ["MODE": "test"])

    @Test func elevenOperationsUseTheModelsMethodsAndPaths() async throws {
        let transport = Self.answeringEverything()
        let client = AgentCoreControl(transport: transport)
        _ = try await client.createAgentRuntime(CreateAgentRuntimeRequest(agentRuntimeName: "pr_42", configuration: Self.configuration))
        _ = try await client.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: id, configuration: Self.configuration))
        _ = try await client.getAgentRuntime(id: id, version: "3")
        _ = try await client.deleteAgentRuntime(id: id)
        _ = try await client.listAgentRuntimes(maxResults: 10, nextToken: "t1")
        _ = try await client.listAgentRuntimeVersions(id: id, maxResults: nil, nextToken: nil)
        _ = try await client.createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(agentRuntimeId: id, name: "live", agentRuntimeVersion: "1"))
        _ = try await client.getAgentRuntimeEndpoint(runtimeId: id, name: "live")
        _ = try await client.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(agentRuntimeId: id, endpointName: "live", agentRuntimeVersion: "2"))
        _ = try await client.deleteAgentRuntimeEndpoint(runtimeId: id, name: "live")
        _ = try await client.listAgentRuntimeEndpoints(runtimeId: id, maxResults: 5, nextToken: nil)

        #expect(transport.requests.map { "\($0.operation) \($0.method) \($0.path)" } == [
            "CreateAgentRuntime PUT /runtimes/",
            "UpdateAgentRuntime PUT /runtimes/pr_42-AbCdEfGhIj/",
            "GetAgentRuntime GET /runtimes/pr_42-AbCdEfGhIj/",
            "DeleteAgentRuntime DELETE /runtimes/pr_42-AbCdEfGhIj/",
            "ListAgentRuntimes POST /runtimes/",
            "ListAgentRuntimeVersions POST /runtimes/pr_42-AbCdEfGhIj/versions/",
            "CreateAgentRuntimeEndpoint PUT /runtimes/pr_42-AbCdEfGhIj/runtime-endpoints/",
            "GetAgentRuntimeEndpoint GET /runtimes/pr_42-AbCdEfGhIj/runtime-endpoints/live/",
            "UpdateAgentRuntimeEndpoint PUT /runtimes/pr_42-AbCdEfGhIj/runtime-endpoints/live/",
            "DeleteAgentRuntimeEndpoint DELETE /runtimes/pr_42-AbCdEfGhIj/runtime-endpoints/live/",
            "ListAgentRuntimeEndpoints POST /runtimes/pr_42-AbCdEfGhIj/runtime-endpoints/",
        ])
        #expect(transport.requests.allSatisfy { $0.service == .agentCoreControl })
        let queries = transport.requests.map { $0.query.map { "\($0.name)=\($0.value ?? "")" } }
        #expect(queries[2] == ["version=3"])
        #expect(queries[4] == ["maxResults=10", "nextToken=t1"])
        #expect(queries[5] == [])
        #expect(queries[10] == ["maxResults=5"])
        // Reads send no body; lists send `{}`; mutations send JSON.
        for index in [2, 7] {
            guard case .empty = transport.requests[index].body else { Issue.record("GET \(index) has a body"); continue }
        }
        #expect(transport.requests[4].jsonBody?.isEmpty == true)
        #expect(transport.requests[0].headers["Content-Type"] == "application/json")
    }

    @Test func createBodyCarriesTheModelsFieldNames() async throws {
        let transport = Self.answeringEverything()
        let request = CreateAgentRuntimeRequest(
            agentRuntimeName: "pr_42", configuration: Self.configuration,
            clientToken: "0b7c3c4e-1f7a-4d7e-9a55-6f1d2c3b4a59")
        _ = try await AgentCoreControl(transport: transport).createAgentRuntime(request)

        let body = try #require(transport.requests.first?.jsonBody)
        #expect(Set(body.keys) == [
            "agentRuntimeName", "agentRuntimeArtifact", "roleArn", "networkConfiguration",
            "protocolConfiguration", "environmentVariables", "clientToken"])
        #expect(body["agentRuntimeName"] as? String == "pr_42")
        #expect(body["clientToken"] as? String == "0b7c3c4e-1f7a-4d7e-9a55-6f1d2c3b4a59")
        #expect(body["networkConfiguration"] as? [String: String] == ["networkMode": "PUBLIC"])
        #expect(body["protocolConfiguration"] as? [String: String] == ["serverProtocol": "HTTP"])
        let code = try #require((body["agentRuntimeArtifact"] as? [String: Any])?["codeConfiguration"] as? [String: Any])
        #expect(code["runtime"] as? String == "PYTHON_3_11")
        #expect(code["entryPoint"] as? [String] == ["agent.py"])
        #expect((code["code"] as? [String: Any])?["s3"] as? [String: String] == ["bucket": "b", "prefix": "pr_42/abc/code.zip"])
    }

    @Test func updateAndEndpointBodiesLeavePathFieldsOut() async throws {
        let transport = Self.answeringEverything()
        let client = AgentCoreControl(transport: transport)
        _ = try await client.updateAgentRuntime(UpdateAgentRuntimeRequest(agentRuntimeId: id, configuration: Self.configuration))
        _ = try await client.createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(agentRuntimeId: id, name: "live", agentRuntimeVersion: "3"))
        _ = try await client.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(agentRuntimeId: id, endpointName: "live", agentRuntimeVersion: "4"))

        let bodies = transport.requests.map { $0.jsonBody ?? [:] }
        #expect(bodies[0]["agentRuntimeId"] == nil && bodies[0]["agentRuntimeName"] == nil)
        #expect(bodies[0]["roleArn"] as? String == Self.configuration.roleArn)
        #expect(Set(bodies[1].keys) == ["name", "agentRuntimeVersion", "clientToken"])
        #expect(bodies[1]["agentRuntimeVersion"] as? String == "3")
        #expect(Set(bodies[2].keys) == ["agentRuntimeVersion", "clientToken"])
    }

    @Test func oneLogicalCallKeepsItsClientTokenAndTwoCallsDoNot() async throws {
        let transport = Self.answeringEverything()
        let client = AgentCoreControl(transport: transport)
        let request = CreateAgentRuntimeRequest(agentRuntimeName: "pr_42", configuration: Self.configuration)
        // Repeating the same logical call (a re-run after a crash) resends the same token...
        _ = try await client.createAgentRuntime(request)
        _ = try await client.createAgentRuntime(request)
        // ...a new call gets a new one; deletes carry theirs in the query.
        _ = try await client.createAgentRuntime(CreateAgentRuntimeRequest(agentRuntimeName: "pr_42", configuration: Self.configuration))
        _ = try await client.deleteAgentRuntime(id: id, clientToken: "delete-token-0123456789-0123456789-ab")

        let tokens = transport.requests.prefix(3).map { $0.jsonBody?["clientToken"] as? String }
        #expect(tokens[0] == request.clientToken && tokens[1] == request.clientToken)
        #expect(tokens[2] != nil && tokens[2] != tokens[0])
        #expect(transport.requests[3].queryValue("clientToken") == "delete-token-0123456789-0123456789-ab")
        // AWS's pattern: 33-256 characters, letters and digits with single runs of dashes between.
        let token = request.clientToken
        #expect((33...256).contains(token.count))
        #expect(token.first!.isLetter || token.first!.isNumber)
        #expect(token.allSatisfy { $0 == "-" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
    }

    @Test func invalidInputIsRefusedBeforeAnythingIsSent() async throws {
        let transport = Self.answeringEverything()
        let client = AgentCoreControl(transport: transport)
        await #expect(throws: ActionableError.self) {
            try await client.createAgentRuntime(CreateAgentRuntimeRequest(agentRuntimeName: "pr-42", configuration: Self.configuration))
        }
        await #expect(throws: ActionableError.self) { try await client.getAgentRuntime(id: "pr_42/../x-AbCdEfGhIj") }
        await #expect(throws: ActionableError.self) { try await client.getAgentRuntime(id: id, version: "0") }
        await #expect(throws: ActionableError.self) {
            try await client.createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(agentRuntimeId: id, name: "prod-1", agentRuntimeVersion: "1"))
        }
        await #expect(throws: ActionableError.self) {
            try await client.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(agentRuntimeId: id, endpointName: "prod", agentRuntimeVersion: "v2"))
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func decodesGetAgentRuntimeWithEpochAndISOTimestamps() async throws {
        let transport = FakeAWSTransport { _ in FakeAWSTransport.json(Samples.runtime(version: "7", status: "UPDATE_FAILED", failureReason: "bad zip")) }
        let runtime = try await AgentCoreControl(transport: transport).getAgentRuntime(id: id)
        #expect(runtime.agentRuntimeVersion == "7")
        #expect(runtime.status == .updateFailed && runtime.status.isFailed)
        #expect(runtime.failureReason == "bad zip")
        #expect(runtime.createdAt == Date(timeIntervalSince1970: 1_763_700_000.5))
        #expect(runtime.agentRuntimeArtifact?.codeConfiguration?.code.s3?.uri == "s3://b/pr_42/abc/code.zip")
        #expect(runtime.configuration?.environmentVariables == ["MODE": "test"])

        let listing = FakeAWSTransport { _ in FakeAWSTransport.json(["agentRuntimes": [Samples.summary(id: Samples.runtimeId, name: "pr_42")]]) }
        let page = try await AgentCoreControl(transport: listing).listAgentRuntimes(maxResults: nil, nextToken: nil)
        let expected = try #require(ISO8601DateFormatter().date(from: "2026-11-21T08:00:00Z"))
        #expect(abs(try #require(page.items.first?.lastUpdatedAt).timeIntervalSince(expected) - 0.123456) < 0.001)
        #expect(page.nextToken == nil)
    }

    /// Members an update replaces that the tool never sends, set by hand (console, CLI): named,
    /// so drift can report them before a deploy drops them. Answers only AWS gives (status,
    /// identity details), members an update keeps when left out, and empty defaults are not settings.
    @Test func settingsTheToolDoesNotSendAreNamed() async throws {
        var answer = Samples.runtime(version: "4")
        answer["metadataConfiguration"] = ["requireMMDSV2": true]
        answer["authorizerConfiguration"] = ["customJWTAuthorizer": [
            "discoveryUrl": "https://idp.internal/.well-known/openid-configuration", "allowedAudience": ["jokes"],
            "certificateConfigurations": [["secretsManager": ["secretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:ca"]]],
            "privateEndpointOverrides": [],
        ]]
        answer["filesystemConfigurations"] = [
            ["sessionStorage": ["mountPath": "/mnt/session"]], ["capacityProviderVolume": ["volumeName": "data", "mountPath": "/mnt/data"]],
        ]
        answer["cpuConfigurations"] = [["architecture": "ARM64"]]
        answer["workloadIdentityDetails"] = ["workloadIdentityArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity/x"]
        answer["quarantineStatus"] = ["status": "NONE"]
        let response = FakeAWSTransport.json(answer)
        let transport = FakeAWSTransport { _ in response }
        let runtime = try await AgentCoreControl(transport: transport).getAgentRuntime(id: id)
        #expect(runtime.unmanagedSettings == [
            "authorizerConfiguration.customJWTAuthorizer.certificateConfigurations",
            "filesystemConfigurations[1].capacityProviderVolume", "metadataConfiguration",
        ])
        #expect(runtime.authorizerConfiguration?.customJWTAuthorizer?.allowedAudience == ["jokes"])

        let plain = FakeAWSTransport { _ in FakeAWSTransport.json(Samples.runtime(version: "4")) }
        #expect(try await AgentCoreControl(transport: plain).getAgentRuntime(id: id).unmanagedSettings == nil)
    }

    @Test func anUnreadableAnswerNamesTheOperation() async throws {
        let transport = FakeAWSTransport { _ in AWSResponse(status: 200, headers: [:], body: Data("<html>".utf8)) }
        await #expect(throws: AgentCoreControlError.self) {
            try await AgentCoreControl(transport: transport).getAgentRuntime(id: id)
        }
    }
}

@Suite struct AgentCoreControlPaginationTests {
    typealias Samples = AgentCoreSamples

    @Test func allAgentRuntimesFollowsEveryPage() async throws {
        let transport = FakeAWSTransport { request in
            switch request.queryValue("nextToken") {
            case nil: FakeAWSTransport.json(["agentRuntimes": [Samples.summary(id: "a-0000000001", name: "a")], "nextToken": "p2"])
            case "p2": FakeAWSTransport.json(["agentRuntimes": [Samples.summary(id: "b-0000000002", name: "b")], "nextToken": "p3"])
            default: FakeAWSTransport.json(["agentRuntimes": [Samples.summary(id: "c-0000000003", name: "c")]])
            }
        }
        let client = AgentCoreControl(transport: transport)
        #expect(try await client.allAgentRuntimes().map(\.agentRuntimeName) == ["a", "b", "c"])
        #expect(transport.requests.map { $0.queryValue("nextToken") } == [nil, "p2", "p3"])
        #expect(transport.requests.allSatisfy { $0.queryValue("maxResults") == "100" })
    }

    @Test func aRepeatedPageTokenStopsInsteadOfLoopingForever() async throws {
        let transport = FakeAWSTransport { _ in
            FakeAWSTransport.json(["runtimeEndpoints": [Samples.endpoint()], "nextToken": "same"])
        }
        await #expect(throws: AgentCoreControlError.repeatedPageToken(operation: "ListAgentRuntimeEndpoints")) {
            try await AgentCoreControl(transport: transport).allAgentRuntimeEndpoints(runtimeId: Samples.runtimeId)
        }
        #expect(transport.requests.count == 2)
    }

    @Test func findsRuntimesByNameAndRefusesToGuess() async throws {
        let transport = FakeAWSTransport { request in
            if request.operation == "GetAgentRuntime" {
                return FakeAWSTransport.json(Samples.runtime(id: "prod-ZZZZZZZZZZ", name: "prod", version: "4"))
            }
            return FakeAWSTransport.json(["agentRuntimes": [
                Samples.summary(id: "prod-ZZZZZZZZZZ", name: "prod", version: "4"),
                Samples.summary(id: "pr_1-AAAAAAAAAA", name: "pr_1"),
                Samples.summary(id: "pr_1-BBBBBBBBBB", name: "pr_1"),
            ]])
        }
        let client = AgentCoreControl(transport: transport)
        #expect(try await client.findRuntime(named: "prod")?.agentRuntimeId == "prod-ZZZZZZZZZZ")
        #expect(try await client.findRuntime(named: "pr_2") == nil)
        await #expect(throws: AgentCoreControlError.ambiguousRuntimeName("pr_1", ids: ["pr_1-AAAAAAAAAA", "pr_1-BBBBBBBBBB"])) {
            try await client.findRuntime(named: "pr_1")
        }
        // A name is looked up, then fetched by id; an id is fetched directly.
        #expect(try await client.runtime("prod").agentRuntimeVersion == "4")
        let before = transport.requests.count
        _ = try await client.runtime("prod-ZZZZZZZZZZ")
        #expect(transport.requests.dropFirst(before).map(\.operation) == ["GetAgentRuntime"])
        await #expect(throws: AgentCoreControlError.runtimeNameNotFound("nothing_here")) {
            try await client.runtime("nothing_here")
        }
    }

    @Test func checksVersionsAndEndpointsBeforeChanges() async throws {
        let transport = FakeAWSTransport { request in
            switch request.operation {
            case "ListAgentRuntimeVersions":
                return FakeAWSTransport.json(["agentRuntimes": ["3", "1", "2"].map {
                    Samples.summary(id: Samples.runtimeId, name: "pr_42", version: $0)
                }])
            case "GetAgentRuntimeEndpoint" where request.path.hasSuffix("/live/"):
                return FakeAWSTransport.json(Samples.endpoint(name: "live"))
            default:
                throw FakeAWSTransport.notFound(request.operation)
            }
        }
        let client = AgentCoreControl(transport: transport)
        let runtime = try await AgentCoreControl(transport: FakeAWSTransport { _ in FakeAWSTransport.json(Samples.runtime()) })
            .getAgentRuntime(id: Samples.runtimeId)
        try await client.requireVersion("2", of: runtime)
        await #expect(throws: AgentCoreControlError.versionNotFound(runtimeName: "pr_42", version: "7", existing: ["1", "2", "3"])) {
            try await client.requireVersion("7", of: runtime)
        }
        #expect(try await client.findEndpoint(runtimeId: Samples.runtimeId, name: "live")?.name == "live")
        #expect(try await client.findEndpoint(runtimeId: Samples.runtimeId, name: "gone") == nil)
    }
}
