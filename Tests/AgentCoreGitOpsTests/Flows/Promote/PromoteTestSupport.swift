import Foundation
import Testing
@testable import AgentCoreGitOps

/// The state pr-deploy and prod-deploy leave behind, built directly in the sandbox: a prod
/// runtime (unique name, our ownership tag) with several versions (each recorded, and recorded as
/// having passed its smoke test) and its `prod` endpoint, PR runtimes, and deployment issues
/// written with the bot's token. Then `prod-promote` runs as a
/// process with event payloads the GitHub emulator renders from that state.
struct PromoteStage: Sendable {
    let sandbox: Sandbox
    let github: GitHubEmulator
    let control: AgentCoreControl
    let waiter: AgentCoreWaiter
    let prodName: String
    let prodID: String
    /// The commit each version was built from (version k at index k-1), pushed in order to the
    /// stage's default branch and recorded in the deploy bucket as prod-deploy records them.
    let commits: [String]
    /// Every version runs the same tiny package.
    let packageSHA256: String

    static let endpointName = "prod"
    static let quick = WaitPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(250), timeout: .seconds(120))

    var repository: String { github.repository }

    /// A prod runtime with `versions` versions, its endpoint at `endpointAt` (none when nil),
    /// tagged for `owner` (this repository by default).
    static func make(
        sandbox: Sandbox? = nil, versions: Int = 3, endpointAt: String? = "1", owner: String? = nil
    ) async throws -> PromoteStage {
        let sandbox = if let sandbox { sandbox } else { try await Sandbox.shared() }
        let github = try await GitHubEmulator.in(sandbox).ownRepository()
        let control = try sandbox.agentCoreControl()
        let waiter = AgentCoreWaiter(client: control, policy: quick)
        let name = Sandbox.uniqueName("prod")
        let id = try await makeRuntime(
            name: name, versions: versions,
            description: RuntimeOwnership.description("Sample agent", repository: owner ?? github.repository, role: .production),
            sandbox: sandbox, control: control, waiter: waiter)
        if let endpointAt {
            _ = try await control.createAgentRuntimeEndpoint(
                CreateAgentRuntimeEndpointRequest(agentRuntimeId: id, name: endpointName, agentRuntimeVersion: endpointAt))
            try await waiter.endpointReady(runtimeId: id, name: endpointName, version: endpointAt)
        }
        let s3 = S3Client(client: try sandbox.awsClient())
        // The bytes `uploadCode` writes; the approval compares them with S3's checksum of the artifact.
        let packageSHA256 = SHA256Hasher.hash(Data("PK\u{5}\u{6}".utf8 + Data(count: 18))).hexString
        let records = DeploymentRecords(s3: s3, bucket: sandbox.info.s3Bucket, runtimeName: name)
        var commits: [String] = []
        for version in 1...max(1, versions) {
            let commit = GitHubEmulator.randomSHA()
            try await github.push(commit, branch: "main")
            try await records.record(DeploymentRecord(
                runtimeName: name, version: String(version), commitSHA: commit, packageSHA256: packageSHA256,
                pullRequest: nil, recordedAt: Date()))
            commits.append(commit)
        }
        let stage = PromoteStage(
            sandbox: sandbox, github: github, control: control, waiter: waiter, prodName: name, prodID: id,
            commits: commits, packageSHA256: packageSHA256)
        for (index, commit) in commits.enumerated() { try await stage.recordSmokeTestPass(version: String(index + 1), commit: commit) }
        return stage
    }

    /// Records that `version` answered its smoke test, as prod-deploy does; prod-promote requires it.
    func recordSmokeTestPass(version: String, commit: String) async throws {
        let arn = try await control.getAgentRuntime(id: prodID).agentRuntimeArn
        try await DeploymentRecords(s3: S3Client(client: try sandbox.awsClient()), bucket: sandbox.info.s3Bucket, runtimeName: prodName)
            .recordSmokeTest(SmokeTestRecord(
                SmokeTestResult(passed: true, runtimeARN: arn, endpoint: "DEFAULT", latency: .milliseconds(100)),
                runtimeName: prodName, version: version, commitSHA: commit, testedAt: Date()),
                replacing: nil)
    }

    /// A runtime with `versions` versions, each waited for; returns its id.
    static func makeRuntime(
        name: String, versions: Int, description: String, sandbox: Sandbox, control: AgentCoreControl, waiter: AgentCoreWaiter
    ) async throws -> String {
        let code = try await sandbox.uploadCode(key: "\(name)/packages/code.zip")
        var configuration = sandbox.configuration(code: code)
        configuration.description = description
        let created = try await control.createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: configuration))
        try await waiter.runtimeReady(id: created.agentRuntimeId)
        for version in 1..<max(1, versions) {
            configuration.environmentVariables = ["BUILD": String(version + 1)]
            _ = try await control.updateAgentRuntime(
                UpdateAgentRuntimeRequest(agentRuntimeId: created.agentRuntimeId, configuration: configuration))
            try await waiter.runtimeReady(id: created.agentRuntimeId)
        }
        return created.agentRuntimeId
    }

    // MARK: Pull requests and their runtimes

    /// A pull request in the emulator with its runtime `pr_<n>` (tagged for `owner`, this
    /// repository by default) and one named endpoint besides DEFAULT. Returns (number, runtime id).
    func makePullRequestRuntime(owner: String? = nil, number: Int? = nil) async throws -> (Int, String) {
        let number = if let number { number } else { try await openPullRequest() }
        let id = try await Self.makeRuntime(
            name: RuntimeOwnership.prRuntimeName(number), versions: 1,
            description: RuntimeOwnership.description(nil, repository: owner ?? repository, role: .pullRequest(number)),
            sandbox: sandbox, control: control, waiter: waiter)
        _ = try await control.createAgentRuntimeEndpoint(
            CreateAgentRuntimeEndpointRequest(agentRuntimeId: id, name: "review", agentRuntimeVersion: "1"))
        try await waiter.endpointReady(runtimeId: id, name: "review", version: "1")
        return (number, id)
    }

    /// A pull request in this stage's repository. Runtime names share the AWS account while
    /// each test has a repository of its own, so the number is random, not the next one.
    func openPullRequest() async throws -> Int {
        let data = try await github.control("POST", "/_sandbox/repos/\(repository)/pulls", json: [
            "number": Int.random(in: 100_000...899_999_999), "head_sha": GitHubEmulator.randomSHA()])
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["number"] as? Int)
    }

    /// A number no pull request or issue in the emulator has, for runtimes of other repositories.
    static func foreignNumber() -> Int { Int.random(in: 900_000_000...999_999_999) }

    // MARK: Deployment issues

    /// The commit version `version` was built from (a new one for a version the stage did not make).
    func commit(of version: String) -> String {
        Int(version).flatMap { commits.indices.contains($0 - 1) ? commits[$0 - 1] : nil } ?? GitHubEmulator.randomSHA()
    }

    /// A deployment issue's body as prod-deploy writes it: the table people read and the metadata.
    func metadataBody(
        version: String, prRuntimeID: String?, prNumber: Int?, runtimeID: String? = nil, commit: String? = nil
    ) throws -> String {
        let commit = commit ?? self.commit(of: version)
        let metadata = try DeploymentMetadata(
            runtimeID: runtimeID ?? prodID, version: version, prRuntimeID: prRuntimeID,
            commitSHA: commit, prNumber: prNumber, packageSHA256: packageSHA256)
        return """
            Version \(version) of \(prodName) is deployed and waits for approval.

            | | |
            |---|---|
            | Version | \(version) (new) |
            | Commit | \(commit) |
            | Package | SHA-256 `\(packageSHA256)`, 22 B |

            """ + metadata.rendered()
    }

    /// An open deployment issue as prod-deploy writes it (by `author`, the bot by default), its
    /// title naming the version its metadata names.
    func deploymentIssue(body: String, author: String = "bot") async throws -> Int {
        let version = body.firstMatch(of: /VERSION: ([0-9]+)/).map { String($0.1) } ?? "?"
        let issue = try await github.client(author).createIssue(
            title: "Promote \(prodName) version \(version)", body: body,
            labels: ["deployment", "production", DeploymentLabels.needsPromotion.name])
        return issue.number
    }

    /// Adds `approved` with `identity`'s token, as a person would in the web UI.
    func addApproval(issue: Int, by identity: String = "maintainer") async throws {
        try await github.client(identity).addLabels(issue: issue, labels: [DeploymentLabels.approved.name])
    }

    /// A deployment issue with `body`, approved by `identity`, and the labeled payload GitHub
    /// delivers for that (`sender` overrides who labelled).
    func approvedIssue(
        body: String, by identity: String = "maintainer", sender: String? = nil
    ) async throws -> (issue: Int, payload: Data) {
        let issue = try await deploymentIssue(body: body)
        try await addApproval(issue: issue, by: identity)
        return (issue, try await labeledEvent(issue: issue, sender: sender))
    }

    /// What prod-deploy leaves for `version` after a merge (a pull request with its runtime, a
    /// deployment issue naming both), approved as `approvedIssue` does.
    func approvedDeployment(
        version: String, by identity: String = "maintainer", sender: String? = nil
    ) async throws -> (pullRequest: Int, prRuntime: String, issue: Int, payload: Data) {
        let (pr, prRuntime) = try await makePullRequestRuntime()
        let (issue, payload) = try await approvedIssue(
            body: metadataBody(version: version, prRuntimeID: prRuntime, prNumber: pr), by: identity, sender: sender)
        return (pr, prRuntime, issue, payload)
    }

    // MARK: Events and runs

    /// `identity` adds `approved`, then prod-promote runs on the event GitHub would deliver.
    func approveAndRun(issue: Int, by identity: String = "maintainer", runID: String = newRunID()) async throws -> PromoteRun {
        try await addApproval(issue: issue, by: identity)
        return try await runPromote(eventName: "issues", payload: try await labeledEvent(issue: issue), runID: runID)
    }

    /// The `issues` labeled payload GitHub would deliver now; `sender` overrides who labelled.
    func labeledEvent(issue: Int, sender: String? = nil) async throws -> Data {
        var body: [String: Any] = ["event": "issues", "action": "labeled", "number": issue, "label": DeploymentLabels.approved.name]
        if let sender { body["sender"] = sender }
        return try await github.control("POST", "/_sandbox/repos/\(repository)/events", json: body)
    }

    func dispatchEvent(inputs: [String: String], sender: String? = nil) async throws -> Data {
        var body: [String: Any] = ["event": "workflow_dispatch", "inputs": inputs]
        if let sender { body["sender"] = sender }
        return try await github.control("POST", "/_sandbox/repos/\(repository)/events", json: body)
    }

    /// Runs `prod-promote` as the workflow step would; `runID` stays the same across reruns.
    func runPromote(
        eventName: String, payload: Data, runID: String, environment extra: [String: String] = [:]
    ) async throws -> PromoteRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("promote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let eventFile = directory.appendingPathComponent("event.json")
        let summaryFile = directory.appendingPathComponent("summary.md")
        let outputFile = directory.appendingPathComponent("output.txt")
        try payload.write(to: eventFile)
        var environment = sandbox.awsEnvironment
        environment.merge([
            "AGENTCORE_PROD_RUNTIME": prodName,
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": eventName,
            "GITHUB_EVENT_PATH": eventFile.path,
            "GITHUB_REPOSITORY": repository,
            "GITHUB_API_URL": github.apiURL,
            "GITHUB_TOKEN": try #require(github.tokens["bot"]),
            "GITHUB_RUN_ID": runID,
            "GITHUB_STEP_SUMMARY": summaryFile.path,
            "GITHUB_OUTPUT": outputFile.path,
        ]) { _, new in new }
        environment.merge(extra) { _, new in new }
        let result = try await runProcess(RepositoryPaths.executable("prod-promote"), [], environment: environment)
        let summary = (try? String(contentsOf: summaryFile, encoding: .utf8)) ?? ""
        var outputs: [String: String] = [:]
        for line in ((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "").split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { outputs[String(parts[0])] = String(parts[1]) }
        }
        return PromoteRun(result: result, summary: summary, outputs: outputs)
    }

    /// A payload GitHub really sent, from `../shared/test-vectors/github-webhooks/`.
    static func recordedPayload(_ name: String) throws -> Data {
        try Data(contentsOf: TestVectors.url("github-webhooks/\(name).json"))
    }

    static func newRunID() -> String { String(Int.random(in: 1_000_000...9_999_999)) }

    // MARK: Reading the outcome

    func liveVersion() async throws -> String? {
        try await control.findEndpoint(runtimeId: prodID, name: Self.endpointName)?.liveVersion
    }

    func runtimeExists(_ id: String) async throws -> Bool {
        do {
            _ = try await control.getAgentRuntime(id: id)
            return true
        } catch let error as AWSError where error.isNotFound {
            return false
        }
    }

    func issue(_ number: Int) async throws -> GitHubIssue {
        try await github.client().getIssue(number: number)
    }

    func labels(_ number: Int) async throws -> Set<String> {
        Set(try await issue(number).labels.map(\.name))
    }

    /// The bot's comments on the issue carrying `marker`.
    func botComments(_ number: Int, containing marker: String) async throws -> [GitHubComment] {
        try await github.client().listComments(issue: number)
            .filter { $0.user?.login == github.logins["bot"] && ($0.body ?? "").contains(marker) }
    }

    func allComments(_ number: Int) async throws -> [GitHubComment] {
        try await github.client().listComments(issue: number)
    }

    /// The client tokens of the mutating AgentCore calls `operation` made on the prod runtime.
    func clientTokens(_ operation: String, runtimeID: String? = nil) async throws -> [String?] {
        try await sandbox.loggedRequests()
            .filter { $0.operation == operation && $0.path.contains(runtimeID ?? prodID) }
            .map(\.clientToken)
    }
}

