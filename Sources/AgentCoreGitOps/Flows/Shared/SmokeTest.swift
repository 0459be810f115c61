import Foundation

/// The `smokeTest` object of `agent/agentcore.json`: what to send a newly deployed version and
/// what its answer must match, `{"payload": {...}, "expect": "<regex>", "timeoutSeconds": 60}`.
/// Every field is optional; without the object, `minimal` applies: the default payload must get
/// a 2xx answer. Decoding checks every field, so a bad setting fails before anything is deployed.
public struct SmokeTestSettings: Sendable, Equatable, Decodable {
    /// What the sample agent reads (`agent/agent.py` answers `{"prompt": ...}`).
    public static let defaultPayload: [String: JSONValue] = ["prompt": .string("Hello")]
    public static let defaultTimeoutSeconds = 60
    public static let timeoutRange = 1...900
    /// The settings' name in `agentcore.json`, which errors name.
    public static let field = "smokeTest"

    /// The JSON object sent to the agent.
    public var payload: [String: JSONValue]
    /// A regular expression the answer must match somewhere (nil: any 2xx answer passes).
    public var expect: String?
    /// How long the whole answer may take, first byte to last.
    public var timeoutSeconds: Int

    public static let minimal = SmokeTestSettings(checked: defaultPayload, expect: nil, timeoutSeconds: defaultTimeoutSeconds)

    public init(
        payload: [String: JSONValue] = defaultPayload, expect: String? = nil, timeoutSeconds: Int = defaultTimeoutSeconds
    ) throws(RuntimeSettingsError) {
        if let expect { _ = try Self.compile(expect) }
        try Self.checkTimeout(timeoutSeconds)
        self.init(checked: payload, expect: expect, timeoutSeconds: timeoutSeconds)
    }

    private init(checked payload: [String: JSONValue], expect: String?, timeoutSeconds: Int) {
        self.payload = payload
        self.expect = expect
        self.timeoutSeconds = timeoutSeconds
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case payload, expect, timeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        let object: [String: JSONValue]
        do {
            guard case .object(let fields) = try JSONValue(from: decoder) else { throw Self.error(nil, "must be a JSON object") }
            object = fields
        } catch let error as DecodingError {
            throw Self.error(nil, "must be a JSON object (\(error.localizedDescription))")
        }
        let known = CodingKeys.allCases.map(\.rawValue)
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw Self.error(unknown, "is not a known setting (known: \(known.sorted().joined(separator: ", ")))",
                             fix: "remove it, or correct its name")
        }
        var payload = Self.defaultPayload
        switch object["payload"] {
        case nil: break
        case .object(let fields)?: payload = fields
        case _?: throw Self.error("payload", #"must be a JSON object, like {"prompt": "Tell me a joke"}"#)
        }
        var expect: String?
        switch object["expect"] {
        case nil, .null?: break
        case .string(let pattern)?: expect = pattern
        case _?: throw Self.error("expect", "must be a string holding a regular expression")
        }
        var timeout = Self.defaultTimeoutSeconds
        switch object["timeoutSeconds"] {
        case nil: break
        case .integer(let seconds)?: timeout = Int(clamping: seconds)
        case _?: throw Self.error("timeoutSeconds", "must be a whole number of seconds from 1 to 900")
        }
        try self.init(payload: payload, expect: expect, timeoutSeconds: timeout)
    }

