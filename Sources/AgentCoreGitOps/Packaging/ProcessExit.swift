import Foundation

/// A child process's exit as something a task can await: the termination handler records it,
/// so no thread blocks in `waitUntilExit` or a sleep loop. Create it before `process.run()`.
final class ProcessExit: @unchecked Sendable {
    private let lock = NSLock()
    private var exitStatus: Int32?
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    init(_ process: Process) {
        process.terminationHandler = { [self] process in finish(process.terminationStatus) }
    }

    var hasExited: Bool { lock.withLock { exitStatus != nil } }
    /// The exit status, or -1 while the process runs.
    var status: Int32 { lock.withLock { exitStatus ?? -1 } }

    /// True when the process exited within `timeout` (nil: however long it takes).
    func wait(upTo timeout: Duration?) async -> Bool {
        guard let timeout else {
            await exited()
            return true
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.exited(); return true }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || hasExited
        }
    }

    private func finish(_ status: Int32) {
        let resumed = lock.withLock {
            exitStatus = status
            defer { waiters = [:] }
            return waiters.values
        }
        for waiter in resumed { waiter.resume() }
    }

    /// Returns when the process exits or the task is cancelled.
    private func exited() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = lock.withLock {
                    if exitStatus != nil || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
