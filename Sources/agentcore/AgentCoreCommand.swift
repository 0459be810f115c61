import AgentCoreGitOps
import ArgumentParser
import Foundation

@main
struct AgentCoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentcore",
        abstract: "Manage Bedrock AgentCore runtimes, endpoints and code packages by hand.",
        discussion: """
            Settings come from flags or the environment: AWS credentials and AWS_REGION as for the \
            AWS CLI, AGENTCORE_ROLE_ARN (the agent's execution role), AGENTCORE_S3_BUCKET (where \
            code zips live). Wherever a runtime is expected, give its id or its name.
            """,
        subcommands: [
            RuntimeCommand.self, EndpointCommand.self, CleanupCommand.self, SweepCommand.self,
            ZipCommand.self, PackageCommand.self, DeployCommand.self, SetupCommand.self,
            InvokeCommand.self,
        ]
    )

    /// ArgumentParser's flow, with every failure printed as `error: <what> — <what to do>`.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            FileHandle.standardError.write(Data("error: \(ErrorReport.line(for: error))\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
