import Foundation

/// How the sweep reports pruned versions: one line per runtime for the log, a table for the step
/// summary. Kept versions are listed with why they stay.
enum PruningText {
    static func line(_ result: VersionPruner.Result) -> String {
        let verb = result.dryRun ? "would delete" : "deleted"
        var text = "\(result.runtimeName) (\(result.runtimeID)) versions: \(verb) \(list(result.deleted)); kept \(kept(result.plan))"
        if !result.skipped.isEmpty { text += "; in use now, kept: \(list(result.skipped.map(\.version)))" }
        if !result.failed.isEmpty {
            text += "; failed: " + result.failed.map { "\($0.version) (\($0.detail))" }.joined(separator: ", ")
        }
        return text
    }

    static func markdown(_ results: [VersionPruner.Result], dryRun: Bool) -> String {
        var text = "\n### Old versions\(dryRun ? " (dry run: nothing deleted)" : "")\n\n"
            + "| Runtime | \(dryRun ? "Would delete" : "Deleted") | Kept (why) |\n|---|---|---|\n"
        for result in results {
            var deleted = list(result.deleted)
            if !result.skipped.isEmpty { deleted += "; in use now, kept: \(list(result.skipped.map(\.version)))" }
            if !result.failed.isEmpty { deleted += "; failed: \(list(result.failed.map(\.version)))" }
            text += "| `\(result.runtimeName)` | \(deleted) | \(kept(result.plan)) |\n"
        }
        return text
    }

    private static func list(_ versions: [String]) -> String {
        versions.isEmpty ? "none" : versions.joined(separator: ", ")
    }

    /// `8 (newest, endpoint DEFAULT), 4 (promoted)`.
    private static func kept(_ plan: VersionRetention.Plan) -> String {
        plan.kept.isEmpty ? "none"
            : plan.kept.map { "\($0.version) (\($0.reasons.map(\.description).joined(separator: ", ")))" }.joined(separator: ", ")
    }
}