struct PromoteRun: Sendable, CustomStringConvertible {
    let result: ProcessResult
    let summary: String
    /// Step outputs written to GITHUB_OUTPUT (single-line values).
    var outputs: [String: String] = [:]

    var status: Int32 { result.status }
    var output: String { result.output }
    var description: String { "exit \(result.status)\n\(result.output)\nsummary:\n\(summary)" }
}

extension GitHubEmulator {
    /// The same emulator on a new repository of the same owner: issues, labels and pull requests
    /// of its own, so promotion tests neither see nor disturb the other tests' (roles are per user,
    /// so the identities keep theirs).
    func ownRepository() async throws -> GitHubEmulator {
        let owner = try #require(repository.split(separator: "/").first)
        let name = "\(owner)/promote-\(UUID().uuidString.prefix(8).lowercased())"
        try await control("POST", "/_sandbox/repos", json: ["full_name": name])
        // Numbers continue from the highest: a high first one keeps this repository's issue
        // numbers apart from the shared repository's in the emulator's request log.
        try await control("POST", "/_sandbox/repos/\(name)/pulls", json: [
            "number": Int.random(in: 100_000...800_000_000), "head_sha": GitHubEmulator.randomSHA(), "title": "Numbering"])
        return GitHubEmulator(sandbox: sandbox, apiURL: apiURL, repository: name, tokens: tokens, logins: logins)
    }
}
