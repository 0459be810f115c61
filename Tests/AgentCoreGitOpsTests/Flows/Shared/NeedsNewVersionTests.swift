import Foundation
import Testing
@testable import AgentCoreGitOps

/// "No new version when nothing changed": one rule for the deploy flows and `agentcore runtime update`.
@Suite struct NeedsNewVersionTests {
    private func runtime(status: AgentCoreStatus = .ready, environment: [String: String]? = nil) -> AgentRuntime {
        var runtime = AgentRuntime.sample(id: "pr_7-AbCdEfGhIj", version: "3")
        runtime.agentRuntimeArtifact = .code(
            S3CodeLocation(bucket: "b-1", prefix: "pr_7/packages/a.zip"), runtime: "PYTHON_3_11", entryPoint: ["agent.py"])
        runtime.status = status
        runtime.environmentVariables = environment
        return runtime
    }

    @Test("the same configuration makes none; a change, a failed version or no code configuration makes one")
    func rule() throws {
        let current = runtime()
        var desired = try #require(current.configuration)
        #expect(!current.needsNewVersion(for: desired))

        // AgentCore leaves out an empty set of variables: an empty set asked for is no change.
        desired.environmentVariables = [:]
        #expect(!current.needsNewVersion(for: desired))

        desired.environmentVariables = ["A": "1"]
        #expect(current.needsNewVersion(for: desired))
        #expect(!runtime(environment: ["A": "1"]).needsNewVersion(for: desired))
        #expect(runtime(status: .updateFailed, environment: ["A": "1"]).needsNewVersion(for: desired))

        var container = runtime()
        container.agentRuntimeArtifact = nil
        #expect(container.needsNewVersion(for: desired))

        // A setting made by hand that the tool never sends: a new version replaces it with git's.
        var handMade = runtime(environment: ["A": "1"])
        handMade.unmanagedSettings = ["metadataConfiguration"]
        #expect(handMade.needsNewVersion(for: desired))
    }

    @Test("a tag that only gains the repository id or a new name makes none; the user's text makes one")
    func ownershipTagAlone() throws {
        var current = runtime()
        current.description = "Joke bot [agentcore-gitops octo/agent prod]"
        var desired = try #require(current.configuration)
        desired.description = RuntimeOwnership.description("Joke bot", repository: "octo/renamed", repositoryID: 42, role: .production)
        #expect(!current.needsNewVersion(for: desired))
        desired.description = RuntimeOwnership.description("Pun bot", repository: "octo/renamed", repositoryID: 42, role: .production)
        #expect(current.needsNewVersion(for: desired))
        desired.description = RuntimeOwnership.description(nil, repository: "octo/renamed", repositoryID: 42, role: .production)
        #expect(current.needsNewVersion(for: desired))
        current.description = "[agentcore-gitops octo/agent prod]"
        #expect(!current.needsNewVersion(for: desired))
    }
}

/// Every setting now sent takes part in the rule: a change to any one makes a new version, and
/// the forms AgentCore answers with for "not set" do not.
@Suite struct NeedsNewVersionEverySettingTests {
    private func current() throws -> AgentRuntime {
        var runtime = AgentRuntime.sample(id: "prod-AbCdEfGhIj", version: "4")
        runtime.agentRuntimeArtifact = .code(
            S3CodeLocation(bucket: "b-1", prefix: "prod/packages/a.zip"), runtime: "PYTHON_3_11", entryPoint: ["agent.py"])
        runtime.protocolConfiguration = .http
        runtime.lifecycleConfiguration = LifecycleConfiguration(idleRuntimeSessionTimeout: 900, maxLifetime: 28800)
        return runtime
    }

    @Test("each member changed needs a version; empty lists and missing lifecycle defaults do not")
    func everyMember() throws {
        let runtime = try current()
        let same = try #require(runtime.configuration)
        #expect(!runtime.needsNewVersion(for: same))

        var empty = same
        empty.filesystemConfigurations = []
        empty.allowedPorts = []
        empty.resourceConfigurations = []
        #expect(!runtime.needsNewVersion(for: empty))

        let changes: [(String, (inout AgentRuntimeConfiguration) -> Void)] = [
            ("authorizer", { $0.authorizerConfiguration = .init(customJWTAuthorizer: .init(
                discoveryUrl: "https://i.example.com/.well-known/openid-configuration", allowedAudience: ["a"])) }),
            ("request headers", { $0.requestHeaderConfiguration = .init(requestHeaderAllowlist: ["X-Tenant"]) }),
            ("VPC", { $0.networkConfiguration = .init(networkMode: "VPC", networkModeConfig: .init(
                securityGroups: ["sg-0123456789abcdef0"], subnets: ["subnet-0123456789abcdef0"])) }),
            ("file systems", { $0.filesystemConfigurations = [.init(sessionStorage: .init(mountPath: "/mnt/s"))] }),
            ("platform version", { $0.platformVersion = "V2" }),
            ("port", { $0.protocolConfiguration = .init(serverProtocol: "HTTP", port: 9000) }),
            ("path", { $0.protocolConfiguration = .init(serverProtocol: "HTTP", path: "/x") }),
            ("allowed ports", { $0.allowedPorts = [.init(port: 9100)] }),
            ("resources", { $0.resourceConfigurations = [.init(minimumMemoryInMiB: 4096)] }),
            ("hooks", { $0.hooksConfiguration = .init(build: .init(warmup: .init(action: .init(httpPost: .init(path: "/w"))))) }),
            ("lifecycle", { $0.lifecycleConfiguration = .init(idleRuntimeSessionTimeout: 900, maxLifetime: 1_209_600) }),
            ("entry point", { $0.agentRuntimeArtifact = .code(
                S3CodeLocation(bucket: "b-1", prefix: "prod/packages/a.zip"), runtime: "PYTHON_3_11", entryPoint: ["main.py"]) }),
        ]
        for (name, change) in changes {
            var desired = same
            change(&desired)
            #expect(runtime.needsNewVersion(for: desired), "a change of \(name) made no version")
            // Read back as AgentCore answers, the same configuration needs none.
            var after = runtime
            let data = try AgentCoreJSON.encoder.encode(desired)
            let decoded = try AgentCoreJSON.decoder.decode(AgentRuntimeConfiguration.self, from: data)
            after.take(decoded)
            #expect(!after.needsNewVersion(for: desired), "\(name) read back still differs")
        }
    }
}
