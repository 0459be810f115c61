import Foundation
import Testing

@Suite struct TestClockTests {
    @Test func sleepsReturnAtOnceAndMoveTimeByWhatTheyAskedFor() async throws {
        let clock = TestClock()
        let start = clock.now
        try await clock.sleep(for: .seconds(30))
        try await clock.sleep(until: clock.now.advanced(by: .milliseconds(5)), tolerance: nil)
        clock.advance(by: .seconds(1))
        #expect(clock.sleeps == [.seconds(30), .milliseconds(5)])
        #expect(start.duration(to: clock.now) == .milliseconds(31_005))
        #expect(clock.elapsed == .milliseconds(31_005))
    }

    @Test func aCancelledTaskDoesNotSleep() async throws {
        let clock = TestClock()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeps.isEmpty)
    }
}
