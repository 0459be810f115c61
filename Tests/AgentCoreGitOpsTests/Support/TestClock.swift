import Foundation

/// A clock for tests: a sleep returns at once and moves the clock's time forward by what it
/// asked for, so retries, polls and timeouts run in no time, in the same order every run, and a
/// test can read back each wait. Its time starts at zero and moves only through sleeps and `advance`.
/// (ManualClock, beside it, holds each sleep until the test advances time: for races with a timeout.)
final class TestClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        /// Time since the clock was made.
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var requested: [Duration] = []

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .zero }

    /// Every wait asked for, in order.
    var sleeps: [Duration] { lock.withLock { requested } }
    /// How much time the sleeps and advances have let pass.
    var elapsed: Duration { now.offset }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        lock.withLock {
            requested.append(current.duration(to: deadline))
            if current < deadline { current = deadline }
        }
    }

    /// Lets time pass without a sleep, as work that takes time would.
    func advance(by duration: Duration) {
        lock.withLock { current = current.advanced(by: duration) }
    }
}