    /// The `smokeTest` object of an `agentcore.json` file's `data`, nil when it has none; errors
    /// name `source`, the file.
    static func section(of data: Data, source: String) throws(RuntimeSettingsError) -> SmokeTestSettings? {
        struct File: Decodable { var smokeTest: SmokeTestSettings? }
        do {
            return try JSONDecoder().decode(File.self, from: data).smokeTest
        } catch var error as RuntimeSettingsError {
            error.source = source
            throw error
        } catch {
            throw RuntimeSettingsError(source: source, field: field, problem: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// The `expect` pattern, compiled.
    static func compile(_ pattern: String) throws(RuntimeSettingsError) -> Regex<AnyRegexOutput> {
        guard !pattern.isEmpty else {
            throw error("expect", "is empty", fix: "leave it out to accept any answer, or give a pattern such as \"joke|pun\"")
        }
        do {
            return try Regex(pattern)
        } catch {
            throw Self.error("expect", "'\(pattern)' is not a regular expression (\(error))", fix: "escape special characters with \\\\")
        }
    }

    private static func checkTimeout(_ seconds: Int) throws(RuntimeSettingsError) {
        guard timeoutRange.contains(seconds) else {
            throw error("timeoutSeconds", "is \(seconds)",
                        fix: "give a whole number of seconds from \(timeoutRange.lowerBound) to \(timeoutRange.upperBound)")
        }
    }

    private static func error(_ key: String?, _ problem: String, fix: String? = nil) -> RuntimeSettingsError {
        RuntimeSettingsError(source: RuntimeSettings.fileName, field: key.map { "\(field).\($0)" } ?? field, problem: problem, fix: fix)
    }
}

/// Proves a deployed version answers: invokes it once with the settings' payload, reads the
/// whole answer within the timeout, and checks it against `expect`. Never throws: every failure
/// becomes a failed `SmokeTestResult` that says why. A flow runs it after a deploy:
///
///     let result = await SmokeTest(settings: smokeTest ?? .minimal, redactor: SecretRedactor(environment: env))
///         .run(invoker: AgentCoreDataPlane(client: aws), runtimeARN: runtime.agentRuntimeArn)
///     try await github.reportSmokeTest(result, sha: headSHA, targetURL: runURL)
///     // result.markdown goes into the sticky comment or the deployment issue
public struct SmokeTest: Sendable {
    /// The commit status context the result is reported under, which branch protection can require.
    public static let statusContext = "agentcore/smoke-test"

    public var settings: SmokeTestSettings
    /// Takes secrets out of the answer and the reason before they are shown anywhere.
    public var redactor: SecretRedactor

    public init(settings: SmokeTestSettings = .minimal, redactor: SecretRedactor) {
        self.settings = settings
        self.redactor = redactor
    }

    public func run(
        invoker: any AgentInvoking, runtimeARN: String, endpoint: String = AgentRuntimeEndpoint.defaultName
    ) async -> SmokeTestResult {
        await run(invoker: invoker, runtimeARN: runtimeARN, endpoint: endpoint, clock: ContinuousClock())
    }

    /// - Parameter clock: measures the latency and runs the timeout.
    public func run<C: Clock>(
        invoker: any AgentInvoking, runtimeARN: String, endpoint: String = AgentRuntimeEndpoint.defaultName, clock: C
    ) async -> SmokeTestResult where C.Duration == Duration {
        let start = clock.now
        var result = SmokeTestResult(
            passed: false, runtimeARN: runtimeARN, endpoint: endpoint, latency: .zero,
            expectation: settings.expect, timeoutSeconds: settings.timeoutSeconds)
        do {
            let invocation = try AgentInvocation(
                runtimeARN: runtimeARN, endpoint: endpoint, payload: try JSONValue.object(settings.payload).encoded())
            let answer = try await withTimeout(clock: clock) {
                try await invoker.invoke(invocation).text()
            }
            result.latency = start.duration(to: clock.now)
            guard let (text, truncated) = answer else {
                result.reason = "no complete answer within \(settings.timeoutSeconds) s"
                return result
            }
            result.answer = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? nil : ErrorExcerpt(message: text, redactor: redactor)
            if let expect = settings.expect, try SmokeTestSettings.compile(expect).firstMatch(in: text) == nil {
                result.reason = "the answer does not match `expect` (\(expect))"
                    + (truncated ? " in its first \(text.utf8.count) bytes" : "")
                return result
            }
            result.passed = true
        } catch {
            result.latency = start.duration(to: clock.now)
            result.reason = ErrorExcerpt(describing: error, redactor: redactor).text
        }
        return result
    }

    /// The operation's value, or nil when the timeout ran out first (the operation is cancelled).
    private func withTimeout<C: Clock, Value: Sendable>(
        clock: C, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value? where C.Duration == Duration {
        let timeout = Duration.seconds(settings.timeoutSeconds)
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await clock.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

/// What a smoke test found, for the sticky comment, the deployment issue, the commit status and the log.
public struct SmokeTestResult: Sendable, Equatable {
    public var passed: Bool
    public var runtimeARN: String
    public var endpoint: String
    /// From the invocation to the answer's last byte (or to the failure).
    public var latency: Duration
    /// The start of the answer: secrets removed, control characters dropped, a few lines.
    public var answer: ErrorExcerpt?
    /// Why it failed (secrets removed); nil when it passed.
    public var reason: String?
    public var expectation: String?
    public var timeoutSeconds: Int

    public init(
        passed: Bool, runtimeARN: String, endpoint: String, latency: Duration, answer: ErrorExcerpt? = nil,
        reason: String? = nil, expectation: String? = nil, timeoutSeconds: Int = SmokeTestSettings.defaultTimeoutSeconds
    ) {
        self.passed = passed
        self.runtimeARN = runtimeARN
        self.endpoint = endpoint
        self.latency = latency
        self.answer = answer
        self.reason = reason
        self.expectation = expectation
        self.timeoutSeconds = timeoutSeconds
    }

    public var commitState: GitHubCommitState { passed ? .success : .failure }

    /// The commit status's description, within GitHub's 140 characters.
    public var statusDescription: String {
        let text = passed
            ? "Endpoint \(endpoint) answered in \(seconds)" + (expectation == nil ? "" : ", matching expect")
            : "Failed on endpoint \(endpoint): " + (reason ?? "no reason given").split(separator: "\n").joined(separator: " ")
        return GitHubCommitStatus.fittedDescription(text)
    }

    /// One line for the log.
    public var summary: String {
        "smoke test \(passed ? "passed" : "failed") on endpoint \(endpoint) in \(seconds)"
            + (reason.map { ": \($0)" } ?? "")
    }

    /// A section for the sticky comment and the deployment issue. Everything that came from the
    /// agent, the settings or AWS is shown HTML-escaped inside `<pre>` or `<code>`, so none of it
    /// can add Markdown, links, mentions or hidden markers.
    public var markdown: String {
        var lines = ["#### Smoke test: \(passed ? "passed" : "failed")", ""]
        let expectation = expectation.map { ", expecting a match for <code>\(HTMLText.escaped($0))</code>" } ?? ""
        lines.append("Invoked endpoint <code>\(HTMLText.escaped(endpoint))</code> of <code>\(HTMLText.escaped(runtimeID))</code>"
            + "\(expectation): \(passed ? "answered" : "failed") in \(seconds).")
        if let reason {
            lines += ["", "Why:", "", "<pre>\(HTMLText.escaped(reason))</pre>"]
        }
        if let answer {
            lines += ["", answer.truncated ? "The answer's first lines:" : "The answer:", "", "<pre>\(HTMLText.escaped(answer.text))</pre>"]
        } else if reason == nil {
            lines += ["", "The answer was empty."]
        }
        return lines.joined(separator: "\n")
    }

    /// A row for a two-column Markdown table: `| Smoke test | passed in 0.84 s on endpoint DEFAULT |`.
    public var tableRow: String {
        let endpoint = HTMLText.escaped(endpoint).replacingOccurrences(of: "|", with: "&#124;")
        return "| Smoke test | \(passed ? "passed" : "**failed**") in \(seconds) on endpoint <code>\(endpoint)</code> |"
    }

    private var seconds: String { String(format: "%.2f s", Double(latency.components.seconds) + Double(latency.components.attoseconds) / 1e18) }

    private var runtimeID: String { AgentRuntimeARN(runtimeARN)?.runtimeID ?? runtimeARN }
}

extension GitHubAPI {
    /// Reports `result` as the `agentcore/smoke-test` status of commit `sha`, which branch
    /// protection can require; `targetURL` is where the details are (the workflow run).
    @discardableResult
    public func reportSmokeTest(_ result: SmokeTestResult, sha: String, targetURL: String?) async throws -> GitHubCommitStatus {
        try await createCommitStatus(
            sha: sha, state: result.commitState, context: SmokeTest.statusContext,
            description: result.statusDescription, targetURL: targetURL)
    }
}
