import Foundation

/// Tells whether two steps of a flow were in flight at once, without a clock: the first to start
/// yields (a bounded number of times) for the other to start too. Steps run one after the other
/// find the other never started, or already over.
actor Overlap {
    private var started: Set<String> = []
    private var finished: Set<String> = []
    private(set) var overlapped = false

    /// Marks `step` as in flight until `body` returns, having given `other` the chance to start.
    func run<T: Sendable>(_ step: String, alongside other: String, _ body: @Sendable () async throws -> T) async rethrows -> T {
        started.insert(step)
        for _ in 0..<10_000 where !started.contains(other) { await Task.yield() }
        if started.contains(other) && !finished.contains(other) { overlapped = true }
        defer { finished.insert(step) }
        return try await body()
    }
}
