import Foundation

extension Duration {
    /// Seconds as a floating-point number: for arithmetic with times read from headers, and for messages.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

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
