import Foundation

/// Something a flow refuses to do, with what the user should do about it.
public struct FlowError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public var problem: String
    public var fix: String

    public init(_ problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(problem). \(fix)" }
    public var errorDescription: String? { description }
}

/// Client tokens that are the same for the same change, so a rerun after a crash, or a racing
/// run of the same commit, repeats the call and gets the first call's result instead of a second
/// runtime or version. Anything that should make a different change (another base version,
/// package or configuration) is part of the token.
public enum DeterministicClientToken {
    /// 64 hex characters, inside AWS's 33-256 character pattern.
    public static func make(_ operation: String, _ parts: String...) -> String {
        SHA256Hasher.hash(Data((["agentcore-gitops", operation] + parts).joined(separator: "\n").utf8)).hexString
    }
}

/// How the flow executables start and end: the flow runs with the process environment, and any
/// error becomes one `::error::` line and exit status 1.
public enum FlowMain {
    public static func run(
        _ name: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ flow: @Sendable ([String: String], ActionsReporter) async throws -> Void
    ) async -> Int32 {
        let reporter = ActionsReporter(environment: environment)
        do {
            try await flow(environment, reporter)
            return 0
        } catch {
            reporter.error(String(describing: error), title: "\(name) failed")
            return 1
        }
    }
}

extension AgentCoreWaiter {
    /// Waits until the runtime's latest version stopped changing, well or not (READY or
    /// *_FAILED): AgentCore refuses changes to a runtime that is still busy, and the next look
    /// decides what to do about a failure. Only a timeout is an error.
    func runtimeSettled(id: String) async throws {
        do {
            _ = try await runtimeReady(id: id)
        } catch let error as WaiterError {
            guard case .failed = error.kind else { throw error }
        }
    }
}

extension Int64 {
    /// "12.3 MB", "850 KB", "312 B": a package size for people.
    var readableByteCount: String {
        let value = Double(self)
        if value >= 1_000_000 { return String(format: "%.1f MB", value / 1_000_000) }
        if value >= 1_000 { return String(format: "%.1f KB", value / 1_000) }
        return "\(self) B"
    }
}
