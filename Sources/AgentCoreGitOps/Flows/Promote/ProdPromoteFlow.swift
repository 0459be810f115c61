import Foundation

/// `prod-promote`: the IssueOps gate to production. An `approved` label on a deployment issue
/// runs `ApprovalFlow`; a `workflow_dispatch` with a version runs `RollbackFlow`.
public enum ProdPromoteFlow: ExecutableFlow {
    public static let executableName = "prod-promote"
    public static let usage = """
        usage: prod-promote
        On an `issues` event that adds `approved` to a deployment issue: moves the prod endpoint to the
        issue's version, deletes the pull request's runtime, comments, labels the issue `promoted` and
        closes it. On `workflow_dispatch` with prod_runtime_version (and optional issue_number, dry_run):
        moves the prod endpoint back or forward to that version.
        Exits 0 when promoted, moved, planned or ignored, and when an approval is refused: the refusal is
        answered on the issue (why, and what to do) and its `approved` label removed. Exits 1 on an error
        or a refused dispatch. Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN,
        the AGENTCORE_* variables, AWS credentials and AWS_REGION from the environment.
        """

    /// Returns the line it logged.
    @discardableResult
    public static func run(environment: [String: String], reporter: ActionsReporter) async throws -> String {
        let context = try FlowContext.fromEnvironment(environment)
        let event = try GitHubEvent.load(environment: environment)
        let line = try await run(context: context, event: event)
        reporter.info(line)
        return line
    }

    /// Runs the flow the event calls for and returns one line saying what happened; the step
    /// output `outcome` says it in one word: promoted, refused, ignored, moved or planned.
    /// An approval that is refused is answered on the issue and returns normally; a refused
    /// dispatch throws, since the run is the only place its sender looks.
    public static func run(context: FlowContext, event: GitHubEvent) async throws -> String {
        let (outcome, line) = try await runFlow(context: context, event: event)
        try context.reporter.setOutput("outcome", outcome)
        return line
    }

    private static func runFlow(context: FlowContext, event: GitHubEvent) async throws -> (String, String) {
        switch event {
        case .issues(let issues):
            switch try await ApprovalFlow(context: context, event: issues).run() {
            case .ignored(let reason): return ("ignored", "Ignored: \(reason)")
            case .refused(let refusal): return ("refused", "Refused (see the comment on issue #\(issues.issue.number)): \(refusal)")
            case .promoted(let result): return ("promoted", "Promoted: \(result.summaryLine)")
            }
        case .workflowDispatch(let dispatch):
            switch try await RollbackFlow(context: context, event: dispatch).run() {
            case .planned(let runtimeID, let from, let to): return ("planned", "Dry run: \(runtimeID) would go from \(from ?? "none") to \(to)")
            case .moved(let move): return ("moved", "Prod endpoint \(move.endpointName) serves version \(move.toVersion)")
            }
        case .pullRequest, .push:
            throw ActionableError.refusal(
                "prod-promote runs on `issues` (labeled) and `workflow_dispatch` events only",
                fix: "trigger its workflow with `on: issues: types: [labeled]` and `workflow_dispatch`")
        }
    }
}
