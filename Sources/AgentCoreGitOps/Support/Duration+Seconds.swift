import Foundation

extension Duration {
    /// The duration in seconds, fractions included: for arithmetic with dates and times read from
    /// headers, and for messages.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// A whole or fractional number of seconds; negative and non-finite values become zero.
    static func seconds(clamping value: Double) -> Duration {
        value.isFinite && value > 0 ? .seconds(value) : .zero
    }
}

extension Clock where Duration == Swift.Duration {
    /// Time passed on this clock since the call, each time the result is called.
    func stopwatch() -> () -> Duration {
        let start = now
        return { start.duration(to: now) }
    }
}
