import Foundation

/// What the `prod-promote` executable does with the event that started it.
public enum ProdPromoteFlow {
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
