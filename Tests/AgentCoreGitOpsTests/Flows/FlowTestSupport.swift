import Foundation
import Testing
@testable import AgentCoreGitOps

/// A checkout of a repository with an agent, wired to the shared sandbox the way the workflows
/// wire the executables: it runs `pr-deploy` and `prod-deploy` as processes with event payload
/// files the GitHub emulator renders, and reads back what they left in AWS and on GitHub.
///
/// Tests share the sandbox and run in parallel: each opens its own pull requests (the emulator
/// numbers them), and each fixture deploys to its own prod runtime name.
final class FlowFixture: @unchecked Sendable {
    let sandbox: Sandbox
    /// Changes only when a test renames or transfers the repository.
    private(set) var github: GitHubEmulator
    /// GitHub's id of the repository, which a rename keeps; Actions gives it to every step.
    let repositoryID: Int
    let checkout: TempTree
    let prodRuntime: String

    /// A small agent (a tiny `agent.py`, no dependencies) by default; `realAgent` copies the
    /// repository's own `agent/` and `prompts/`, whose dependencies come from the package cache.
    /// `sandbox`: a sandbox of the test's own, for global faults; the shared one by default.
    /// `sameRepositoryAs`: another checkout of the same repository, as two runners of one workflow are.
    init(realAgent: Bool = false, sandbox own: Sandbox? = nil, sameRepositoryAs other: FlowFixture? = nil) async throws {
        // A repository of its own: prod-deploy compares each commit with the tip of the default
        // branch, which tests running in parallel would otherwise move under each other.
        if let other {
            github = other.github
        } else if let own {
            let info = own.info
            github = try await GitHubEmulator(
                sandbox: own, apiURL: try #require(info.githubApiUrl), repository: try #require(info.repository),
                tokens: try #require(info.tokens), logins: try #require(info.logins)).ownRepository()
        } else {
            github = try await GitHubEmulator.shared().ownRepository()
        }
        sandbox = github.sandbox
        if let other {
            repositoryID = other.repositoryID
        } else {
            // Read as the maintainer: the bot's budget is the flows' to spend.
            repositoryID = try #require(try await github.client("maintainer").getRepository(GitHubRepository(github.repository)).id)
        }
        checkout = try TempTree()
        prodRuntime = Sandbox.uniqueName("prod")
        if realAgent {
            for folder in ["agent", "prompts"] {
                try FileManager.default.copyItem(
                    at: RepositoryPaths.root.appendingPathComponent(folder), to: checkout.url(folder))
            }
            try allowSlowSmokeTests()
        } else {
            try SmallAgent.write(into: checkout)
        }
    }

    /// Changes what the agent says, and so its package.
    func writeAgent(_ greeting: String) throws {
        try SmallAgent.writeAgent(greeting, into: checkout)
    }

    /// The real agent's first start imports Strands, which a test machine busy with the other
    /// tests may take minutes for: its smoke test waits as long as the settings allow.
    private func allowSlowSmokeTests() throws {
        let file = checkout.url("agent/agentcore.json")
        var settings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var smokeTest = settings["smokeTest"] as? [String: Any] ?? [:]
        smokeTest["timeoutSeconds"] = SmokeTestSettings.timeoutRange.upperBound
        settings["smokeTest"] = smokeTest
        try JSONSerialization.data(withJSONObject: settings, options: [.prettyPrinted, .sortedKeys]).write(to: file)
    }

    // MARK: Environment

    /// What the workflow step gets: repository variables, AWS credentials, the GitHub context.
    var environment: [String: String] {
        sandbox.awsEnvironment.merging([
            "GITHUB_ACTIONS": "true",
            "GITHUB_API_URL": github.apiURL,
            "GITHUB_REPOSITORY": github.repository,
            "GITHUB_REPOSITORY_ID": String(repositoryID),
            "GITHUB_TOKEN": github.tokens["bot"] ?? "",
            "AGENTCORE_PROD_RUNTIME": prodRuntime,
            "AGENTCORE_CACHE_DIR": TestCache.directory.path,
            // In-process builds find uv through it, as a workflow step would.
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]) { $1 }
    }

    // MARK: Pull requests and events

    static func sha() -> String { GitHubEmulator.randomSHA() }

    func openPullRequest(headSHA: String = sha(), fork: Bool = false) async throws -> Int {
        try await github.openPullRequest(headSHA: headSHA, fork: fork)
    }

    /// A pull request opened at `headSHA` and deployed by pr-deploy, which must succeed: its number and that run.
    func openDeployedPullRequest(headSHA: String = sha()) async throws -> (number: Int, opened: Run) {
        let number = try await openPullRequest(headSHA: headSHA)
        let opened = try await prDeploy("opened", number)
        try #require(opened.succeeded, "\(opened.process.output)")
        return (number, opened)
    }

    func pushToPullRequest(_ number: Int, headSHA: String = sha()) async throws {
        try await github.control("POST", "/_sandbox/repos/\(github.repository)/pulls/\(number)/push", json: ["head_sha": headSHA])
    }

    /// A push to the pull request that changes what the agent says; returns the new head commit.
    @discardableResult
    func pushChange(_ greeting: String, to number: Int) async throws -> String {
        try writeAgent(greeting)
        let head = Self.sha()
        try await pushToPullRequest(number, headSHA: head)
        return head
    }

    func merge(_ number: Int, mergeSHA: String = sha()) async throws -> String {
        try await github.mergePullRequest(number, mergeSHA: mergeSHA)
        return mergeSHA
    }

    /// Renames or transfers the repository as its owner would: same id, and the old name redirects.
    func moveRepository(to fullName: String) async throws {
        try await github.control("PATCH", "/_sandbox/repos/\(github.repository)", json: ["full_name": fullName])
        github = GitHubEmulator(sandbox: sandbox, apiURL: github.apiURL, repository: fullName, tokens: github.tokens, logins: github.logins)
    }

    func close(_ number: Int) async throws {
        try await github.control("POST", "/_sandbox/repos/\(github.repository)/pulls/\(number)/close")
    }

    /// The payload GitHub would deliver now, written to a file for `GITHUB_EVENT_PATH`.
    func event(_ request: [String: Any], edit: (inout [String: Any]) -> Void = { _ in }) async throws -> URL {
        let data = try await github.control("POST", "/_sandbox/repos/\(github.repository)/events", json: request)
        var payload = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&payload)
        return try checkout.data("events/\(UUID().uuidString).json", try JSONSerialization.data(withJSONObject: payload))
    }

