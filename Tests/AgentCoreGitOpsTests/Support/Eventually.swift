import Foundation
import Testing

/// Waits until `condition` holds: for what another process makes happen (a request it has sent,
/// a state its clock has reached), which this process can only look at. Checks every
/// `interval`; after `attempts` checks the test fails, naming what it waited for.
func eventually(
    _ what: String, every interval: Duration = .milliseconds(20), attempts: Int = 3000,
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    for _ in 0..<attempts {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    Issue.record("gave up waiting until \(what)", sourceLocation: sourceLocation)
    throw CancellationError()
}
