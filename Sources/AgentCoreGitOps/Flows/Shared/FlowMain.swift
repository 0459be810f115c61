import Foundation

/// How the workflow executables start and end: `--help` prints the flow's usage; otherwise the
/// flow runs with the process environment, and any error becomes one `::error::` line and exit
/// status 1.
public enum FlowMain {
    public static func run<Flow: ExecutableFlow>(
        _ flow: Flow.Type, arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> Int32 {
        if arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
            print(flow.usage)
            return 0
        }
        let reporter = ActionsReporter(environment: environment)
        do {
            _ = try await flow.run(environment: environment, reporter: reporter)
            return 0
        } catch {
            reporter.error(String(describing: error), title: "\(flow.executableName) failed")
            return 1
        }
    }
}
