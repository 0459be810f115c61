import Foundation

/// The scheduled clean-up: deletes this repository's `pr_<n>` runtimes whose pull request is
/// closed (a missed close event, a failed clean-up), with `pruning` deletes the old versions of
/// this repository's runtimes that remain (see `VersionRetention`), and reports how much of
/// AgentCore's quotas is left. Runtimes of other repositories, of people, of open or unknown
/// pull requests, and those an open deployment issue will delete at promotion stay.
public struct SweepFlow: Sendable {
    public let agentCore: any AgentCoreControlClient
    public let waiter: AgentCoreWaiter
    public let github: any GitHubAPI
    /// This repository, whose tags count as ours.
    public let identity: OwningRepository
    public let reporter: ActionsReporter
    public let prodRuntimeName: String
    /// List what would be deleted; delete nothing.
    public let dryRun: Bool
    /// Prune old versions by this policy; nil leaves versions alone.
    public let pruning: RetentionPolicy?
    /// The GitHub environment whose deployments record promotions (`AGENTCORE_PRODUCTION_ENVIRONMENT`).
    public let productionEnvironment: String

    public init(
        agentCore: any AgentCoreControlClient, waiter: AgentCoreWaiter, github: any GitHubAPI, identity: OwningRepository,
        reporter: ActionsReporter, prodRuntimeName: String, dryRun: Bool, pruning: RetentionPolicy? = nil,
        productionEnvironment: String = GitHubDeploymentRecorder.productionEnvironment([:])
    ) {
        self.agentCore = agentCore
        self.waiter = waiter
        self.github = github
        self.identity = identity
        self.reporter = reporter
        self.prodRuntimeName = prodRuntimeName
        self.dryRun = dryRun
        self.pruning = pruning
        self.productionEnvironment = productionEnvironment
    }

    public init(context: FlowContext, dryRun: Bool, pruning: RetentionPolicy? = nil) {
        self.init(
            agentCore: context.agentCore, waiter: context.waiter, github: context.github,
            identity: context.owningRepository, reporter: context.reporter,
            prodRuntimeName: context.settings.prodRuntimeName, dryRun: dryRun, pruning: pruning,
            productionEnvironment: GitHubDeploymentRecorder.productionEnvironment(context.environment))
    }

    private var repository: String { github.repository.description }

    public func run() async throws -> SweepReport {
        let runtimes = try await agentCore.allAgentRuntimes()
        let candidates = try await pullRequestRuntimes(in: runtimes)
        let awaitingPromotion = try await runtimesAwaitingPromotion()
        let decisions = try await decide(candidates, awaitingPromotion: awaitingPromotion)
        let entries = await deleteClosed(decisions)
        let pruned = try await pruneVersions(try await ourRemainingRuntimes(runtimes, entries: entries))
        let headroom = try await measureHeadroom(runtimes, entries: entries, pruned: pruned)
        let report = SweepReport(dryRun: dryRun, entries: entries, pruned: pruned, headroom: headroom)
        try publish(report)
        let failures = entries.filter { $0.action == .failed }
        let pruneFailures = pruned.filter { !$0.failed.isEmpty }
        guard failures.isEmpty, pruneFailures.isEmpty else { throw SweepError(failures: failures, pruneFailures: pruneFailures) }
        return report
    }

    // MARK: Steps

    /// Only runtimes this repository made for a pull request: named `pr_<n>` and tagged for PR n here.
    private func pullRequestRuntimes(in runtimes: [AgentRuntimeSummary]) async throws -> [(AgentRuntimeSummary, Int)] {
        var found: [(AgentRuntimeSummary, Int)] = []
        for runtime in runtimes {
            if let number = try await identity.deletablePullRequest(name: runtime.agentRuntimeName, description: runtime.description) {
                found.append((runtime, number))
            }
        }
        return found.sorted { $0.1 < $1.1 }
    }

