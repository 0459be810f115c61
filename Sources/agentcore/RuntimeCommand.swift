import AgentCoreGitOps
import ArgumentParser
import Foundation

struct RuntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Create, update, inspect and delete runtimes.",
        subcommands: [RuntimeCreate.self, RuntimeUpdate.self, RuntimeGet.self, RuntimeList.self,
                      RuntimeVersions.self, RuntimeHistoryCommand.self, RuntimeDelete.self]
    )
}

/// A runtime argument: an id (`pr_42-AbCdEfGhIj`) or a name (`pr_42`), checked before any request.
struct RuntimeArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The runtime's id or name.", valueName: "runtime"))
    var runtime: String

    func validate() throws {
        _ = try AgentCoreValidation.runtimeReference(runtime)
    }
}

/// A command about one existing runtime: its argument is resolved (by id or by name) before the
/// command's own work, which starts from the runtime itself.
protocol RuntimeSubcommand: AsyncParsableCommand {
    var target: RuntimeArgument { get }
    var options: GlobalOptions { get }
    func run(_ runtime: AgentRuntime, services: Services) async throws
}

extension RuntimeSubcommand {
    func run() async throws {
        let services = try Services(options)
        try await run(try await services.control.runtime(target.runtime), services: services)
    }
}

struct RuntimeGet: RuntimeSubcommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a runtime (its latest version, or one).")

    @OptionGroup var target: RuntimeArgument
    @Option(help: "A version to show instead of the latest.") var version: String?
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if let version { try InputChecks.version(version) }
    }

    func run(_ latest: AgentRuntime, services: Services) async throws {
        var runtime = latest
        if let version, version != runtime.agentRuntimeVersion {
            try await services.control.requireVersion(version, of: runtime)
            runtime = try await services.control.getAgentRuntime(id: runtime.agentRuntimeId, version: version)
        }
        try services.output.emit(runtime, text: TextFormat.runtime(runtime))
    }
}

struct RuntimeList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every runtime.")

    @OptionGroup var options: GlobalOptions

    /// As ListAgentRuntimes (and ListAgentRuntimeVersions, for `versions`) answer.
    func run() async throws {
        let services = try Services(options)
        let runtimes = try await services.control.allAgentRuntimes()
            .sorted { ($0.agentRuntimeName, $0.agentRuntimeId) < ($1.agentRuntimeName, $1.agentRuntimeId) }
        let rows = runtimes.map {
            [$0.agentRuntimeName, $0.agentRuntimeId, $0.agentRuntimeVersion, $0.status.rawValue, TextFormat.timestamp($0.lastUpdatedAt)]
        }
        try services.output.emit(
            ["agentRuntimes": runtimes],
            text: TextFormat.table(["NAME", "ID", "LATEST", "STATUS", "UPDATED"], rows, empty: "no runtimes"))
    }
}

struct RuntimeVersions: RuntimeSubcommand {
    static let configuration = CommandConfiguration(commandName: "versions", abstract: "List a runtime's versions, newest first.")

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var options: GlobalOptions

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        let versions = try await services.control.allAgentRuntimeVersions(id: runtime.agentRuntimeId)
            .sorted { (Int($0.agentRuntimeVersion) ?? 0) > (Int($1.agentRuntimeVersion) ?? 0) }
        let rows = versions.map { [$0.agentRuntimeVersion, $0.status.rawValue, TextFormat.timestamp($0.lastUpdatedAt)] }
        try services.output.emit(
            ["agentRuntimes": versions],
            text: "\(runtime.agentRuntimeName) (\(runtime.agentRuntimeId))\n"
                + TextFormat.table(["VERSION", "STATUS", "UPDATED"], rows, empty: "no versions"))
    }
}
