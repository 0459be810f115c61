import AgentCoreGitOps
import ArgumentParser

@main
struct AgentCoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentcore",
        abstract: "Manage Bedrock AgentCore runtimes, endpoints and code packages by hand.",
        subcommands: [ZipCommand.self, PackageCommand.self]
    )
}
