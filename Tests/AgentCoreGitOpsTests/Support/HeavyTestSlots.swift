import Foundation
import Testing

/// Lets only a few tests that run child processes or use the sandbox run at once.
///
/// Swift Testing starts every test at the same moment. On a two-core machine the whole suite's
/// end-to-end tests then shared the one sandbox (a single Python process) and the CPU with
/// hundreds of executables and agents: a single request could wait more than a minute for its
/// answer, and runs failed with timeouts that no test caused. With a slot each, a test's requests
/// meet the load of a few neighbours, not of the whole suite; the suite's other tests (in-process,
/// fast) still run beside them.
///
/// Applied to a suite it holds for each test case inside it, never for the suite as a whole: a
/// suite holding a slot while its own tests wait for one could wait forever.
struct HeavyTestSlot: TestTrait, SuiteTrait, TestScoping {
    /// Tests of a `.serialized` suite wait ahead of the others: each wait of one delays every
    /// test after it, and the longest such chain decides when the suite ends.
    var isInAChain = false

    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await HeavyTestSlots.shared.withSlot(first: isInAChain, function)
    }
}

extension Trait where Self == HeavyTestSlot {
    /// The test runs with at most `HeavyTestSlots.shared.capacity` other heavy tests at once.
    static var heavy: Self { HeavyTestSlot() }
    /// As `heavy`, for `.serialized` suites: their tests get the next free slot before others.
    static var heavyInAChain: Self { HeavyTestSlot(isInAChain: true) }
}

/// A counting semaphore for tests: waiting suspends the task, never a thread.
actor HeavyTestSlots {
    /// Twice the cores (a test spends much of its time waiting on its processes and the sandbox),
    /// from eight to twelve: the shared sandbox answers every test's requests from one Python
    /// process, whatever the cores. On two cores, 4, 8 and 12 slots ran the suite in 371, 282 and
    /// 307 s. `AGENTCORE_TEST_HEAVY_SLOTS` sets another number.
    static let shared = HeavyTestSlots(capacity: {
        if let text = ProcessInfo.processInfo.environment["AGENTCORE_TEST_HEAVY_SLOTS"], let number = Int(text), number > 0 {
            return number
        }
        return min(12, max(8, 2 * ProcessInfo.processInfo.activeProcessorCount))
    }())

    let capacity: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var waitingFirst: [CheckedContinuation<Void, Never>] = []

    init(capacity: Int) {
        precondition(capacity > 0, "a semaphore needs at least one slot")
        self.capacity = capacity
    }

    /// Runs `body` once a slot is free; `first` waits ahead of those that are not.
    func withSlot(first: Bool = false, _ body: @Sendable () async throws -> Void) async throws {
        await acquire(first: first)
        defer { release() }
        try await body()
    }

    private func acquire(first: Bool) async {
        if inUse < capacity {
            inUse += 1
            return
        }
        // The releasing task hands its slot over: `inUse` stays the same.
        await withCheckedContinuation { continuation in
            if first { waitingFirst.append(continuation) } else { waiting.append(continuation) }
        }
    }

    private func release() {
        if !waitingFirst.isEmpty {
            waitingFirst.removeFirst().resume()
        } else if !waiting.isEmpty {
            waiting.removeFirst().resume()
        } else {
            inUse -= 1
        }
    }

    /// For tests of this type: how many slots are taken, and how many tasks wait for one.
    var taken: Int { inUse }
    var waitingCount: Int { waiting.count + waitingFirst.count }
}
