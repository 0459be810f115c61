import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore zip` and `agentcore package` as a user runs them: exit status, message, manifest.
@Suite(.heavy, .tags(.process)) struct PackageCommandProcessTests {
    static let agentcore = RepositoryPaths.executable("agentcore")

    @Test func zipPrintsAManifestWhoseHashMatchesTheFile() async throws {
        let tree = try TempTree()
        try tree.file("src/agent.py", "print('hi')\n")
        try tree.file("src/lib/util.py", "X = 1\n")
        let result = try await runProcess(Self.agentcore, ["zip", tree.url("src").path, tree.url("out.zip").path, "--json"])
        #expect(result.status == 0, "\(result.output)")
        let manifest = try JSONDecoder().decode(PackageManifest.self, from: Data(result.stdout.utf8))
        #expect(manifest.fileCount == 2)
        #expect(manifest.entryPoint == "agent.py")
        let sum = try await runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), [tree.url("out.zip").path])
        #expect(sum.stdout.hasPrefix(manifest.sha256 + " "))
        #expect(manifest.compressedBytes == (try FileManager.default.attributesOfItem(atPath: tree.url("out.zip").path)[.size] as? Int).map(Int64.init))
    }

    @Test func zipRefusesALinkOutOfTheTreeAndWritesNothing() async throws {
        let tree = try TempTree()
        try tree.file("src/agent.py", "")
        try tree.file("outside/key.pem", "secret")
        try tree.symlink("src/key.pem", to: tree.url("outside/key.pem").path)
        let result = try await runProcess(Self.agentcore, ["zip", tree.url("src").path, tree.url("out.zip").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("points outside the packaged directory"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: tree.url("out.zip").path))
    }

    @Test func zipWithoutTheEntryPointSaysWhereItMustBe() async throws {
        let tree = try TempTree()
        try tree.file("src/app/agent.py", "")
        let result = try await runProcess(Self.agentcore, ["zip", tree.url("src").path, tree.url("out.zip").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("'agent.py' is not at the root of the package"), "\(result.output)")
    }

    @Test func packageRejectsABadPythonVersionOrUploadLocationBeforeBuilding() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "")
        let common = ["package", "--agent", tree.url("agent").path, "--out", tree.url("code.zip").path]
        let version = try await runProcess(Self.agentcore, common + ["--python-version", "3.9"])
        #expect(version.status != 0)
        #expect(version.stderr.contains("not a Python version AgentCore runs"), "\(version.output)")
        let upload = try await runProcess(Self.agentcore, common + ["--upload", "s3://Bad_Bucket/key.zip"])
        #expect(upload.status != 0)
        #expect(upload.stderr.contains("--upload 's3://Bad_Bucket/key.zip' is not an upload location"), "\(upload.output)")
        let noCredentials = try await runProcess(
            Self.agentcore, common + ["--upload", "s3://bucket-name/key.zip"],
            environment: ["AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"])
        #expect(noCredentials.status != 0)
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path), "nothing built: \(noCredentials.output)")
    }

    /// The sandbox's S3 checks the signature and the SHA-256 of the body, as AWS does.
    @Test func packageUploadsTheZipItBuiltAndSaysWhere() async throws {
        let sandbox = try await Sandbox.shared()
        let tree = try TempTree()
        try tree.file("agent/agent.py", "print('hello')\n")
        let key = "packaging/\(UUID().uuidString)/code.zip"
        let arguments = ["package", "--agent", tree.url("agent").path, "--out", tree.url("code.zip").path, "--upload", key, "--json"]
        for run in 0..<2 {  // the second run changes nothing and succeeds again
            let result = try await runProcess(Self.agentcore, arguments, environment: sandbox.awsEnvironment)
            #expect(result.status == 0, "\(result.output)")
            let manifest = try JSONDecoder().decode(PackageManifest.self, from: Data(result.stdout.utf8))
            #expect(manifest.upload?.location == "s3://\(sandbox.info.s3Bucket)/\(key)")

            let environment = sandbox.awsEnvironment
            let s3 = S3Client(client: AWSClient(configuration: try AWSConfiguration.resolve(environment: environment)))
            let copy = tree.url("downloaded-\(run).zip")
            _ = try await s3.getObject(bucket: sandbox.info.s3Bucket, key: key, to: copy)
            #expect(try SHA256Hasher.hash(fileAt: copy).hexString == manifest.sha256)
        }
    }

    @Test func packageBuildsTheSampleAgentWithJSONManifest() async throws {
        let tree = try TempTree()
        let result = try await runProcess(
            Self.agentcore,
            ["package", "--agent", RepositoryPaths.root.appendingPathComponent("agent").path,
             "--prompt", RepositoryPaths.root.appendingPathComponent("prompts/dad_joke_bot.txt").path,
             "--out", tree.url("code.zip").path, "--cache-dir", TestCache.directory.path, "--json"])
        #expect(result.status == 0, "\(result.output)")
        let manifest = try JSONDecoder().decode(PackageManifest.self, from: Data(result.stdout.utf8))
        #expect(manifest.pythonVersion == "3.11" && manifest.runtime == "PYTHON_3_11")
        #expect(manifest.dependencyHash?.count == 64)
        #expect(manifest.uncompressedBytes > manifest.compressedBytes)
        #expect(manifest.bootSeconds == nil)
        let test = try await runProcess(ArchiveInspector.tool("unzip"), ["-tq", tree.url("code.zip").path])
        #expect(test.status == 0)
    }

    @Test func packageCheckBootFailsOverBudgetWithTheConfiguredTimeout() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import time\nprint('loading', flush=True)\ntime.sleep(40)\n")
        let result = try await runProcess(
            Self.agentcore,
            ["package", "--agent", tree.url("agent").path, "--out", tree.url("code.zip").path,
             "--cache-dir", TestCache.directory.path, "--check-boot", "--boot-timeout", "1.5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("within the 1.5 s start-up budget (over budget)"), "\(result.output)")
        #expect(result.stderr.contains("loading"), "the agent's own output is shown")
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path))
    }
}
