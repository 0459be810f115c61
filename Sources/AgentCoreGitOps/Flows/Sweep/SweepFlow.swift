import Foundation

/// The scheduled clean-up: deletes this repository's `pr_<n>` runtimes whose pull request is
/// closed (a missed close event, a failed clean-up), and reports how much of AgentCore's quotas
/// is left. Runtimes of other repositories, of people, and of open or unknown pull requests stay.
public struct SweepFlow: Sendable {
    public let agentCore: any AgentCoreControlClient
    public let waiter: AgentCoreWaiter
    public let github: any GitHubAPI
    public let reporter: ActionsReporter
    public let prodRuntimeName: String
    /// List what would be deleted; delete nothing.
    public let dryRun: Bool

    public init(
        agentCore: any AgentCoreControlClient, waiter: AgentCoreWaiter, github: any GitHubAPI,
        reporter: ActionsReporter, prodRuntimeName: String, dryRun: Bool
    ) {
        self.agentCore = agentCore
        self.waiter = waiter
        self.github = github
        self.reporter = reporter
        self.prodRuntimeName = prodRuntimeName
        self.dryRun = dryRun
    }

    public init(context: FlowContext, dryRun: Bool) {
        self.init(
            agentCore: context.agentCore, waiter: context.waiter, github: context.github, reporter: context.reporter,
            prodRuntimeName: context.settings.prodRuntimeName, dryRun: dryRun)
    }

    private var repository: String { github.repository.description }

    public func run() async throws -> SweepReport {
        let runtimes = try await agentCore.allAgentRuntimes()
        let candidates = pullRequestRuntimes(in: runtimes)
        let decisions = try await decide(candidates)
        let entries = await deleteClosed(decisions)
        let headroom = try await measureHeadroom(runtimes, entries: entries)
        let report = SweepReport(dryRun: dryRun, entries: entries, headroom: headroom)
        try publish(report)
        let failures = entries.filter { $0.action == .failed }
        guard failures.isEmpty else { throw SweepError(failures: failures) }
        return report
    }

    // MARK: Steps

    /// Only runtimes this repository made for a pull request: named `pr_<n>` and tagged for PR n here.
    private func pullRequestRuntimes(in runtimes: [AgentRuntimeSummary]) -> [(AgentRuntimeSummary, Int)] {
        runtimes.compactMap { runtime in
            RuntimeOwnership.deletablePullRequest(
                name: runtime.agentRuntimeName, description: runtime.description, repository: repository
            ).map { (runtime, $0) }
        }.sorted { $0.1 < $1.1 }
    }

    /// Every pull request is looked up before anything is deleted, so a GitHub failure other
    /// than a missing pull request stops the sweep with nothing done.
    private func decide(_ candidates: [(AgentRuntimeSummary, Int)]) async throws -> [SweepReport.Entry] {
        var entries: [SweepReport.Entry] = []
        for (runtime, number) in candidates {
            var entry = SweepReport.Entry(
                runtimeName: runtime.agentRuntimeName, runtimeID: runtime.agentRuntimeId, pullRequest: number, action: .keptOpen)
            do {
                let pull = try await github.getPullRequest(number: number)
                if pull.state != "open" { entry.action = dryRun ? .wouldDelete : .deleted }
            } catch let error as GitHubError where error.apiFailure?.isNotFound == true {
                entry.action = .keptUnknown
                reporter.warning("\(runtime.agentRuntimeName): pull request #\(number) of \(repository) was not found; "
                                 + "kept. Delete \(runtime.agentRuntimeId) by hand if it is unused")
            }
            entries.append(entry)
        }
        return entries
    }

    private func deleteClosed(_ entries: [SweepReport.Entry]) async -> [SweepReport.Entry] {
        let remover = PRRuntimeRemover(agentCore: agentCore, waiter: waiter, repository: repository, log: reporter.info)
        var result: [SweepReport.Entry] = []
        for var entry in entries {
            if entry.action == .deleted {
                do {
                    reporter.info("Pull request #\(entry.pullRequest) is closed: deleting \(entry.runtimeName)")
                    _ = try await remover.remove(runtimeID: entry.runtimeID, pullRequest: entry.pullRequest)
                } catch {
                    entry.action = .failed
                    entry.detail = String(describing: error)
                    reporter.error("Could not delete \(entry.runtimeName): \(error)")
                }
            }
            result.append(entry)
        }
        return result
    }

    /// Runtimes deleted just now no longer count; a dry run counts them still. Endpoints are
    /// counted on prod and on this repository's PR runtimes that remain.
    private func measureHeadroom(_ runtimes: [AgentRuntimeSummary], entries: [SweepReport.Entry]) async throws -> [Headroom] {
        let deleted = entries.filter { $0.action == .deleted }.count
        var headroom = [Headroom(
            quota: "Runtimes in this account and region", used: runtimes.count - deleted, limit: Headroom.runtimesPerAccount)]
        if let prod = runtimes.first(where: { $0.agentRuntimeName == prodRuntimeName }) {
            let versions = try await agentCore.allAgentRuntimeVersions(id: prod.agentRuntimeId).count
            let endpoints = try await agentCore.allAgentRuntimeEndpoints(runtimeId: prod.agentRuntimeId).count
            headroom.append(Headroom(quota: "Versions of \(prodRuntimeName)", used: versions, limit: Headroom.versionsPerRuntime))
            headroom.append(Headroom(quota: "Endpoints of \(prodRuntimeName)", used: endpoints, limit: Headroom.endpointsPerRuntime))
        }
        var fullest: (name: String, count: Int)?
        for entry in entries where entry.action != .deleted {
            let count = try await agentCore.allAgentRuntimeEndpoints(runtimeId: entry.runtimeID).count
            if count > fullest?.count ?? -1 { fullest = (entry.runtimeName, count) }
        }
        if let fullest {
            headroom.append(Headroom(
                quota: "Endpoints of \(fullest.name), the fullest PR runtime", used: fullest.count, limit: Headroom.endpointsPerRuntime))
        }
        return headroom
    }

    private func publish(_ report: SweepReport) throws {
        for line in report.lines { reporter.info(line) }
        for quota in report.headroom where quota.isLow {
            reporter.warning("\(quota.quota): \(quota.used) of \(quota.limit) used; ask AWS for a higher quota or clean up")
        }
        try reporter.appendSummary(report.markdown)
    }
}
