import AgentCoreGitOps
import Foundation

/// `pr-deploy`: run by the PR deploy workflow on pull_request events. It takes no arguments:
/// the event, the repository variables and the credentials come from the environment
/// (see docs/setup.md). Exits 1 with an `::error::` line when anything fails.
@main
struct PRDeployCommand {
    static func main() async {
        if CommandLine.arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
            print("""
                usage: pr-deploy
                Deploys a pull request's agent to its runtime pr_<number>, or deletes that runtime when the
                pull request is closed without merging. Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
                GITHUB_REPOSITORY, GITHUB_TOKEN, AGENTCORE_ROLE_ARN, AGENTCORE_S3_BUCKET, AWS credentials and
                AWS_REGION from the environment; the agent is agent/ (or AGENTCORE_AGENT_DIR).
                """)
            return
        }
        exit(await FlowMain.run("pr-deploy") { environment, reporter in
            try await PRDeployFlow.run(environment: environment, reporter: reporter)
        })
    }
}
