import Foundation
import Testing
@testable import AgentCoreGitOps

/// The flows' small pieces, without servers: how they read events and messages, and what they write.
@Suite("Flow parts")
struct FlowPartsTests {
    private let bot = GitHubUser(login: "github-actions[bot]", type: "Bot")
    private let person = GitHubUser(login: "someone", type: "User")

    /// A deployed report: pr_7-AbCdEfGhIj version 3 (previously 2), commit b…b.
    static func report(changed: Bool) -> PRDeploymentReport {
        let runtime = AgentRuntime.sample(id: "pr_7-AbCdEfGhIj", version: "3")
        let deployment = RuntimeDeployment(
            runtime: runtime, changed: changed, previousVersion: "2",
            packageLocation: S3Location(bucket: "b-1", key: "pr_7/packages/x.zip"),
            versionCopy: S3Location(bucket: "b-1", key: "pr_7/v3/code.zip"))
        var package = PackageManifestSample.make(sha256: String(repeating: "a", count: 64), bytes: 2_500_000)
        package.bootSeconds = 1.25
        return PRDeploymentReport(deployment: deployment, package: package, headSHA: String(repeating: "b", count: 40), defaultEndpoint: nil)
    }

    @Test("the sticky comment carries our markers, says what runs and how to invoke it")
    func deployedComment() throws {
        let body = try PRComment.render(.deployed(Self.report(changed: true)))
        #expect(body.hasPrefix(PRComment.marker + "\n<!-- RUNTIME_ID: pr_7-AbCdEfGhIj -->\n"))
        for expected in ["version 3", "3 (new)", "2.5 MB", "1.25 s", "s3://b-1/pr_7/v3/code.zip",
                         "--agent-runtime-arn 'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/pr_7-AbCdEfGhIj'",
                         "--qualifier DEFAULT", "--region us-west-2"] {
            #expect(body.contains(expected), "comment lacks \(expected)")
        }
        #expect(try PRComment.render(.deployed(Self.report(changed: false))).contains("no new version was made"))
    }

    @Test("only the bot's sticky comment names the runtime; a deleted runtime's comment names none")
    func runtimeFromComments() throws {
        let trusted = TrustedMarkers()
        let ours = GitHubComment(id: 2, body: try PRComment.render(.merged(runtimeName: "pr_7", runtimeID: "pr_7-AbCdEfGhIj")), user: bot)
        let quoted = GitHubComment(id: 1, body: PRComment.marker + "\n<!-- RUNTIME_ID: pr_7-ZzZzZzZzZz -->", user: person)
        #expect(try PRComment.runtimeID(in: [quoted, ours], trusted: trusted) == "pr_7-AbCdEfGhIj")
        #expect(try PRComment.runtimeID(in: [quoted], trusted: trusted) == nil)
        let deleted = GitHubComment(id: 3, body: try PRComment.render(.deleted(runtimeName: "pr_7", runtimeID: "pr_7-AbCdEfGhIj")), user: bot)
        #expect(try PRComment.runtimeID(in: [deleted], trusted: trusted) == nil)
        #expect(PRComment.ours(in: [quoted, deleted, ours], trusted: trusted).map(\.id) == [2, 3])
    }

    @Test("the deployment issue's metadata reads back; its title names version, PR and commit")
    func deploymentIssue() throws {
        let runtime = AgentRuntime.sample(id: "prod-AbCdEfGhIj", version: "5", name: "prod")
        let deployment = RuntimeDeployment(
            runtime: runtime, changed: true, previousVersion: "4",
            packageLocation: S3Location(bucket: "b-1", key: "prod/packages/x.zip"),
            versionCopy: S3Location(bucket: "b-1", key: "prod/v5/code.zip"))
        let commit = String(repeating: "c", count: 40)
        let issue = try DeploymentIssue(
            deployment: deployment, package: PackageManifestSample.make(sha256: String(repeating: "d", count: 64), bytes: 1000),
            commitSHA: commit, pullRequest: 42, pullRequestRuntimeID: "pr_42-AbCdEfGhIj", prodEndpointName: "live")
        #expect(issue.title == "Promote prod version 5 (#42, ccccccc)")
        #expect(try DeploymentMetadata.parse(issue.body) == issue.metadata)
        #expect(issue.metadata.prRuntimeID == "pr_42-AbCdEfGhIj")
        #expect(issue.body.contains("`live` endpoint"))
        #expect(issue.body.contains("**`approved`**"))
    }

