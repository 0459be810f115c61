import AgentCoreGitOps
import Foundation

/// `prod-promote`: the IssueOps gate to production, run by the promote workflow. It takes no
/// arguments: the event, the repository variables and the credentials come from the environment
/// (see docs/setup.md). Exits 1 with an `::error::` line when anything fails.
@main
struct ProdPromoteCommand {
    static func main() async {
        if CommandLine.arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
            print("""
                usage: prod-promote
                On an `issues` event that adds `approved` to a deployment issue: moves the prod endpoint to the
                issue's version, deletes the pull request's runtime, comments, labels the issue `promoted` and
                closes it. On `workflow_dispatch` with prod_runtime_version (and optional issue_number, dry_run):
                moves the prod endpoint back or forward to that version.
                Exits 0 when promoted, moved, planned or ignored, and when an approval is refused: the refusal is
                answered on the issue (why, and what to do) and its `approved` label removed. Exits 1 on an error
                or a refused dispatch. Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN,
                the AGENTCORE_* variables, AWS credentials and AWS_REGION from the environment.
                """)
            return
        }
        exit(await FlowMain.run("prod-promote") { environment, reporter in
            let context = try FlowContext.fromEnvironment(environment)
            let event = try GitHubEvent.load(environment: environment)
            reporter.info(try await ProdPromoteFlow.run(context: context, event: event))
        })
    }
}
