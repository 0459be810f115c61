import Foundation
import Testing
@testable import AgentCoreGitOps

/// Everything a flow talks to, in memory: AgentCore, its data plane, S3 and GitHub fakes, a test
/// clock for the waits, and a checkout with a small agent, packaged as a plain zip so that no process starts. Flows run in-process over a `context()`.
final class InMemoryFlows: @unchecked Sendable {
    static let bucket = "agentcore-test-packages"
    static let roleArn = "arn:aws:iam::123456789012:role/AgentRuntime"

    let agentCore = FakeAgentCore()
    let github = FakeGitHub()
    let s3 = FakeS3()
    /// Every deployed version answers the smoke test until a test says otherwise.
    let invoker = FakeInvoker { _ in FakeInvoker.answer(#"{"result": "Hello from the test agent"}"#) }
    let clock = TestClock()
    /// Invocations are timed on it: a smoke test's timeout passes only when a test moves it.
    let invocationClock = ManualClock()
    /// What the flows reported, one entry per line written.
    let log = Recorder<String>()
    let checkout: TempTree
    /// Settings and the GitHub context, as the workflow step gets them.
    var environment: [String: String]

    init() throws {
        checkout = try TempTree()
        environment = [
            "AGENTCORE_ROLE_ARN": Self.roleArn, "AGENTCORE_S3_BUCKET": Self.bucket,
            "AGENTCORE_PROD_RUNTIME": "prod", "AGENTCORE_PROD_ENDPOINT": "prod",
            "AGENTCORE_CACHE_DIR": checkout.url("cache").path,
            "GITHUB_REPOSITORY": github.repository.description, "GITHUB_REPOSITORY_ID": String(github.id), "GITHUB_RUN_ID": "1001", "GITHUB_RUN_ATTEMPT": "1",
        ]
        try SmallAgent.write(into: checkout)
    }

    /// Changes what the agent says, and so its package.
    func writeAgent(_ greeting: String) throws {
        try SmallAgent.writeAgent(greeting, into: checkout)
    }

    // MARK: What flows get

    /// A context over the fakes; the waiter polls on the test clock.
    func context(_ overrides: [String: String] = [:]) throws -> FlowContext {
        let environment = environment.merging(overrides) { $1 }
        let log = log
        return FlowContext(
            settings: try DeploymentSettings.fromEnvironment(environment),
            agentCore: agentCore,
            waiter: AgentCoreWaiter(client: agentCore, clock: clock),
            s3: S3Client(client: s3),
            invoker: invoker,
            invocationClock: invocationClock,
            github: github,
            owningRepository: try OwningRepository.fromEnvironment(environment, github: github),
            reporter: ActionsReporter(environment: [:], write: { log.append($0) }),
            environment: environment)
    }

    /// The checkout's agent, packaged as a plain zip of its directory: no uv, no process.
    func agent() throws -> AgentSource {
        var agent = try AgentSource.fromEnvironment(environment, workingDirectory: checkout.root)
        agent.packager = { options, _ in
            try await PackageBuilder.zip(directory: options.agentDirectory, to: options.output, entryPoint: options.entryPoint)
        }
        return agent
    }

    /// The step outputs the flows set, last value first.
    var outputs: [String: String] {
        var outputs: [String: String] = [:]
        for line in log.values where line.hasPrefix("output ") {
            let parts = line.dropFirst("output ".count).split(separator: ":", maxSplits: 1)
            if parts.count == 2 { outputs[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return outputs
    }

    // MARK: Running the flows

    @discardableResult
    func prDeploy(_ action: String, _ number: Int) async throws -> PRDeployOutcome {
        try await PRDeployFlow(context: try context(), event: try pullRequestEvent(action, number), agent: try agent()).run()
    }

    @discardableResult
    func prodDeploy(after sha: String, message: String? = nil) async throws -> ProdDeployOutcome {
        try await ProdDeployFlow(context: try context(), event: try pushEvent(after: sha, message: message), agent: try agent()).run()
    }

    /// `label` added to `issue` by `login`.
    func promote(issue: Int, by login: String = FakeGitHub.maintainer, label: String = "approved") async throws -> ApprovalFlow.Outcome {
        try await ApprovalFlow(context: try context(), event: try labeledEvent(issue: issue, label: label, by: login)).run()
    }

    func rollback(_ inputs: [String: String], by login: String = FakeGitHub.maintainer) async throws -> RollbackFlow.Outcome {
        try await RollbackFlow(context: try context(), event: try dispatchEvent(inputs, by: login)).run()
    }

    /// A merged pull request deployed to prod: its runtime, the prod runtime and the deployment issue.
    func deployedMerge() async throws -> (pullRequest: Int, issue: Int, prRuntimeID: String, deployment: RuntimeDeployment) {
        let number = github.openPullRequest()
        guard case .deployed(let report) = try await prDeploy("opened", number) else { throw InMemoryFlowsError("pr-deploy did not deploy") }
        let merge = github.merge(number)
        try await prDeploy("closed", number)
        guard case .deployed(let issue, let deployment) = try await prodDeploy(after: merge) else {
            throw InMemoryFlowsError("prod-deploy did not deploy")
        }
        return (number, issue, report.runtimeID, deployment)
    }

    // MARK: Events as GitHub sends them

    private var repositoryJSON: [String: Any] {
        ["id": github.id, "full_name": github.repository.description, "default_branch": "main", "fork": false]
    }

    func pullRequestEvent(_ action: String, _ number: Int) throws -> PullRequestEvent {
        let pull = try #require(github.pullRequest(number))
        let payload: [String: Any] = [
            "action": action, "number": number, "pull_request": try Self.object(pull),
            "repository": repositoryJSON, "sender": ["login": FakeGitHub.maintainer],
        ]
        return try Self.decode(PullRequestEvent.self, payload)
    }

    func pushEvent(after sha: String, message: String? = nil) throws -> PushEvent {
        var payload: [String: Any] = [
            "ref": "refs/heads/main", "before": FakeGitHub.randomSHA(), "after": sha,
            "repository": repositoryJSON, "sender": ["login": FakeGitHub.maintainer],
        ]
        if let message { payload["head_commit"] = ["id": sha, "message": message] }
        return try Self.decode(PushEvent.self, payload)
    }

    func labeledEvent(issue number: Int, label: String, by login: String) throws -> IssuesEvent {
        let issue = try #require(github.issue(number))
        let payload: [String: Any] = [
            "action": "labeled", "issue": try Self.object(issue), "label": ["name": label],
            "repository": repositoryJSON, "sender": ["login": login],
        ]
        return try Self.decode(IssuesEvent.self, payload)
    }

    func dispatchEvent(_ inputs: [String: String], by login: String) throws -> WorkflowDispatchEvent {
        let payload: [String: Any] = [
            "inputs": inputs, "ref": "refs/heads/main", "repository": repositoryJSON, "sender": ["login": login],
        ]
        return try Self.decode(WorkflowDispatchEvent.self, payload)
    }

    private static func object(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ payload: [String: Any]) throws -> T {
        try JSONDecoder().decode(T.self, from: try JSONSerialization.data(withJSONObject: payload))
    }
}

struct InMemoryFlowsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
