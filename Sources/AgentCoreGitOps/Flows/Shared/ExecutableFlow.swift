/// A flow a workflow runs as an executable of its own. It takes no arguments: the event, the
/// repository variables and the credentials come from the environment (see docs/setup.md).
public protocol ExecutableFlow {
    associatedtype Outcome
    /// The executable's name, as `--help` and the `::error title=<name> failed::` line give it.
    static var executableName: String { get }
    /// What `--help` prints.
    static var usage: String { get }
    /// The executable's whole job, from reading the event to reporting what happened.
    static func run(environment: [String: String], reporter: ActionsReporter) async throws -> Outcome
}