    @Test("the merged pull request from a merge or squash message")
    func pullRequestFromMessage() {
        #expect(ProdDeployFlow.pullRequestNumber(inMessage: "Merge pull request #12 from octo/feature\n\nTitle") == 12)
        #expect(ProdDeployFlow.pullRequestNumber(inMessage: "Make it kinder (#345)") == 345)
        #expect(ProdDeployFlow.pullRequestNumber(inMessage: "Make it kinder (#345)\n\n* details (#9)") == 345)
        for message in ["Fix a typo", "Refs #12 in the text", "Body only\n\n(#12)", "Merge branch 'main'", "(#0)"] {
            #expect(ProdDeployFlow.pullRequestNumber(inMessage: message) == nil, "\(message)")
        }
    }

    @Test("only a push that lands a commit on the default branch is deployed", .readsTestVectors)
    func pushesThatDeploy() throws {
        // GitHub's recorded push is a tag deletion.
        let data = try Data(contentsOf: TestVectors.url("github-webhooks/push.json"))
        guard case .push(let recorded) = try GitHubEvent.decode(name: "push", json: data) else {
            Issue.record("not a push")
            return
        }
        #expect(ProdDeployFlow.skipReason(recorded) == "refs/tags/simple-tag was deleted")

        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["deleted"] = false
        object["after"] = String(repeating: "1", count: 40)
        func reason(ref: String) throws -> String? {
            object["ref"] = ref
            guard case .push(let event) = try GitHubEvent.decode(name: "push", json: try JSONSerialization.data(withJSONObject: object))
            else { return "not a push" }
            return ProdDeployFlow.skipReason(event)
        }
        #expect(try reason(ref: "refs/heads/master") == nil)
        #expect(try reason(ref: "refs/heads/main") == "main is not the default branch (master)")
        #expect(try reason(ref: "refs/tags/v1") == "refs/tags/v1 is not a branch")
    }
}

@Suite("AgentSource")
struct AgentSourceTests {
    @Test("agent/ by default, AGENTCORE_AGENT_DIR when set, and a missing directory says how to fix it")
    func directory() throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "")
        try tree.file("agent/requirements.txt", "")
        try tree.file("bots/helper/main.py", "")
        try tree.file("bots/helper/requirements.txt", "")
        try tree.file("bots/helper/agentcore.json", #"{"entryPoint": "main.py", "python": "3.12"}"#)

        let standard = try AgentSource.fromEnvironment([:], workingDirectory: tree.root)
        #expect(standard.directory.lastPathComponent == "agent")
        #expect(standard.settings == RuntimeSettings())

        let custom = try AgentSource.fromEnvironment(["AGENTCORE_AGENT_DIR": "bots/helper", "AGENTCORE_CHECK_BOOT": "true"], workingDirectory: tree.root)
        #expect(custom.settings.entryPoint == "main.py")
        #expect(custom.settings.python == "3.12")
        #expect(custom.checkBoot)

        let error = try #require(throws: ActionableError.self) {
            try AgentSource.fromEnvironment(["AGENTCORE_AGENT_DIR": "nowhere"], workingDirectory: tree.root)
        }
        #expect(error.description.contains("AGENTCORE_AGENT_DIR"))
    }
}

extension AgentRuntime {
    static func sample(id: String, version: String, name: String? = nil) -> AgentRuntime {
        let json = """
            {"agentRuntimeArn": "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/\(id)",
             "agentRuntimeName": "\(name ?? MarkerValue.runtimeName(ofRuntimeID: id) ?? id)", "agentRuntimeId": "\(id)",
             "agentRuntimeVersion": "\(version)", "roleArn": "arn:aws:iam::123456789012:role/r",
             "networkConfiguration": {"networkMode": "PUBLIC"}, "status": "READY"}
            """
        return try! AgentCoreJSON.decoder.decode(AgentRuntime.self, from: Data(json.utf8))
    }
}

enum PackageManifestSample {
    static func make(sha256: String, bytes: Int64) -> PackageManifest {
        let json = """
            {"path": "/tmp/p.zip", "sha256": "\(sha256)", "compressedBytes": \(bytes), "uncompressedBytes": \(bytes * 3),
             "fileCount": 3, "entryPoint": "agent.py", "runtime": "PYTHON_3_11", "precompiled": false, "reusedEntries": 0}
            """
        return try! JSONDecoder().decode(PackageManifest.self, from: Data(json.utf8))
    }
}
