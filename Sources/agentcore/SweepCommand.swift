import AgentCoreGitOps
import ArgumentParser
import Foundation

struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Delete this repository's pr_<n> runtimes whose pull request is closed, and old versions; report quota headroom.",
        discussion: """
            Only runtimes named pr_<n> whose description tag names this repository and pull request n \
            are considered; a pull request GitHub does not know is kept with a warning, and so is a \
            runtime an open deployment issue of the bot names (promotion deletes it). Needs \
            GITHUB_REPOSITORY and GITHUB_TOKEN (read access to pull requests) besides the AWS settings. \
            In a workflow the report also goes to the step summary. Safe to run again at any time.

            With --prune-versions it also deletes old versions of this repository's prod runtime and \
            pull-request runtimes. It keeps the newest N (--keep-versions, $AGENTCORE_KEEP_VERSIONS, \
            default 50), every version an endpoint serves or targets, and the last K promoted to prod \
            (--keep-promoted, $AGENTCORE_KEEP_PROMOTED, default 10), as the production deployments \
            ($AGENTCORE_PRODUCTION_ENVIRONMENT, default agentcore-production) and the deployment issues \
            labelled promoted record them. Reading those needs deployments: read and issues: read.
            """)

    @Flag(help: "List what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(help: "Also delete old versions of this repository's runtimes.")
    var pruneVersions = false

    @Option(help: ArgumentHelp("With --prune-versions: the newest versions to keep (default: $AGENTCORE_KEEP_VERSIONS, then 50).",
                               valueName: "N"))
    var keepVersions: Int?

    @Option(help: ArgumentHelp("With --prune-versions: the last promoted versions to keep (default: $AGENTCORE_KEEP_PROMOTED, then 10).",
                               valueName: "K"))
    var keepPromoted: Int?

    @Option(help: ArgumentHelp("The prod runtime whose versions and endpoints to count (default: $AGENTCORE_PROD_RUNTIME, then prod).",
                               valueName: "name"))
    var prodRuntime: String?

    @OptionGroup var repositoryID: RepositoryIDOption
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if !pruneVersions, keepVersions != nil || keepPromoted != nil {
            throw ValidationError("--keep-versions and --keep-promoted take effect only with --prune-versions: add it")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let pruning = pruneVersions
            ? try RetentionPolicy.fromEnvironment(environment, keepNewest: keepVersions, keepPromoted: keepPromoted) : nil
        let services = try Services(options)
        // With --json, stdout carries only the report.
        let reporter = options.json ? ActionsReporter(environment: environment, write: progress) : ActionsReporter(environment: environment)
        let github = try GitHubClient(environment: environment)
        let report = try await SweepFlow(
            agentCore: services.control, waiter: services.waiter(wait), github: github,
            identity: OwningRepository(name: github.repository.description, id: try repositoryID.given, github: github),
            reporter: reporter, prodRuntimeName: prodRuntime ?? environment["AGENTCORE_PROD_RUNTIME"].flatMap { $0.isEmpty ? nil : $0 } ?? "prod",
            dryRun: dryRun, pruning: pruning, productionEnvironment: GitHubDeploymentRecorder.productionEnvironment(environment)
        ).run()
        if options.json { try services.output.emit(report, text: "") }
    }
}
