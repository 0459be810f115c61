import Foundation

/// Everything a flow talks to, set up once from the environment: settings, AWS, GitHub, and the
/// place it reports to. Flows take a context, so tests can build one over the sandbox.
public struct FlowContext: Sendable {
    public var settings: DeploymentSettings
    public var agentCore: any AgentCoreControlClient
    public var waiter: AgentCoreWaiter
    public var s3: S3Client
    /// Calls deployed agents (InvokeAgentRuntime): the smoke test after a deploy.
    public var invoker: any AgentInvoking
    /// What an invocation's latency and timeout are measured on; tests pass one they move.
    public var invocationClock: any Clock<Duration>
    public var github: any GitHubAPI
    /// This repository's name and id, as ownership tags record them.
    public var owningRepository: OwningRepository
    public var reporter: ActionsReporter
    /// The process environment the context came from (event path, workspace, inputs).
    public var environment: [String: String]

    /// Reads every setting before any request is sent, so a missing variable fails the run
    /// with nothing done. The GitHub token is masked in the log at once.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        waitPolicy: WaitPolicy = WaitPolicy()
    ) throws -> FlowContext {
        let reporter = ActionsReporter(environment: environment)
        for name in SecretRedactor.secretVariables {
            if let secret = environment[name], !secret.isEmpty { reporter.mask(secret) }
        }
        let settings = try DeploymentSettings.fromEnvironment(environment)
        let aws = AWSClient(configuration: try AWSConfiguration.resolve(environment: environment))
        let agentCore = AgentCoreControl(transport: aws)
        var githubEnvironment = environment
        githubEnvironment["AGENTCORE_BOT_LOGIN"] = settings.botLogin
        let github = try GitHubClient(environment: githubEnvironment)
        return FlowContext(
            settings: settings,
            agentCore: agentCore,
            waiter: AgentCoreWaiter(client: agentCore, policy: waitPolicy, onStatusChange: { reporter.info("  status: \($0)") }),
            s3: S3Client(client: aws),
            invoker: AgentCoreDataPlane(client: aws),
            invocationClock: ContinuousClock(),
            github: github,
            owningRepository: try OwningRepository.fromEnvironment(environment, github: github),
            reporter: reporter,
            environment: environment)
    }
}
