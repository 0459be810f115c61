import AgentCoreGitOps
import Foundation

// prod-promote: the IssueOps gate to production.
//
// - `issues` labeled `approved` on a deployment issue: the prod endpoint moves to the issue's
//   version, the PR runtime is deleted, the issue is commented, labelled `promoted` and closed.
// - `workflow_dispatch` with `prod_runtime_version` (and optional `issue_number`, `dry_run`):
//   the prod endpoint moves back or forward to that version.
//
// Exit status:
//   0  promoted, moved, dry-run planned, ignored (not an approval of a deployment issue), or an
//      approval refused: a refusal is a handled outcome whose result is the comment on the issue
//      (why, and what to do) and the removed `approved` label; it is also a `::warning::`.
//   1  an error, or a refused dispatch (bad version, missing permission): `::error::` says why.
//
// Settings: AGENTCORE_* variables (see DeploymentSettings), AWS credentials, GITHUB_TOKEN,
// GITHUB_REPOSITORY, GITHUB_EVENT_NAME and GITHUB_EVENT_PATH.

@main
struct ProdPromoteCommand {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let reporter = ActionsReporter(environment: environment)
        do {
            let context = try FlowContext.fromEnvironment(environment)
            let event = try GitHubEvent.load(environment: environment)
            reporter.info(try await ProdPromote.run(context: context, event: event))
        } catch {
            reporter.error(String(describing: error), title: "prod-promote failed")
            exit(1)
        }
    }
}
