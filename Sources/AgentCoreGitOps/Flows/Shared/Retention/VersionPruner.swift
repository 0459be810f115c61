import Foundation

/// Deletes the versions of one runtime that the retention rule lets go, several at a time, each
/// with a client token of its own so a rerun repeats the same calls. A version AWS will not
/// delete because an endpoint moved onto it meanwhile (or it became the latest) is skipped; a
/// version already gone counts as deleted.
public struct VersionPruner: Sendable {
    /// Deletions in flight at once: enough to hide round trips, few enough to stay clear of
    /// AgentCore's request rate.
    public static let parallelDeletions = 8

    public let agentCore: any AgentCoreControlClient
    public let policy: RetentionPolicy
    /// Decide and report; delete nothing.
    public let dryRun: Bool
    public let log: @Sendable (String) -> Void

    /// What pruning one runtime did.
    public struct Result: Sendable, Equatable, Encodable {
        public struct Problem: Sendable, Equatable, Encodable {
            public var version: String
            public var detail: String
        }

        public var runtimeName: String
        public var runtimeID: String
        public var dryRun: Bool
        public var plan: VersionRetention.Plan
        /// Deleted now (or, in a dry run, would be).
        public var deleted: [String]
        /// AWS refused because the version is in use now: kept.
        public var skipped: [Problem]
        public var failed: [Problem]
        /// Versions left once the deletions settle (a dry run: as now).
        public var versionsLeft: Int
        public var endpoints: Int
    }

    public func prune(runtimeID: String, runtimeName: String, promoted: Set<String>) async throws -> Result {
        let versions = try await agentCore.allAgentRuntimeVersions(id: runtimeID).map(VersionRetention.Version.init)
        let endpoints = try await agentCore.allAgentRuntimeEndpoints(runtimeId: runtimeID)
        let plan = VersionRetention.plan(
            versions: versions, endpoints: endpoints.map(VersionRetention.EndpointPin.init), promoted: promoted, policy: policy)
        var result = Result(
            runtimeName: runtimeName, runtimeID: runtimeID, dryRun: dryRun, plan: plan, deleted: [], skipped: [], failed: [],
            versionsLeft: versions.count - plan.alreadyDeleting.count, endpoints: endpoints.count)
        guard !plan.delete.isEmpty else { return result }
        if dryRun {
            result.deleted = plan.delete
            log("\(runtimeName): would delete versions \(plan.delete.joined(separator: ", "))")
            return result
        }
        for (version, outcome) in await delete(plan.delete, of: runtimeID) {
            switch outcome {
            case .deleted: result.deleted.append(version)
            case .skipped(let detail): result.skipped.append(Result.Problem(version: version, detail: detail))
            case .failed(let detail): result.failed.append(Result.Problem(version: version, detail: detail))
            }
        }
        result.versionsLeft -= result.deleted.count
        log("\(runtimeName): deleted \(result.deleted.count) version(s)"
            + (result.skipped.isEmpty ? "" : ", kept \(result.skipped.count) now in use")
            + (result.failed.isEmpty ? "" : ", \(result.failed.count) failed"))
        return result
    }

    private enum Outcome: Sendable {
        case deleted
        case skipped(String)
        case failed(String)
    }

    private func delete(_ versions: [String], of runtimeID: String) async -> [(String, Outcome)] {
        await versions.concurrentMap(width: Self.parallelDeletions) { version in (version, await deleteOne(version, of: runtimeID)) }
    }

    private func deleteOne(_ version: String, of runtimeID: String) async -> Outcome {
        do {
            _ = try await agentCore.deleteAgentRuntimeVersion(
                id: runtimeID, version: version,
                clientToken: DeterministicClientToken.make("DeleteAgentRuntimeVersion", runtimeID, version))
            return .deleted
        } catch let error as AWSError where error.isNotFound {
            return .deleted
        } catch let error as AWSError where error.code == "ConflictException" {
            return .skipped(error.message)
        } catch {
            return .failed(String(describing: error))
        }
    }
}
