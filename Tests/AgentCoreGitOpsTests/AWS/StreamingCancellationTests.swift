import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct StreamingCancellationTests {
    /// A stream whose caller is cancelled before the request starts must end with an error, not
    /// wait forever: the cancelled request can complete before the caller starts waiting for it.
    @Test func aStreamCancelledBeforeItStartsEndsWithAnError() async throws {
        let finished = Finished()
        for _ in 0..<20 {
            let request = HTTPRequest(
                method: "POST", url: URL(string: "http://127.0.0.1:9/invocations")!, headers: [:], body: .data(Data("{}".utf8)))
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                _ = try? await URLSessionTransport().stream(request)
                await finished.add()
            }
            _ = task
        }
        try await eventually("all 20 cancelled streams ended", every: .milliseconds(10), attempts: 1000) {
            await finished.count == 20
        }
    }

    private actor Finished {
        var count = 0
        func add() { count += 1 }
    }
}
