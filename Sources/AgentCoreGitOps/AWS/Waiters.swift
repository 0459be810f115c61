import Foundation

/// How often and how long to poll. AgentCore publishes no waiters, so we poll with capped
/// exponential backoff: quick at first (most changes finish in seconds), then gently.
public struct WaitPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var maxDelay: Duration
    public var multiplier: Double
    /// How long to wait in all before giving up.
    public var timeout: Duration

    public init(
        initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(10), multiplier: Double = 2,
        timeout: Duration = .seconds(900)
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.timeout = timeout
    }

    /// The pause before poll number `attempt + 1` (attempt counts from 0).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 0..<attempt where delay < maxDelay { delay = delay * multiplier }
        return min(delay, maxDelay)
    }
}

/// Why a wait ended without success.
public struct WaiterError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The resource reached CREATE_FAILED or UPDATE_FAILED (or another state it cannot leave).
        case failed(reason: String?)
        /// The deadline passed first; the resource may still get there.
        case timedOut(after: Duration)
    }

    public var kind: Kind
    /// What was awaited, e.g. "runtime pr_42-AbCdEfGhIj version 3 to become READY".
    public var waitedFor: String
    public var lastStatus: String?

    /// What happened, without advice.
    public var problem: String {
        switch kind {
        case .failed(let reason):
            "gave up waiting for \(waitedFor): it is \(lastStatus ?? "failed")"
                + (reason.map { " because: \($0)" } ?? " and AWS gave no reason")
        case .timedOut(let after):
            "timed out after \(after.formattedSeconds) waiting for \(waitedFor); last status \(lastStatus ?? "unknown")"
        }
    }

    /// What to do about it.
    public var fix: String {
        switch kind {
        case .failed: "fix the cause, then run the same command again"
        case .timedOut: "it may still finish: check its status later, or wait longer"
        }
    }

    public var description: String { ActionableError(problem, fix: fix).description }
}

/// Polls the control plane until runtimes and endpoints settle.
public struct AgentCoreWaiter: Sendable {
    public let client: any AgentCoreControlClient
    public var policy: WaitPolicy
    /// What the polls and pauses run on; tests pass one they advance themselves.
    public var clock: any Clock<Duration>
    /// Hears each new status while waiting (e.g. "UPDATING"), so a long wait shows progress.
    public var onStatusChange: (@Sendable (String) -> Void)?

    public init(
        client: any AgentCoreControlClient, policy: WaitPolicy = WaitPolicy(),
        clock: any Clock<Duration> = ContinuousClock(),
        onStatusChange: (@Sendable (String) -> Void)? = nil
    ) {
        self.client = client
        self.policy = policy
        self.clock = clock
        self.onStatusChange = onStatusChange
    }

    /// The policy's pause before try `attempt + 1` of a call AgentCore refused as busy.
    public func pause(afterAttempt attempt: Int) async throws {
        try await clock.sleep(for: policy.delay(afterAttempt: attempt))
    }

    /// Waits until the runtime (this version, or the latest) is READY.
    /// Fails at once on CREATE_FAILED / UPDATE_FAILED with AWS's `failureReason`.
    @discardableResult
    public func runtimeReady(id: String, version: String? = nil) async throws -> AgentRuntime {
        let what = "runtime \(id)" + (version.map { " version \($0)" } ?? "") + " to become READY"
        return try await poll(what) {
            let runtime = try await client.getAgentRuntime(id: id, version: version)
            switch runtime.status {
            case .ready: return .done(runtime)
            case .creating, .updating: return .pending(runtime.status.rawValue)
            default: return .failed(runtime.status.rawValue, reason: runtime.failureReason)
            }
        }
    }

    /// Waits until the endpoint is READY and serving `version` (`liveVersion == version`).
    @discardableResult
    public func endpointReady(runtimeId: String, name: String, version: String) async throws -> AgentRuntimeEndpoint {
        let what = "endpoint \(name) of runtime \(runtimeId) to serve version \(version)"
        return try await poll(what) {
            let endpoint = try await client.getAgentRuntimeEndpoint(runtimeId: runtimeId, name: name)
            let shown = "\(endpoint.status) (live \(endpoint.liveVersion ?? "none"), target \(endpoint.targetVersion ?? "none"))"
            switch endpoint.status {
            case .ready where endpoint.liveVersion == version:
                return .done(endpoint)
            case .ready where endpoint.targetVersion != nil && endpoint.targetVersion != version:
                // Someone else moved it: waiting longer would never see our version.
                return .failed(shown, reason: "the endpoint now targets version \(endpoint.targetVersion!)")
            case .ready, .creating, .updating:
                return .pending(shown)
            default:
                return .failed(shown, reason: endpoint.failureReason)
            }
        }
    }

    /// Waits until GetAgentRuntime answers 404.
    public func runtimeDeleted(id: String) async throws {
        try await poll("runtime \(id) to be deleted") { () async throws -> Outcome<Void> in
            do {
                let runtime = try await client.getAgentRuntime(id: id)
                return .pending(runtime.status.rawValue)
            } catch let error as AWSError where error.isNotFound {
                return .done(())
            }
        }
    }

    /// Waits until GetAgentRuntimeEndpoint answers 404.
    public func endpointDeleted(runtimeId: String, name: String) async throws {
        try await poll("endpoint \(name) of runtime \(runtimeId) to be deleted") { () async throws -> Outcome<Void> in
            do {
                let endpoint = try await client.getAgentRuntimeEndpoint(runtimeId: runtimeId, name: name)
                return .pending(endpoint.status.rawValue)
            } catch let error as AWSError where error.isNotFound {
                return .done(())
            }
        }
    }

    private enum Outcome<Value> {
        case done(Value)
        case pending(String)
        case failed(String, reason: String?)
    }

    /// Checks, then sleeps with backoff, until done, failed or the deadline; the last check
    /// happens at the deadline so a change that lands just in time still counts.
    private func poll<Value>(_ waitedFor: String, check: () async throws -> Outcome<Value>) async throws -> Value {
        let elapsed = clock.stopwatch()
        var attempt = 0
        var reported: String?
        while true {
            switch try await check() {
            case .done(let value):
                return value
            case .failed(let status, let reason):
                throw WaiterError(kind: .failed(reason: reason), waitedFor: waitedFor, lastStatus: status)
            case .pending(let status):
                if status != reported {
                    onStatusChange?(status)
                    reported = status
                }
                let remaining = policy.timeout - elapsed()
                guard remaining > .zero else {
                    throw WaiterError(kind: .timedOut(after: policy.timeout), waitedFor: waitedFor, lastStatus: status)
                }
                try await clock.sleep(for: min(policy.delay(afterAttempt: attempt), remaining))
                attempt += 1
            }
        }
    }
}

extension Duration {
    /// "90s", "1.5s", "0.05s": how long a wait lasted, for people.
    var formattedSeconds: String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.2gs", seconds)
    }
}
