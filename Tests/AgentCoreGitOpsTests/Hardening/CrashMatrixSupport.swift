import Foundation
import Testing
@testable import AgentCoreGitOps

/// A systematic crash matrix: a flow's uninterrupted run is recorded (its AWS and GitHub
/// requests, in the order they were made, and the end state it reaches), then for each crash
/// point N the same flow is set up afresh, every request after the N-th fails (the process
/// stops there), and a rerun of the same workflow run with the faults gone must reach the same
/// end state as the uninterrupted run.
///
/// `CRASH_MATRIX_STRIDE` picks every k-th N (the suite samples; `scripts/crash-matrix` sets 1
/// for all of them); `CRASH_MATRIX_FLOWS` (comma-separated flow names) limits the flows.
enum CrashMatrixSettings {
    static var stride: Int {
        ProcessInfo.processInfo.environment["CRASH_MATRIX_STRIDE"].flatMap(Int.init).map { max(1, $0) } ?? 5
    }

    static func includes(_ flow: String) -> Bool {
        guard let list = ProcessInfo.processInfo.environment["CRASH_MATRIX_FLOWS"], !list.isEmpty else { return true }
        return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(flow)
    }

    /// Crash points 0..<total (crash before request N+1) at the stride; the last one always.
    static func points(total: Int) -> [Int] {
        guard total > 0 else { return [] }
        var points = Array(Swift.stride(from: 0, to: total, by: stride))
        if points.last != total - 1 { points.append(total - 1) }
        return points
    }
}

/// One flow, ready to run once: a fresh scenario in the sandbox.
struct CrashScenario: Sendable {
    /// Runs the flow's process; `environment` is added to what the workflow step gets.
    let run: @Sendable (_ environment: [String: String]) async throws -> ProcessResult
    /// The end state, with this scenario's names and numbers replaced by placeholders.
    let endState: @Sendable () async throws -> EndState
    /// Removes what would disturb the next scenario's request count (the sweep lists every runtime).
    var cleanUp: @Sendable () async throws -> Void = {}
}

/// What a flow leaves behind, comparable between scenarios: runtimes with their versions,
/// endpoints and the code stored for each version; issues and pull requests with their state,
/// labels and comments.
struct EndState: Equatable, CustomStringConvertible {
    struct Runtime: Equatable {
        var versions: [String]
        /// Endpoint name → live version.
        var endpoints: [String: String]
        /// `v<k>/code.zip` → SHA-256 of the object (nil: missing).
        var code: [String: String?]
    }

    struct Thread: Equatable {
        var state: String
        var labels: [String]
        var body: String
        /// "author: body" of every comment, oldest first.
        var comments: [String]
    }

    /// By role ("pr", "prod"); nil when the runtime does not exist.
    var runtimes: [String: Runtime?] = [:]
    /// By role ("pull request", "deployment issue 1").
    var threads: [String: Thread] = [:]

