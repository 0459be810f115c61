import Foundation

extension AgentCoreWaiter {
    /// Waits until the runtime's latest version stopped changing, well or not (READY or
    /// *_FAILED): AgentCore refuses changes to a runtime that is still busy, and the next look
    /// decides what to do about a failure. Only a timeout is an error.
    func runtimeSettled(id: String) async throws {
        do {
            _ = try await runtimeReady(id: id)
        } catch let error as WaiterError {
            guard case .failed = error.kind else { throw error }
        }
    }
}
