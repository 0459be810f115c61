import Foundation
import Testing
@testable import AgentCoreGitOps

/// The in-memory AgentCore behaves like the service where the flows depend on it.
@Suite struct FakeAgentCoreTests {
    let agentCore = FakeAgentCore()

    static func configuration(_ key: String = "a.zip") -> AgentRuntimeConfiguration {
        AgentRuntimeConfiguration(
            agentRuntimeArtifact: .code(S3CodeLocation(bucket: "b", prefix: key), runtime: "PYTHON_3_11", entryPoint: ["agent.py"]),
            roleArn: "arn:aws:iam::123456789012:role/R")
    }

    private func create(_ name: String, token: String = UUID().uuidString + UUID().uuidString) async throws -> AgentRuntimeChange {
        try await agentCore.createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: Self.configuration(), clientToken: token))
    }

    private func settle(_ id: String) async throws {
        while try await agentCore.getAgentRuntime(id: id).status != .ready {}
    }

    @Test func versionsCountUpAndDefaultFollowsTheLatest() async throws {
        let created = try await create("pr_1")
        #expect(created.agentRuntimeVersion == "1" && created.status == .creating)
        #expect(try await agentCore.getAgentRuntime(id: created.agentRuntimeId).status == .creating)
        #expect(try await agentCore.getAgentRuntime(id: created.agentRuntimeId).status == .ready)

        let updated = try await agentCore.updateAgentRuntime(UpdateAgentRuntimeRequest(
            agentRuntimeId: created.agentRuntimeId, configuration: Self.configuration("b.zip"), clientToken: String(repeating: "u", count: 40)))
        #expect(updated.agentRuntimeVersion == "2" && updated.status == .updating)
        let defaultEndpoint = try await agentCore.getAgentRuntimeEndpoint(runtimeId: created.agentRuntimeId, name: "DEFAULT")
        #expect(defaultEndpoint.liveVersion == "2")
        #expect(try await agentCore.allAgentRuntimeVersions(id: created.agentRuntimeId).map(\.agentRuntimeVersion) == ["2", "1"])
    }

    @Test func aClientTokenRepeatsItsFirstAnswerAndCannotBeReusedForAnotherRequest() async throws {
        let token = String(repeating: "t", count: 40)
        let first = try await create("pr_2", token: token)
        let again = try await create("pr_2", token: token)
        #expect(again == first)
        #expect(agentCore.runtimeIDs(named: "pr_2").count == 1)

        await #expect { try await create("pr_3", token: token) } throws: { ($0 as? AWSError)?.isConflict == true }
    }

    @Test func conflictsAndMissingThingsHaveTheServicesShapes() async throws {
        let created = try await create("pr_4")
        await #expect { try await create("pr_4") } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.code == "ConflictException" && error.httpStatus == 409 && error.isConflict
        }
        // Still CREATING: AgentCore refuses changes to a busy runtime.
        await #expect { _ = try await agentCore.deleteAgentRuntime(id: created.agentRuntimeId, clientToken: String(repeating: "d", count: 40)) }
            throws: { ($0 as? AWSError)?.isConflict == true }
        await #expect { _ = try await agentCore.getAgentRuntime(id: "pr_5-AbCdEfGhIj") } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.code == "ResourceNotFoundException" && error.httpStatus == 404 && error.isNotFound
        }
        await #expect { _ = try await agentCore.getAgentRuntime(id: created.agentRuntimeId, version: "9") }
            throws: { ($0 as? AWSError)?.isNotFound == true }
    }

    @Test func aDeletedRuntimeIsDeletingForALookThenGone() async throws {
        let created = try await create("pr_6")
        try await settle(created.agentRuntimeId)
        let deletion = try await agentCore.deleteAgentRuntime(id: created.agentRuntimeId, clientToken: String(repeating: "x", count: 40))
        #expect(deletion.status == .deleting)
        #expect(try await agentCore.getAgentRuntime(id: created.agentRuntimeId).status == .deleting)
        await #expect { _ = try await agentCore.getAgentRuntime(id: created.agentRuntimeId) } throws: { ($0 as? AWSError)?.isNotFound == true }
        #expect(agentCore.calls("DeleteAgentRuntime").count == 1)
    }

    @Test func endpointsMoveThroughUpdatingToTheTargetVersion() async throws {
        let created = try await create("pr_7")
        try await settle(created.agentRuntimeId)
        _ = try await agentCore.updateAgentRuntime(UpdateAgentRuntimeRequest(
            agentRuntimeId: created.agentRuntimeId, configuration: Self.configuration("c.zip"), clientToken: String(repeating: "v", count: 40)))
        try await settle(created.agentRuntimeId)
        _ = try await agentCore.createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(
            agentRuntimeId: created.agentRuntimeId, name: "live", agentRuntimeVersion: "1", clientToken: String(repeating: "e", count: 40)))
        #expect(try await agentCore.getAgentRuntimeEndpoint(runtimeId: created.agentRuntimeId, name: "live").status == .creating)
        #expect(try await agentCore.getAgentRuntimeEndpoint(runtimeId: created.agentRuntimeId, name: "live").liveVersion == "1")

        _ = try await agentCore.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(
            agentRuntimeId: created.agentRuntimeId, endpointName: "live", agentRuntimeVersion: "2", clientToken: String(repeating: "f", count: 40)))
        let moving = try await agentCore.getAgentRuntimeEndpoint(runtimeId: created.agentRuntimeId, name: "live")
        #expect(moving.status == .updating && moving.liveVersion == "1" && moving.targetVersion == "2")
        #expect(try await agentCore.getAgentRuntimeEndpoint(runtimeId: created.agentRuntimeId, name: "live").liveVersion == "2")
    }

    @Test func listsComeInPagesThatTheHelpersFollow() async throws {
        for number in 10..<15 { _ = try await create("pr_\(number)") }
        let first = try await agentCore.listAgentRuntimes(maxResults: 2, nextToken: nil)
        #expect(first.items.count == 2 && first.nextToken != nil)
        #expect(try await agentCore.allAgentRuntimes().count == 5)
        #expect(agentCore.calls("ListAgentRuntimes").count == 2, "the helper asks for pages of 100")
    }

    @Test func aRuntimeWithANamedEndpointCannotBeDeleted() async throws {
        let created = try await create("pr_20")
        try await settle(created.agentRuntimeId)
        agentCore.seedEndpoint(runtimeID: created.agentRuntimeId, name: "live", version: "1")
        await #expect { _ = try await agentCore.deleteAgentRuntime(id: created.agentRuntimeId, clientToken: String(repeating: "n", count: 40)) }
            throws: { ($0 as? AWSError)?.isConflict == true }
        #expect(agentCore.exists(created.agentRuntimeId))
    }

    @Test func oneVersionIsDeletingThenGoneButNeverTheLatestOrOneAnEndpointHolds() async throws {
        let runtime = agentCore.seedRuntime(name: "pr_21", versions: 4)
        let id = runtime.agentRuntimeId
        agentCore.seedEndpoint(runtimeID: id, name: "live", version: "2")
        func delete(_ version: String) async throws -> AgentCoreDeletion {
            try await agentCore.deleteAgentRuntimeVersion(id: id, version: version, clientToken: String(repeating: version, count: 40))
        }
        for held in ["4", "2"] {
            await #expect { _ = try await delete(held) } throws: { ($0 as? AWSError)?.isConflict == true }
        }
        let deletion = try await delete("1")
        #expect(deletion.status == .deleting && deletion.agentRuntimeVersion == "1")
        #expect(try await delete("1") == deletion, "a retry with the same token answers the same")
        let listed = try await agentCore.allAgentRuntimeVersions(id: id)
        #expect(listed.map(\.agentRuntimeVersion) == ["4", "3", "2", "1"] && listed.last?.status == .deleting)
        #expect(agentCore.versionNumbers(of: id) == ["2", "3", "4"])
        #expect(try await agentCore.allAgentRuntimeVersions(id: id).map(\.agentRuntimeVersion) == ["4", "3", "2"])
        await #expect { _ = try await agentCore.getAgentRuntime(id: id, version: "1") } throws: { ($0 as? AWSError)?.isNotFound == true }
        await #expect {
            _ = try await agentCore.updateAgentRuntimeEndpoint(
                UpdateAgentRuntimeEndpointRequest(agentRuntimeId: id, endpointName: "live", agentRuntimeVersion: "1"))
        } throws: { ($0 as? AWSError)?.isNotFound == true }
        #expect(agentCore.calls("DeleteAgentRuntimeVersion").count == 4)
        #expect(agentCore.calls("DeleteAgentRuntime").isEmpty)
    }
}
