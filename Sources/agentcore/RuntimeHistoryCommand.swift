import AgentCoreGitOps
import ArgumentParser
import Foundation

struct RuntimeHistoryCommand: RuntimeSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List a runtime's versions with the commit and pull request each came from.",
        discussion: """
            For each version, newest first: its status, when it was made, the commit and pull request \
            it was built from, its package's SHA-256, the endpoints that serve it (or are moving to it), \
            and its smoke test's result where one is recorded. Commits and pull requests come from what \
            prod-deploy recorded in the deploy bucket (with AGENTCORE_S3_BUCKET set), and what the bot wrote \
            on GitHub: the deployment issues, and for a pull request's runtime its GitHub deployments and \
            sticky comment. Needs GITHUB_REPOSITORY and GITHUB_TOKEN \
            (issues, pull requests and deployments: read) besides the AWS settings. --json for scripts.
            """)

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var options: GlobalOptions

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        let environment = ProcessInfo.processInfo.environment
        let github = try GitHubClient(environment: environment)
        let records = Settings.bucket.map { DeploymentRecords(s3: services.s3, bucket: $0, runtimeName: runtime.agentRuntimeName) }
        let history = try await RuntimeHistory.load(
            runtime: runtime, agentCore: services.control, github: github,
            identity: try OwningRepository.fromEnvironment(environment, github: github), records: records)
        try services.output.emit(history, text: Self.text(history))
    }

    private static func row(_ entry: RuntimeHistory.Entry) -> [String] {
        let endpoints: [String] = entry.endpoints.map { $0.live ? $0.name : "\($0.name) (moving)" }
        var cells: [String] = [entry.promoted ? entry.version + "*" : entry.version, entry.status, TextFormat.timestamp(entry.createdAt)]
        cells.append(entry.commitSHA.map { String($0.prefix(12)) } ?? "-")
        cells.append(entry.pullRequest.map { "#\($0)" } ?? "-")
        cells.append(entry.packageSHA256.map { String($0.prefix(12)) } ?? "-")
        cells.append(endpoints.isEmpty ? "-" : endpoints.joined(separator: ","))
        cells.append(entry.smokeTestResult ?? "-")
        return cells
    }

    static func text(_ history: RuntimeHistory) -> String {
        let rows = history.versions.map(row)
        return "\(history.runtimeName) (\(history.runtimeID)); * promoted to production\n"
            + TextFormat.table(["VERSION", "STATUS", "CREATED", "COMMIT", "PR", "PACKAGE", "ENDPOINTS", "SMOKE TEST"], rows,
                               empty: "no versions")
    }
}
