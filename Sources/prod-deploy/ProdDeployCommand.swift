import AgentCoreGitOps
import Foundation

/// `prod-deploy`: run by the prod deploy workflow on pushes to the default branch. It takes no
/// arguments: the event, the repository variables and the credentials come from the environment
/// (see docs/setup.md). Exits 1 with an `::error::` line when anything fails.
@main
struct ProdDeployCommand {
    static func main() async {
        if CommandLine.arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
            print("""
                usage: prod-deploy
                Adds a version to the prod runtime (AGENTCORE_PROD_RUNTIME, default prod) for a push to the
                default branch and opens the deployment issue that prod-promote acts on. Reads
                GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN, AGENTCORE_ROLE_ARN,
                AGENTCORE_S3_BUCKET, AWS credentials and AWS_REGION from the environment; the agent is agent/
                (or AGENTCORE_AGENT_DIR).
                """)
            return
        }
        exit(await FlowMain.run("prod-deploy") { environment, reporter in
            try await ProdDeployFlow.run(environment: environment, reporter: reporter)
        })
    }
}