    var description: String {
        var lines: [String] = []
        for (role, runtime) in runtimes.sorted(by: { $0.key < $1.key }) {
            lines.append("runtime \(role): \(runtime.map { "\($0)" } ?? "none")")
        }
        for (role, thread) in threads.sorted(by: { $0.key < $1.key }) {
            lines.append("\(role): \(thread.state) \(thread.labels)\n  body: \(thread.body)")
            lines += thread.comments.map { "  comment: \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}

/// Reads end states from the sandbox, normalising what differs between scenarios by design.
struct EndStateReader: Sendable {
    let sandbox: Sandbox
    let github: GitHubEmulator
    /// Exact strings (runtime ids, names, numbers) → placeholders, longest first.
    var substitutions: [(String, String)] = []

    func normalized(_ text: String) -> String {
        var text = text
        for (value, placeholder) in substitutions.sorted(by: { $0.0.count > $1.0.count }) where !value.isEmpty {
            text = text.replacing(value, with: placeholder)
        }
        text = text.replacing(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?Z| UTC)?/, with: "<time>")
        text = text.replacing(/\b[0-9a-f]{40}\b/, with: "<commit>")
        // Each scenario has a repository of its own, which ownership tags name with its id.
        text = text.replacing(github.repository, with: "<repository>")
        text = text.replacing(#/\[agentcore-gitops <repository> id=[0-9]+ /#, with: "[agentcore-gitops <repository> id=<id> ")
        // What this run did, not what is deployed: a rerun finds the version its crashed run made
        // and says "unchanged" where the uninterrupted run said "new". Accepted, and left out.
        text = text.replacing(/\| Version \| (\d+) \([^)]*\) \|/) { "| Version | \($0.output.1) (…) |" }
        text = text.replacing(/\): (deleted|already gone) \|/, with: "): removed |")
        // A smoke test's latency is the invocation's own; a rerun that finds the crashed run's
        // recorded pass shows that pass and says it was not repeated.
        text = text.replacing(/\bin \d+\.\d{2} s\b/, with: "in <seconds>")
        text = text.replacing(/\n\nNot repeated: version \d+ passed this test in an earlier run, and it has not changed since\./, with: "")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Adds a number as `#n`, `/n` and `_n` forms (issue links, runtime names).
    mutating func substitute(number: Int, as name: String) {
        substitutions += [("#\(number)", "#<\(name)>"), ("/\(number)", "/<\(name)>"), ("pr_\(number)", "pr_<\(name)>"),
                          ("issue_number: \(number)", "issue_number: <\(name)>"), ("PR_NUMBER: \(number)", "PR_NUMBER: <\(name)>")]
    }

    func runtime(named name: String) async throws -> EndState.Runtime? {
        let control = try sandbox.agentCoreControl()
        guard let summary = try await control.findRuntime(named: name) else { return nil }
        let versions = try await control.allAgentRuntimeVersions(id: summary.agentRuntimeId).map(\.agentRuntimeVersion)
            .compactMap(Int.init).sorted().map(String.init)
        var endpoints: [String: String] = [:]
        for endpoint in try await control.allAgentRuntimeEndpoints(runtimeId: summary.agentRuntimeId) {
            endpoints[endpoint.name] = endpoint.liveVersion ?? "none"
        }
        var code: [String: String?] = [:]
        for version in versions { code["v\(version)/code.zip"] = try await sha256(ofKey: "\(name)/v\(version)/code.zip") }
        return EndState.Runtime(versions: versions, endpoints: endpoints, code: code)
    }

    func thread(_ number: Int) async throws -> EndState.Thread {
        let client = try github.client()
        let issue = try await client.getIssue(number: number)
        let comments = try await client.listComments(issue: number).map {
            "\($0.user?.login ?? "?"): \(normalized($0.body ?? ""))"
        }
        return EndState.Thread(
            state: issue.state, labels: issue.labels.map(\.name).sorted(), body: normalized(issue.body ?? ""), comments: comments)
    }

    func sha256(ofKey key: String) async throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try await S3Client(client: try sandbox.awsClient()).getObject(bucket: sandbox.info.s3Bucket, key: key, to: file)
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
        return try SHA256Hasher.hash(fileAt: file).hexString
    }
}

/// The requests of one run, AWS and GitHub, in the order they were made.
struct RequestOrder {
    enum Service: String { case aws, github }
    let services: [Service]
    /// "aws CreateAgentRuntime", "github POST /repos/o/r/issues": what each request was.
    let names: [String]

    var total: Int { services.count }
    var awsCount: Int { services.filter { $0 == .aws }.count }
    var githubCount: Int { total - awsCount }

    /// How many of each the first `n` requests were.
    func split(first n: Int) -> (aws: Int, github: Int) {
        let prefix = services.prefix(n)
        let aws = prefix.filter { $0 == .aws }.count
        return (aws, prefix.count - aws)
    }

    static func read(_ sandbox: Sandbox) async throws -> RequestOrder {
        struct AWSLog: Decodable { struct Entry: Decodable { let time: Double; let operation: String? }; let requests: [Entry] }
        struct GitHubLog: Decodable { struct Entry: Decodable { let time: Double; let method, path: String }; let requests: [Entry] }
        let aws = try JSONDecoder().decode(AWSLog.self, from: try await sandbox.awsControl("GET", "/_sandbox/requests"))
        let github = try JSONDecoder().decode(GitHubLog.self, from: try await sandbox.githubControl("GET", "/_sandbox/requests"))
        let merged = aws.requests.map { ($0.time, Service.aws, "aws \($0.operation ?? "?")") }
            + github.requests.map { ($0.time, Service.github, "github \($0.method) \($0.path)") }
        let sorted = merged.sorted { $0.0 < $1.0 }
        return RequestOrder(services: sorted.map(\.1), names: sorted.map(\.2))
    }
}

/// Drives one flow through its crash matrix in a sandbox of its own.
struct CrashMatrix {
    let sandbox: Sandbox

    /// No retries inside the crashed run: a failed request ends it, as a crash would.
    static let crashEnvironment = ["AWS_MAX_ATTEMPTS": "1"]

    struct Figures: CustomStringConvertible {
        let flow: String
        let order: RequestOrder
        let covered: Int
        var description: String {
            "crash-matrix: \(flow): \(order.total) requests (\(order.awsCount) AWS + \(order.githubCount) GitHub);"
                + " \(covered) crash points covered"
        }
    }

    private func clearLogs() async throws {
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")
        try await sandbox.githubControl("DELETE", "/_sandbox/requests")
        // Hundreds of runs would spend the bot's hourly budget.
        try await sandbox.githubControl("DELETE", "/_sandbox/rate-limits")
    }

    private func crash(after n: Int, order: RequestOrder) async throws {
        let (aws, github) = order.split(first: n)
        try await sandbox.awsControl("POST", "/_sandbox/fail-after", json: ["n": aws])
        // A rate limit that resets in an hour: clients give up at once instead of backing off.
        try await sandbox.githubControl("POST", "/_sandbox/fail-after", json: [
            "n": github, "fault": "primary_rate_limit", "retry_after": 3600])
    }

    private func heal() async throws {
        try await sandbox.awsControl("DELETE", "/_sandbox/faults")
        try await sandbox.githubControl("DELETE", "/_sandbox/fail-after")
    }

    func run(
        _ flow: String, prepare: () async throws -> CrashScenario,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Figures {
        let reference = try await prepare()
        try await clearLogs()
        let uninterrupted = try await reference.run(Self.crashEnvironment)
        try #require(uninterrupted.status == 0, "\(flow) uninterrupted: \(uninterrupted.output)", sourceLocation: sourceLocation)
        let order = try await RequestOrder.read(sandbox)
        let expected = try await reference.endState()
        try await reference.cleanUp()

        var covered = 0
        for n in CrashMatrixSettings.points(total: order.total) {
            let scenario = try await prepare()
            try await clearLogs()
            try await crash(after: n, order: order)
            let crashed: ProcessResult
            do {
                crashed = try await scenario.run(Self.crashEnvironment)
                try await heal()
            } catch {
                try await heal()
                throw error
            }
            let rerun = try await scenario.run([:])
            let point = "\(flow), crash after \(n) of \(order.total) requests"
            #expect(crashed.status != 0, "\(point): the crashed run got through\n\(order.names.joined(separator: "\n"))\n\(crashed.output)", sourceLocation: sourceLocation)
            #expect(rerun.status == 0, "\(point): rerun failed\n\(rerun.output)\ncrashed run:\n\(crashed.output)",
                    sourceLocation: sourceLocation)
            let reached = try await scenario.endState()
            #expect(reached == expected, "\(point): end state differs\n--- rerun:\n\(reached)\n--- uninterrupted:\n\(expected)",
                    sourceLocation: sourceLocation)
            try await scenario.cleanUp()
            covered += 1
        }
        let figures = Figures(flow: flow, order: order, covered: covered)
        print(figures)
        return figures
    }
}
