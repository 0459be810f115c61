import AgentCoreGitOps
import Foundation

/// A change AWS is still making, as the CLI waits for it and names the commands that look at
/// it or fix it.
enum PendingChange {
    case runtimeVersion(runtimeId: String, version: String)
    case endpointVersion(_ name: String, runtimeId: String, version: String)
    case runtimeDeletion(runtimeId: String)
    case endpointDeletion(_ name: String, runtimeId: String)

    var awaited: String {
        switch self {
        case .runtimeVersion(let id, let version): "runtime \(id) version \(version) to become READY"
        case .endpointVersion(let name, _, let version): "endpoint \(name) to serve version \(version)"
        case .runtimeDeletion(let id): "runtime \(id) to be deleted"
        case .endpointDeletion(let name, _): "endpoint \(name) to be deleted"
        }
    }

    /// What `--no-wait` says instead of waiting.
    var notWaiting: String {
        switch self {
        case .runtimeVersion(let id, let version): "runtime \(id) version \(version) is on its way (not waiting)"
        case .endpointVersion(let name, _, let version): "endpoint \(name) is moving to version \(version) (not waiting)"
        case .runtimeDeletion, .endpointDeletion: AgentCoreStatus.deleting.rawValue
        }
    }

    /// How to look at it later, when the wait timed out.
    var check: String {
        switch self {
        case .runtimeVersion(let id, _), .runtimeDeletion(let id): "agentcore runtime get \(id)"
        case .endpointVersion(let name, let id, _), .endpointDeletion(let name, let id): "agentcore endpoint get \(id) \(name)"
        }
    }

    /// What to do when AWS gave up on the change.
    var afterFailure: String {
        switch self {
        case .runtimeVersion(let id, _):
            "fix the cause, then add a version with `agentcore runtime update \(id) --code ...`, "
                + "or remove the runtime with `agentcore cleanup \(id)`"
        case .endpointVersion(let name, let id, _):
            "fix that version, or point the endpoint at another with `agentcore endpoint update \(id) \(name) <version>`"
        case .runtimeDeletion, .endpointDeletion:
            "run the same command again"
        }
    }
}

/// How a change is seen through: with `--wait` the command waits until AWS settled it; with
/// `--no-wait` it reports AWS's answer as it is.
extension WaitOptions {
    /// Says what was done, then prints the settled runtime or endpoint (or, not waiting, `answer`).
    func settle(
        _ answer: some Encodable, _ change: PendingChange, saying done: String, services: Services
    ) async throws {
        progress(done)
        let output = services.output
        guard wait else { return try output.emit(answer, text: change.notWaiting) }
        switch try await awaitSettled(change, services: services) {
        case let runtime as AgentRuntime: try output.emit(runtime, text: TextFormat.runtime(runtime))
        case let endpoint as AgentRuntimeEndpoint: try output.emit(endpoint, text: TextFormat.endpoint(endpoint))
        default: break
        }
    }

    /// The same for the runtime version a create or update answered with (or a rerun found made).
    func settle(_ answer: some RuntimeVersionAnswer, saying done: String, services: Services) async throws {
        let change = PendingChange.runtimeVersion(runtimeId: answer.agentRuntimeId, version: answer.agentRuntimeVersion)
        try await settle(answer, change, saying: done, services: services)
    }

    /// DELETED once gone; with `--no-wait`, AWS's answer (DELETING).
    func deletionStatus(_ change: PendingChange, answered: String? = nil, services: Services) async throws -> String {
        guard wait else { return answered ?? change.notWaiting }
        _ = try await awaitSettled(change, services: services)
        return "DELETED"
    }

    /// Deletes a runtime and prints what became of it.
    func deleteRuntime(
        _ runtime: AgentRuntime, services: Services, deletedEndpoints: [String]?
    ) async throws {
        let deletion = try await services.control.deleteAgentRuntime(id: runtime.agentRuntimeId)
        let status = try await deletionStatus(
            .runtimeDeletion(runtimeId: runtime.agentRuntimeId), answered: deletion.status.rawValue, services: services)
        let report = DeletionReport(
            agentRuntimeId: runtime.agentRuntimeId, agentRuntimeName: runtime.agentRuntimeName,
            deletedEndpoints: deletedEndpoints, status: status)
        try services.output.emit(
            report, text: "runtime \(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)): \(status)")
    }

    /// Deletes an endpoint (already gone counts as done) and returns what became of it.
    func deleteEndpoint(_ name: String, of runtime: AgentRuntime, services: Services) async throws -> String {
        do {
            _ = try await services.control.deleteAgentRuntimeEndpoint(runtimeId: runtime.agentRuntimeId, name: name)
        } catch let error as AWSError where error.isNotFound {
            return "DELETED"
        }
        return try await deletionStatus(.endpointDeletion(name, runtimeId: runtime.agentRuntimeId), services: services)
    }

    /// Waits for the change; a wait that ends badly says what to do next: a timeout is not a
    /// failure of the change itself, so it says how to look later; a failure needs a new change.
    private func awaitSettled(_ change: PendingChange, services: Services) async throws -> (any Encodable)? {
        progress("waiting for \(change.awaited)…")
        let waiter = services.waiter(self)
        do {
            switch change {
            case .runtimeVersion(let id, let version):
                return try await waiter.runtimeReady(id: id, version: version)
            case .endpointVersion(let name, let id, let version):
                return try await waiter.endpointReady(runtimeId: id, name: name, version: version)
            case .runtimeDeletion(let id):
                try await waiter.runtimeDeleted(id: id)
            case .endpointDeletion(let name, let id):
                try await waiter.endpointDeleted(runtimeId: id, name: name)
            }
            return nil
        } catch let error as WaiterError {
            switch error.kind {
            case .timedOut:
                throw ActionableError(error.problem, fix: "it may still finish: check with `\(change.check)`, or wait longer with --timeout")
            case .failed:
                throw ActionableError(error.problem, fix: change.afterFailure)
            }
        }
    }
}

/// An answer that names a runtime version to wait for.
protocol RuntimeVersionAnswer: Encodable {
    var agentRuntimeId: String { get }
    var agentRuntimeVersion: String { get }
}

extension AgentRuntime: RuntimeVersionAnswer {}
extension AgentRuntimeChange: RuntimeVersionAnswer {}

/// What a deletion reports: `status` is DELETED once gone, or AWS's DELETING with `--no-wait`.
struct DeletionReport: Encodable {
    var agentRuntimeId: String
    var agentRuntimeName: String
    var endpointName: String?
    var deletedEndpoints: [String]?
    var status: String
}