    // MARK: Running the executables

    struct Run {
        let process: ProcessResult
        let outputs: [String: String]
        var succeeded: Bool { process.status == 0 }
    }

    func run(
        _ executable: String, event name: String, payload: URL, environment overrides: [String: String?] = [:]
    ) async throws -> Run {
        let outputFile = checkout.url("outputs-\(UUID().uuidString)")
        // Every run is a new workflow run, as on GitHub.
        var env = environment.merging([
            "GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": payload.path, "GITHUB_OUTPUT": outputFile.path,
            "GITHUB_RUN_ID": String(UInt32.random(in: 1...UInt32.max)), "GITHUB_RUN_ATTEMPT": "1",
        ]) { $1 }
        for (key, value) in overrides { env[key] = value }
        let result = try await runProcess(RepositoryPaths.executable(executable), [], environment: env, currentDirectory: checkout.root)
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        var outputs: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { outputs[String(parts[0])] = String(parts[1]) }
        }
        return Run(process: result, outputs: outputs)
    }

    /// Runs pr-deploy for `action` on pull request `number` as it is in the emulator now.
    func prDeploy(_ action: String, _ number: Int, before: String? = nil, environment: [String: String?] = [:]) async throws -> Run {
        var request: [String: Any] = ["event": "pull_request", "action": action, "number": number]
        if let before { request["before"] = before }
        return try await run("pr-deploy", event: "pull_request", payload: try await event(request), environment: environment)
    }

    /// Runs prod-deploy for a push of `after` to `ref`, which then points at `after` as it would
    /// on GitHub (`movingBranch: false` leaves the branch where it is: a re-run of an old push).
    func prodDeploy(
        after: String, message: String? = nil, ref: String = "refs/heads/main", movingBranch: Bool = true,
        environment: [String: String?] = [:]
    ) async throws -> Run {
        if movingBranch, ref.hasPrefix("refs/heads/") {
            try await github.push(after, branch: String(ref.dropFirst("refs/heads/".count)))
        }
        var request: [String: Any] = ["event": "push", "after": after, "ref": ref]
        if let message { request["message"] = message }
        return try await run("prod-deploy", event: "push", payload: try await event(request), environment: environment)
    }

    // MARK: What is left on GitHub

    struct GitHubState: Decodable {
        struct Comment: Decodable {
            let id: Int
            let body: String
            let user: GitHubUser
            let issueNumber: Int
            let repository: String
            enum CodingKeys: String, CodingKey {
                case id, body, user, repository
                case issueNumber = "issue_number"
            }
        }
        let issues: [GitHubIssueWithRepository]
        let comments: [Comment]
        let labels: [String: [GitHubLabel]]
    }

    struct GitHubIssueWithRepository: Decodable {
        let issue: GitHubIssue
        let repository: String
        init(from decoder: Decoder) throws {
            issue = try GitHubIssue(from: decoder)
            repository = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .repository)
        }
        private enum Key: String, CodingKey { case repository }
    }

    func gitHubState() async throws -> GitHubState {
        try JSONDecoder().decode(GitHubState.self, from: try await github.control("GET", "/_sandbox/state"))
    }

    func comments(on number: Int) async throws -> [GitHubState.Comment] {
        try await gitHubState().comments
            .filter { $0.repository == github.repository && $0.issueNumber == number }.sorted { $0.id < $1.id }
    }

    /// The bot's comments on a pull request: pr-deploy's sticky comment, if any.
    func botComments(on number: Int) async throws -> [GitHubState.Comment] {
        try await comments(on: number).filter { $0.user.login == github.logins["bot"] }
    }

    /// What a deploy that failed before any version ran may leave on the pull request: nothing
    /// (GitHub was out of reach too, or the run stopped before it could talk to GitHub), or the
    /// bot's one sticky comment saying the deploy failed, which names no runtime.
    func onlyAFailedComment(on number: Int) async throws -> Bool {
        let comments = try await comments(on: number)
        return comments.count <= 1 && comments.allSatisfy { comment in
            comment.user.login == github.logins["bot"] && comment.body.contains(PRComment.marker)
                && comment.body.contains(": deploy failed") && (try? RuntimeIDMarker.parse(comment.body)) == nil
        }
    }

    /// Deployment issues (by anyone) whose body mentions `commitSHA`.
    func deploymentIssues(forCommit commitSHA: String) async throws -> [GitHubIssue] {
        try await gitHubState().issues
            .filter { $0.repository == github.repository && ($0.issue.body ?? "").contains("COMMIT_SHA: \(commitSHA)") }
            .map(\.issue)
    }

    func repositoryLabels() async throws -> [GitHubLabel] {
        try await gitHubState().labels[github.repository] ?? []
    }

    /// Comments as a person would, through the REST API with that person's token.
    func comment(as identity: String, on number: Int, body: String) async throws {
        _ = try await github.client(identity).createComment(issue: number, body: body)
    }

    // MARK: What is left in AWS

    func agentCore() throws -> AgentCoreControl { try sandbox.agentCoreControl() }

    func s3() throws -> S3Client { S3Client(client: try sandbox.awsClient()) }

    func runtime(named name: String) async throws -> AgentRuntime? {
        guard let summary = try await agentCore().findRuntime(named: name) else { return nil }
        return try await agentCore().getAgentRuntime(id: summary.agentRuntimeId)
    }

    func versions(ofRuntime id: String) async throws -> [String] {
        try await agentCore().allAgentRuntimeVersions(id: id).map(\.agentRuntimeVersion)
            .compactMap(Int.init).sorted().map(String.init)
    }

    /// The hex SHA-256 of the object's bytes, downloaded; nil when there is no object.
    func sha256(ofKey key: String) async throws -> String? {
        let file = checkout.url("downloads/\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try await s3().getObject(bucket: sandbox.info.s3Bucket, key: key, to: file)
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
        return try SHA256Hasher.hash(fileAt: file).hexString
    }

    /// A runtime named `name` that this tool did not create (no ownership tag).
    func createForeignRuntime(named name: String) async throws -> AgentRuntimeChange {
        let code = try await sandbox.uploadCode(key: "foreign/\(UUID().uuidString).zip")
        var configuration = sandbox.configuration(code: code)
        configuration.description = "made by hand"
        return try await agentCore().createAgentRuntime(CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: configuration))
    }
}

extension FlowFixture {
    /// The context a flow gets, over the sandbox, reporting nowhere.
    func context() throws -> FlowContext {
        var context = try FlowContext.fromEnvironment(environment)
        context.reporter = ActionsReporter(environment: [:], write: { _ in })
        return context
    }

    /// The fixture's agent as the flows read it.
    func agentSource() throws -> AgentSource {
        try AgentSource.fromEnvironment(environment, workingDirectory: checkout.root)
    }

    func deployer() throws -> RuntimeDeployer {
        var deployer = RuntimeDeployer(context: try context())
        deployer.log = { _ in }
        return deployer
    }
}
