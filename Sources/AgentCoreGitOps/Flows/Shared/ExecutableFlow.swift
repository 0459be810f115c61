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

extension ExecutableFlow {
    /// The event that started the run, when `payload` finds in it the kind this flow handles.
    static func event<Payload>(
        in environment: [String: String], handles kind: String, triggeredBy trigger: String,
        _ payload: (GitHubEvent) -> Payload?
    ) throws -> Payload {
        guard let event = payload(try GitHubEvent.load(environment: environment)) else {
            throw ActionableError(
                "\(executableName) handles \(kind) events, but GITHUB_EVENT_NAME is \(environment["GITHUB_EVENT_NAME"] ?? "unset")",
                fix: "run it from a workflow triggered by \(trigger)")
        }
        return event
    }
}
