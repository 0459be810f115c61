import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore deploy` as a person runs it, against the sandbox: package, upload, create or
/// update, the `v<k>` copies, and the manifest it prints.
@Suite(.heavy, .tags(.sandbox, .process)) struct DeployCommandSandboxTests {
    /// The shared sandbox, started by the first suite that needs it.
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.shared() }

    @Test func createsThenUpdatesARuntimeAndAnUnchangedRedeployMakesNoVersion() async throws {
        let agent = try DeployTestAgent(sandbox: sandbox)
        let name = Sandbox.uniqueName("deploy")
        defer { agent.removeCachedBuild(name) }

        let first = try await agent.deploy(name)
        #expect(first.runtime.agentRuntimeVersion == "1" && first.runtime.status == "READY" && first.runtime.changed)
        try await agent.expectStored(first, version: "1", name: name)
        let runtime = try await sandbox.agentCoreControl().getAgentRuntime(id: first.runtime.agentRuntimeId)
        #expect(runtime.agentRuntimeArtifact?.codeConfiguration?.code.s3?.prefix == "\(name)/packages/\(first.package.sha256).zip")
        #expect(runtime.agentRuntimeArtifact?.codeConfiguration?.runtime == "PYTHON_3_11")
        #expect(runtime.environmentVariables == ["LOG_LEVEL": "DEBUG"])
        // A hand deployment is tagged as one: the flows never delete it, even under a pr-like check.
        #expect(runtime.description == "Deploy test agent [agentcore-gitops \(ManualDeploymentTag.repository) manual]")
        #expect(RuntimeOwnership.owner(fromDescription: runtime.description)?.role == .manual)
        #expect(try await OwningRepository(name: ManualDeploymentTag.repository, id: nil, github: nil).deletablePullRequest(
            name: name, description: runtime.description) == nil)

        // The same package and settings again: no upload, no new version, and it says so.
        // The shared sandbox's log is everyone's: count this runtime's mutating calls around the rerun.
        let touchesThisRuntime: @Sendable (LoggedRequest) -> Bool = {
            $0.isMutating && ($0.path.contains(name) || $0.path.contains(first.runtime.agentRuntimeId))
        }
        let before = try await sandbox.loggedRequests().filter(touchesThisRuntime)
        let again = try await agent.run(name)
        #expect(again.status == 0, "\(again.output)")
        let unchanged = try DeployJSON.decode(again.stdout)
        #expect(unchanged.runtime.agentRuntimeVersion == "1" && !unchanged.runtime.changed)
        #expect(unchanged.package.sha256 == first.package.sha256)
        #expect(again.stderr.contains("already runs this package with these settings: no new version"))
        let after = try await sandbox.loggedRequests().filter(touchesThisRuntime)
        #expect(after.count == before.count, "an unchanged deploy changed something: \(after.dropFirst(before.count).map(\.path))")
        #expect(try await sandbox.agentCoreControl().allAgentRuntimeVersions(id: first.runtime.agentRuntimeId).count == 1)

        // New code: version 2, its own copy, and version 1's copy left as it was.
        try agent.tree.file("agent/agent.py", "def handler(payload):\n    return 'second'\n")
        let second = try await agent.deploy(name)
        #expect(second.runtime.agentRuntimeVersion == "2" && second.runtime.changed && second.runtime.previousVersion == "1")
        #expect(second.runtime.agentRuntimeId == first.runtime.agentRuntimeId)
        #expect(second.package.sha256 != first.package.sha256)
        try await agent.expectStored(second, version: "2", name: name)
        try await agent.expectStored(first, version: "1", name: name)
        #expect(try await sandbox.agentCoreControl().allAgentRuntimeVersions(id: first.runtime.agentRuntimeId).count == 2)
    }

    @Test("the tag records the repository id: --repository-id, else GitHub's when a token is there")
    func tagsRecordTheRepositoryID() async throws {
        let sandbox = try await Sandbox.shared()
        let agent = try DeployTestAgent(sandbox: sandbox)
        let given = Sandbox.uniqueName("deploy_id")
        defer { agent.removeCachedBuild(given) }
        let result = try await agent.run(given, extra: ["--repository", "octo/agent", "--repository-id", "77"])
        #expect(result.status == 0, "\(result.output)")
        let runtime = try await sandbox.agentCoreControl().getAgentRuntime(id: try DeployJSON.decode(result.stdout).runtime.agentRuntimeId)
        #expect(runtime.description == "Deploy test agent [agentcore-gitops octo/agent id=77 manual]")

        let github = try await GitHubEmulator.shared()
        let id = try #require(try await github.client().getRepository(GitHubRepository(github.repository)).id)
        let asked = Sandbox.uniqueName("deploy_gh")
        defer { agent.removeCachedBuild(asked) }
        let fromGitHub = try await agent.run(asked, environment: agent.environment.merging([
            "GITHUB_TOKEN": try #require(github.tokens["bot"]), "GITHUB_API_URL": github.apiURL, "GITHUB_REPOSITORY": github.repository,
        ]) { $1 })
        #expect(fromGitHub.status == 0, "\(fromGitHub.output)")
        let tagged = try await sandbox.agentCoreControl().getAgentRuntime(id: try DeployJSON.decode(fromGitHub.stdout).runtime.agentRuntimeId)
        #expect(RuntimeOwnership.owner(fromDescription: tagged.description)
            == .init(repository: github.repository, repositoryID: id, role: .manual))
    }

    @Test func theRealAgentDeploysWithItsDependencies() async throws {
        let agent = try DeployTestAgent(sandbox: sandbox, realAgent: true)
        let name = Sandbox.uniqueName("deploy_real")
        defer { agent.removeCachedBuild(name) }
        let deployed = try await agent.deploy(name)
        #expect(deployed.runtime.status == "READY" && deployed.runtime.agentRuntimeVersion == "1")
        #expect(deployed.package.fileCount > 100, "the agent's dependencies are packaged")
        #expect(deployed.package.dependencyHash != nil && deployed.package.platform != "any")
        #expect(deployed.package.pythonVersion == "3.11" && deployed.package.entryPoint == "agent.py")
        try await agent.expectStored(deployed, version: "1", name: name)
    }

    /// --no-wait returns while the version is still being made; its `v<k>` copy is there already.
    @Test func noWaitReturnsTheNewVersionAtOnceWithItsCopy() async throws {
        let sandbox = try await Sandbox.launch(arguments: ["--ready-delay", "30"])
        defer { sandbox.stop() }
        let agent = try DeployTestAgent(sandbox: sandbox)
        let name = Sandbox.uniqueName("nowait")
        defer { agent.removeCachedBuild(name) }
        let result = try await agent.run(name, extra: ["--no-wait"])
        #expect(result.status == 0, "\(result.output)")
        let deployed = try DeployJSON.decode(result.stdout)
        #expect(deployed.runtime.status == "CREATING" && deployed.runtime.agentRuntimeVersion == "1")
        try await agent.expectStored(deployed, version: "1", name: name)
    }

    /// Every refusal comes before any upload or change: the sandbox of this test logs no
    /// mutating request at all.
    @Test func badInputIsRefusedBeforeAnythingChanges() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let agent = try DeployTestAgent(sandbox: sandbox)
        let base = agent.environment

        // Someone's runtime of the name the user gives, without our ownership tag.
        let foreign = Sandbox.uniqueName("foreign")
        let code = try await sandbox.uploadCode(key: "\(foreign)/code.zip")
        var configuration = sandbox.configuration(code: code)
        configuration.description = "made by another tool"
        _ = try await sandbox.agentCoreControl().createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: foreign, configuration: configuration))
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")

        var noBucket = base
        noBucket["AGENTCORE_S3_BUCKET"] = nil
        var noCredentials = base
        noCredentials["AWS_ACCESS_KEY_ID"] = nil
        noCredentials["AWS_SECRET_ACCESS_KEY"] = nil
        noCredentials["AWS_CONFIG_FILE"] = "/nonexistent"
        noCredentials["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent"
        let cases: [(arguments: [String], environment: [String: String], says: String)] = [
            (["bad-name"], base, "contains '-', but names allow only letters, digits and underscores"),
            (["pr_12"], base, "pull request #12's runtime"),
            ([Sandbox.uniqueName("nobucket")], noBucket, "AGENTCORE_S3_BUCKET is not set"),
            ([Sandbox.uniqueName("badrole"), "--role-arn", "admin"], base, "AGENTCORE_ROLE_ARN 'admin' is not an IAM role ARN"),
            ([Sandbox.uniqueName("nocreds")], noCredentials, "credentials"),
            ([Sandbox.uniqueName("noagent"), "--agent", agent.tree.url("missing").path], base, "does not exist"),
            ([foreign], base, "was not created by agentcore-gitops"),
            ([Sandbox.uniqueName("badid"), "--repository-id", "x7"], base, "--repository-id must be the repository's numeric GitHub id"),
        ]
        for (arguments, environment, says) in cases {
            let result = try await agent.run(arguments[0], extra: Array(arguments.dropFirst()), environment: environment)
            #expect(result.status != 0, "deploy \(arguments) succeeded")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(says), "\(arguments): \(result.stderr)")
        }
        let mutating = try await sandbox.loggedRequests().filter(\.isMutating)
        #expect(mutating.isEmpty, "refused deploys changed something: \(mutating.map { "\($0.method) \($0.path)" })")
        #expect(try await sandbox.agentCoreControl().allAgentRuntimes().map(\.agentRuntimeName) == [foreign])
    }
}

/// The repository a hand deployment names when neither --repository nor GITHUB_REPOSITORY is given.
enum ManualDeploymentTag {
    static let repository = "local/manual"
}

/// A checkout with a small agent (tiny `agent.py`, no dependencies), or a copy of the repository's
/// own `agent/` and `prompts/`, and the `agentcore deploy` invocation against a sandbox.
struct DeployTestAgent {
    let sandbox: Sandbox
    let tree: TempTree

    init(sandbox: Sandbox, realAgent: Bool = false) throws {
        self.sandbox = sandbox
        tree = try TempTree()
        if realAgent {
            for folder in ["agent", "prompts"] {
                try FileManager.default.copyItem(at: RepositoryPaths.root.appendingPathComponent(folder), to: tree.url(folder))
            }
        } else {
            try tree.file("agent/agent.py", "def handler(payload):\n    return 'first'\n")
            try tree.file("agent/requirements.txt", "")
            try tree.file("prompts/bot.txt", "You are a test bot.\n")
            try tree.file("agent/agentcore.json", """
                {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt",
                 "description": "Deploy test agent", "environmentVariables": {"LOG_LEVEL": "DEBUG"}}
                """)
        }
    }

    var environment: [String: String] {
        sandbox.awsEnvironment.merging(["AGENTCORE_CACHE_DIR": TestCache.directory.path]) { $1 }
    }

    func run(_ name: String, extra: [String] = [], environment: [String: String]? = nil) async throws -> ProcessResult {
        try await runProcess(
            RepositoryPaths.executable("agentcore"),
            ["deploy", name, "--agent", tree.url("agent").path, "--out", tree.url("build/\(UUID().uuidString).zip").path,
             "--poll-interval", "0.05", "--timeout", "60", "--json"] + extra,
            environment: environment ?? self.environment)
    }

    /// A unique name's last build stays in the shared cache for a rebuild that never comes.
    func removeCachedBuild(_ name: String) {
        let builds = TestCache.directory.appendingPathComponent("builds")
        for file in ["\(name).zip", "\(name).zip.index"] {
            try? FileManager.default.removeItem(at: builds.appendingPathComponent(file))
        }
    }

    func deploy(_ name: String) async throws -> DeployJSON {
        let result = try await run(name)
        guard result.status == 0 else { throw CLIFailure(arguments: ["deploy", name], result: result) }
        return try DeployJSON.decode(result.stdout)
    }

    /// The uploaded package and the `v<k>` copy hold exactly the bytes the manifest describes,
    /// which are the bytes of the zip kept at the manifest's path.
    func expectStored(
        _ deployed: DeployJSON, version: String, name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let s3 = S3Client(client: try sandbox.awsClient())
        let bucket = sandbox.info.s3Bucket
        #expect(deployed.runtime.packageLocation == "s3://\(bucket)/\(name)/packages/\(deployed.package.sha256).zip",
                sourceLocation: sourceLocation)
        #expect(try SHA256Hasher.hash(fileAt: URL(fileURLWithPath: deployed.package.path)).hexString == deployed.package.sha256,
                sourceLocation: sourceLocation)
        for key in ["\(name)/packages/\(deployed.package.sha256).zip", "\(name)/v\(version)/code.zip"] {
            let download = tree.url("download-\(UUID().uuidString).zip")
            _ = try await s3.getObject(bucket: bucket, key: key, to: download)
            #expect(try SHA256Hasher.hash(fileAt: download).hexString == deployed.package.sha256, "\(key)", sourceLocation: sourceLocation)
        }
    }
}

/// `agentcore deploy --json`: the package manifest's fields and the runtime's, in one object.
struct DeployJSON {
    struct Runtime: Decodable {
        var agentRuntimeId: String
        var agentRuntimeName: String
        var agentRuntimeVersion: String
        var status: String
        var changed: Bool
        var previousVersion: String?
        var packageLocation: String
        var versionCopy: String
    }

    var package: PackageManifest
    var runtime: Runtime

    static func decode(_ text: String) throws -> DeployJSON {
        let data = Data(text.utf8)
        return DeployJSON(
            package: try JSONDecoder().decode(PackageManifest.self, from: data),
            runtime: try JSONDecoder().decode(Runtime.self, from: data))
    }
}
