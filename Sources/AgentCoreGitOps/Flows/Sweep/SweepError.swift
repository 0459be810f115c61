import Foundation

/// Some runtimes or versions could not be deleted; the others were handled and the report was written.
public struct SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    public var failures: [SweepReport.Entry]
    /// Runtimes some of whose old versions could not be deleted.
    public var pruneFailures: [VersionPruner.Result] = []

    public var description: String {
        var problems: [String] = []
        if !failures.isEmpty {
            let list = failures.map { "\($0.runtimeName): \($0.detail ?? "unknown error")" }.joined(separator: "; ")
            problems.append("the sweep could not delete \(failures.count) runtime(s): \(list)")
        }
        for result in pruneFailures {
            let list = result.failed.map { "version \($0.version): \($0.detail)" }.joined(separator: "; ")
            problems.append("the sweep could not delete \(result.failed.count) version(s) of \(result.runtimeName): \(list)")
        }
        return ActionableError(problems.joined(separator: "; "), fix: "fix the cause and run the sweep again").description
    }
}
