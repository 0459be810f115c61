import Foundation

/// How the flow executables start and end: the flow runs with the process environment, and any
/// error becomes one `::error::` line and exit status 1.
public enum FlowMain {
    public static func run(
        _ name: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ flow: @Sendable ([String: String], ActionsReporter) async throws -> Void
    ) async -> Int32 {
        let reporter = ActionsReporter(environment: environment)
        do {
            try await flow(environment, reporter)
            return 0
        } catch {
            reporter.error(String(describing: error), title: "\(name) failed")
            return 1
        }
    }
}
