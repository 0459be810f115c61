import Foundation

/// Some runtimes could not be deleted; the others were handled and the report was written.
public struct SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    public var failures: [SweepReport.Entry]

    public var description: String {
        let list = failures.map { "\($0.runtimeName): \($0.detail ?? "unknown error")" }.joined(separator: "; ")
        return ActionableError(
            "the sweep could not delete \(failures.count) runtime(s): \(list)", fix: "fix the cause and run the sweep again"
        ).description
    }
}
