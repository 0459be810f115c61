import Foundation

/// The comments prod-promote writes on deployment issues. Each carries a hidden marker, so a
/// rerun finds its earlier comment instead of writing a second one.
enum PromotionComments {
    static func promotionMarker(version: String) -> String { "<!-- PROMOTION: version \(version) -->" }

    static func rollbackMarker(version: String, runID: String?) -> String {
        "<!-- ROLLBACK: version \(version) run \(runID ?? "manual") -->"
    }

    /// One refusal comment per workflow run (a rerun of the run keeps its id), or per reason by hand.
    static func refusalMarker(_ refusal: ActionableError, runID: String?) -> String {
        let key = runID.map { "run \($0)" } ?? DeterministicClientToken.make("PromotionRefused", refusal.problem).prefix(16).description
        return "<!-- PROMOTION_REFUSED: \(key) -->"
    }

    static func promotion(
        _ move: EndpointMove, runtimeName: String, approver: String, prRuntime: PRRuntimeReference?, at time: Date
    ) -> String {
        var lines = [promotionMarker(version: move.toVersion), "### Promoted to production", ""]
            + table(move, runtimeName: runtimeName, person: ("Approved by", approver), at: time)
        if let prRuntime {
            // Written before the clean-up, so a clean-up that fails never hides that prod moved.
            lines.append("| PR runtime | `\(prRuntime.runtimeID)` (PR #\(prRuntime.pullRequest)): deleted next; if that fails, re-run this job to finish |")
        }
        if let from = move.fromVersion, from != move.toVersion {
            lines += ["", "To roll back, run the prod-promote workflow by hand with `prod_runtime_version` = \(from)."]
        }
        return lines.joined(separator: "\n")
    }

    static func rollback(_ move: EndpointMove, runtimeName: String, requester: String, runID: String?, at time: Date) -> String {
        let direction = move.fromVersion.flatMap(Int.init).map { Int(move.toVersion)! < $0 ? "Rolled back" : "Rolled forward" }
            ?? "Pointed"
        return ([rollbackMarker(version: move.toVersion, runID: runID),
                 "### \(direction): prod endpoint set to version \(move.toVersion) by hand", ""]
            + table(move, runtimeName: runtimeName, person: ("Requested by", requester), at: time)
        ).joined(separator: "\n")
    }

    private static func table(
        _ move: EndpointMove, runtimeName: String, person: (role: String, login: String), at time: Date
    ) -> [String] {
        [
            "| | |",
            "|---|---|",
            "| Endpoint | `\(move.endpointName)` of runtime `\(runtimeName)` (`\(move.runtimeID)`) |",
            "| From version | \(fromText(move)) |",
            "| To version | \(move.toVersion) |",
            "| \(person.role) | @\(person.login) |",
            "| Time | \(timestamp(time)) |",
        ]
    }

    static func refusal(_ refusal: ActionableError, runID: String?) -> String {
        [
            refusalMarker(refusal, runID: runID),
            "### Promotion refused",
            "",
            "\(refusal.problem.prefix(1).uppercased())\(refusal.problem.dropFirst()).",
            "",
            "**What to do:** \(refusal.fix).",
            "",
            "The `\(DeploymentLabels.approved.name)` label was removed. Nothing was changed in AWS.",
        ].joined(separator: "\n")
    }

    private static func fromText(_ move: EndpointMove) -> String {
        guard let from = move.fromVersion else { return "none (endpoint created)" }
        return from == move.toVersion && !move.changed ? "\(from) (already serving it)" : from
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
