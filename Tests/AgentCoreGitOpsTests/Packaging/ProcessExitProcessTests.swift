import Foundation
import Testing
@testable import AgentCoreGitOps

/// Awaiting a child's exit without holding a thread, and stopping an agent the way BootChecker
/// does: each test starts a real process and waits for its exit as the event it is.
@Suite(.heavy, .tags(.process)) struct ProcessExitProcessTests {
    private func start(_ script: String) throws -> (Process, ProcessExit) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exit = ProcessExit(process)
        try process.run()
        return (process, exit)
    }

    @Test func anExitIsSeenWithItsStatus() async throws {
        let (_, exit) = try start("exit 3")
        #expect(await exit.wait(upTo: nil))
        #expect(exit.hasExited && exit.status == 3)
    }

    @Test func aWaitWithATimeLimitEndsWhileTheProcessRuns() async throws {
        let (process, exit) = try start("exec sleep 3600")
        #expect(await exit.wait(upTo: .milliseconds(1)) == false)
        #expect(!exit.hasExited && exit.status == -1)
        kill(process.processIdentifier, SIGKILL)
        #expect(await exit.wait(upTo: nil))
        #expect(exit.hasExited)
    }

    @Test func stopEndsARunningAgent() async throws {
        let (process, exit) = try start("exec sleep 3600")
        await BootChecker.stop(process, exit: exit)
        #expect(exit.hasExited && !process.isRunning)
        #expect(process.terminationReason == .uncaughtSignal)
    }

    @Test func stopKillsAnAgentThatIgnoresSIGTERM() async throws {
        // The shell says when its trap is set; until then SIGTERM would still end it.
        let ready = FileManager.default.temporaryDirectory.appendingPathComponent("trap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: ready) }
        let (process, exit) = try start("trap '' TERM; touch \(ready.path); while :; do sleep 1; done")
        try await eventually("the agent ignores SIGTERM") { FileManager.default.fileExists(atPath: ready.path) }
        await BootChecker.stop(process, exit: exit)
        #expect(exit.hasExited && !process.isRunning)
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
    }
}