    /// The runtimes (PR_RUNTIME_ID) of the bot's open deployment issues, by id, with the issue:
    /// promotion deletes them, so they stay until then. Only the bot's metadata counts, whatever
    /// the labels say: a person's issue or comment neither keeps nor exposes a runtime.
    private func runtimesAwaitingPromotion() async throws -> [String: Int] {
        let trusted = github.trustedMarkers
        var named: [String: Int] = [:]
        for issue in try await github.listIssues(labels: [], state: .open) {
            let metadata: DeploymentMetadata?
            do {
                metadata = try trusted.deploymentMetadata(in: issue)
            } catch {
                // It may name a runtime that must stay: delete nothing rather than guess.
                throw ActionableError(
                    "the deployment metadata of the open issue #\(issue.number) cannot be read (\(error)), "
                        + "so the sweep cannot tell which runtime it keeps",
                    fix: "restore the metadata block prod-deploy wrote in #\(issue.number), or close the issue if it "
                        + "will not be promoted; then run the sweep again")
            }
            if let runtimeID = metadata?.prRuntimeID { named[runtimeID] = issue.number }
        }
        return named
    }

    /// Every pull request is looked up before anything is deleted, so a GitHub failure other
    /// than a missing pull request stops the sweep with nothing done.
    private func decide(
        _ candidates: [(AgentRuntimeSummary, Int)], awaitingPromotion: [String: Int]
    ) async throws -> [SweepReport.Entry] {
        var entries: [SweepReport.Entry] = []
        for (runtime, number) in candidates {
            var entry = SweepReport.Entry(
                runtimeName: runtime.agentRuntimeName, runtimeID: runtime.agentRuntimeId, pullRequest: number, action: .keptOpen)
            if let issue = awaitingPromotion[runtime.agentRuntimeId] {
                entry.action = .keptForPromotion
                reporter.info("\(runtime.agentRuntimeName): the open deployment issue #\(issue) deletes it at promotion; kept")
                entries.append(entry)
                continue
            }
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
        let remover = PRRuntimeRemover(agentCore: agentCore, waiter: waiter, identity: identity, log: reporter.info)
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

    /// Runtimes deleted just now no longer count; a dry run counts them still. Versions and
    /// endpoints are counted on this repository's runtimes that remain (pruning counted them already).
    private func measureHeadroom(
        _ runtimes: [AgentRuntimeSummary], entries: [SweepReport.Entry], pruned: [VersionPruner.Result]
    ) async throws -> [Headroom] {
        let deleted = entries.filter { $0.action == .deleted }.count
        var counts: [String: Headroom.RuntimeCounts] = [:]
        for result in pruned {
            counts[result.runtimeID] = Headroom.RuntimeCounts(name: result.runtimeName, versions: result.versionsLeft, endpoints: result.endpoints)
        }
        for runtime in try await ourRemainingRuntimes(runtimes, entries: entries) where counts[runtime.agentRuntimeId] == nil {
            do {
                let versions = try await agentCore.allAgentRuntimeVersions(id: runtime.agentRuntimeId).filter { $0.status != .deleting }
                let endpoints = try await agentCore.allAgentRuntimeEndpoints(runtimeId: runtime.agentRuntimeId)
                counts[runtime.agentRuntimeId] = Headroom.RuntimeCounts(
                    name: runtime.agentRuntimeName, versions: versions.count, endpoints: endpoints.count)
            } catch let error as AWSError where error.isNotFound {
                continue  // deleted since it was listed: it counts against nothing
            }
        }
        let prod = counts.values.first { $0.name == prodRuntimeName }
        return Headroom.measure(
            runtimesInAccount: runtimes.count - deleted, prod: prod,
            pullRequests: counts.values.filter { $0.name != prodRuntimeName })
    }

    private func publish(_ report: SweepReport) throws {
        for line in report.lines { reporter.info(line) }
        for quota in report.headroom where quota.isLow {
            reporter.warning("\(quota.quota): \(quota.used) of \(quota.limit) used; ask AWS for a higher quota or clean up")
        }
        try reporter.appendSummary(report.markdown)
    }
}
