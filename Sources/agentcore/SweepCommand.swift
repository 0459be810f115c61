import AgentCoreGitOps
import ArgumentParser
import Foundation

struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Delete this repository's pr_<n> runtimes whose pull request is closed; report quota headroom.",
        discussion: """
            Only runtimes named pr_<n> whose description tag names this repository and pull request n \
            are considered; a pull request GitHub does not know is kept with a warning. Needs \
            GITHUB_REPOSITORY and GITHUB_TOKEN (read access to pull requests) besides the AWS settings. \
            In a workflow the report also goes to the step summary. Safe to run again at any time.
            """)

    @Flag(help: "List what would be deleted; delete nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("The prod runtime whose versions and endpoints to count (default: $AGENTCORE_PROD_RUNTIME, then prod).",
                               valueName: "name"))
    var prodRuntime: String?

    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let services = try Services(options)
        // With --json, stdout carries only the report.
        let reporter = options.json ? ActionsReporter(environment: environment, write: progress) : ActionsReporter(environment: environment)
        let report = try await SweepFlow(
            agentCore: services.control, waiter: services.waiter(wait), github: try GitHubClient(environment: environment),
            reporter: reporter, prodRuntimeName: prodRuntime ?? environment["AGENTCORE_PROD_RUNTIME"].flatMap { $0.isEmpty ? nil : $0 } ?? "prod",
            dryRun: dryRun
        ).run()
        if options.json { try services.output.emit(report, text: "") }
    }
}
