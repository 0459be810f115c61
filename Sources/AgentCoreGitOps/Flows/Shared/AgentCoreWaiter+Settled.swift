import Foundation

extension AgentCoreWaiter {
    /// Waits until the runtime's latest version stopped changing, well or not (READY or
    /// *_FAILED): AgentCore refuses changes to a runtime that is still busy, and the next look
    /// decides what to do about a failure. Only a timeout is an error.
    func runtimeSettled(id: String) async throws {
        try await settled { try await runtimeReady(id: id) }
    }

    /// The same for an endpoint on its way to `version`.
    func endpointSettled(runtimeId: String, name: String, version: String) async throws {
        try await settled { try await endpointReady(runtimeId: runtimeId, name: name, version: version) }
    }

    private func settled(_ wait: () async throws -> some Any) async throws {
        do {
            _ = try await wait()
        } catch let error as WaiterError {
            guard case .failed = error.kind else { throw error }
        }
    }
}
