import Foundation

/// What a sweep found and did, and the quota headroom it measured.
public struct SweepReport: Sendable, Equatable, Encodable {
    public struct Entry: Sendable, Equatable, Encodable {
        public enum Action: String, Sendable, Equatable, Encodable {
            case deleted
            case wouldDelete = "would delete"
            case keptOpen = "kept: pull request open"
            case keptUnknown = "kept: pull request not found"
            case keptForPromotion = "kept: its deployment issue is open"
            case failed = "deletion failed"
        }

        public var runtimeName: String
        public var runtimeID: String
        public var pullRequest: Int
        public var action: Action
        public var detail: String?
    }

    public var dryRun: Bool
    public var entries: [Entry]
    /// Versions pruned per runtime; empty unless the sweep prunes.
    public var pruned: [VersionPruner.Result] = []
    public var headroom: [Headroom]

    /// Plain lines for the log.
    public var lines: [String] {
        var lines = entries.isEmpty
            ? ["No pull-request runtimes of this repository."]
            : entries.map { "\($0.runtimeName) (\($0.runtimeID)), PR #\($0.pullRequest): \($0.action.rawValue)" }
        lines += pruned.map(PruningText.line)
        lines += headroom.map { "\($0.quota): \(Headroom.format($0.used)) of \(Headroom.format($0.limit)) used, \(Headroom.format($0.left)) left" }
        return lines
    }

    /// The step summary: what happened to each runtime, then the headroom table.
    public var markdown: String {
        var text = "### Sweep of pull-request runtimes\(dryRun ? " (dry run: nothing deleted)" : "")\n\n"
        if entries.isEmpty {
            text += "No pull-request runtimes of this repository.\n"
        } else {
            text += "| Runtime | Pull request | Action |\n|---|---|---|\n"
            for entry in entries {
                text += "| `\(entry.runtimeName)` (`\(entry.runtimeID)`) | #\(entry.pullRequest) | \(entry.action.rawValue) |\n"
            }
        }
        if !pruned.isEmpty { text += PruningText.markdown(pruned, dryRun: dryRun) }
        text += "\n### Quota headroom\n\n| Quota | Used | Limit | Left |\n|---|---:|---:|---:|\n"
        for quota in headroom {
            text += "| \(quota.quota) | \(Headroom.format(quota.used)) | \(Headroom.format(quota.limit)) | "
                + "\(Headroom.format(quota.left))\(quota.isLow ? " ⚠️" : "") |\n"
        }
        return text
    }
}
