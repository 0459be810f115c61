import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `scripts/sandbox` prints on its one JSON line when it is ready.
struct SandboxInfo: Decodable, Sendable {
    let awsEndpoint: String
    let awsAccessKeyId: String
    let awsSecretAccessKey: String
    let region: String
    let s3Bucket: String
    let roleArn: String
    let githubApiUrl: String?
    let repository: String?
    let tokens: [String: String]?
    let logins: [String: String]?
}

/// A running sandbox (moto with our fidelity fixes, and the GitHub emulator) on loopback ports.
/// Tests share one through `Sandbox.shared()`; a test that changes global sandbox settings
/// (faults, delays) starts its own with `Sandbox.start()` and stops it when done.
final class Sandbox: @unchecked Sendable {
    let info: SandboxInfo
    private let process: Process
    let logURL: URL

    private init(info: SandboxInfo, process: Process, logURL: URL) {
        self.info = info
        self.process = process
        self.logURL = logURL
    }

    /// Starts a sandbox on a thread of its own: `start` blocks until the sandbox prints its first
    /// line, and the cooperative pool (two threads here) stays free for the tests running meanwhile.
    static func launch(arguments: [String] = []) async throws -> Sandbox {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try Sandbox.start(arguments: arguments) }) }
        }
    }

    /// Starts a sandbox and waits for its JSON line, blocking the calling thread; async code
    /// should call `launch`.
    static func start(arguments: [String] = []) throws -> Sandbox {
        let process = Process()
        process.executableURL = RepositoryPaths.root.appendingPathComponent("scripts/sandbox")
        // AgentCore's 60 s start-up limit measures the agent, not this machine: a test run starts
        // many agents at once on two cores, so the tests' sandboxes allow more (a test may set its own).
        process.arguments = ["--exit-with-parent", "--agent-start-budget", "600"] + arguments
        let stdout = Pipe()
        let logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("sandbox-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: logURL)
        try process.run()

        var line = Data()
        let reader = stdout.fileHandleForReading
        while true {
            let byte = reader.readData(ofLength: 1)
            if byte.isEmpty {
                let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
                throw SandboxError.didNotStart(log: String(log.suffix(4000)))
            }
            if byte.first == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        // Keep draining stdout so a chatty sandbox never blocks on a full pipe.
        reader.readabilityHandler = { handle in _ = handle.availableData }

        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let info = try decoder.decode(SandboxInfo.self, from: line)
        return Sandbox(info: info, process: process, logURL: logURL)
    }

    /// The test process's calls to a sandbox. The whole suite's tests call the shared sandbox at
    /// once; URLSession's default of 6 connections per host would queue them, and a queued
    /// request's 60-second timeout counts the wait, so under load a quick call timed out unsent.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = 60
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }

    /// The environment a process needs to talk to this sandbox as the SDKs would.
    var awsEnvironment: [String: String] {
        [
            "AWS_ENDPOINT_URL": info.awsEndpoint,
            "AWS_ACCESS_KEY_ID": info.awsAccessKeyId,
            "AWS_SECRET_ACCESS_KEY": info.awsSecretAccessKey,
            "AWS_REGION": info.region,
            "AGENTCORE_S3_BUCKET": info.s3Bucket,
            "AGENTCORE_ROLE_ARN": info.roleArn,
        ]
    }

    /// Calls the sandbox's AWS control API (`/_sandbox/...`: faults, delays, failures, stats).
    @discardableResult
    func awsControl(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> Data {
        try await Self.call(method, base: info.awsEndpoint, path: path, json: json)
    }

    /// Calls the GitHub emulator's control API (`/_sandbox/...`: pull requests, merges, state).
    @discardableResult
    func githubControl(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> Data {
        guard let base = info.githubApiUrl else { throw SandboxError.noGitHub }
        return try await Self.call(method, base: base, path: path, json: json)
    }

    private static func call(_ method: String, base: String, path: String, json: [String: Any]?) async throws -> Data {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw SandboxError.controlFailed(path: path, status: status, body: String(decoding: data, as: UTF8.self))
        }
        return data
    }

    private static let sharedStore = SharedSandboxStore()

    /// One sandbox for the whole test process, started on first use.
    static func shared() async throws -> Sandbox {
        try await sharedStore.get()
    }
}

private actor SharedSandboxStore {
    private var starting: Task<Sandbox, Error>?
    func get() async throws -> Sandbox {
        if let starting { return try await starting.value }
        let task = Task {
            let sandbox = try await Sandbox.launch()
            // GitHub counts GITHUB_TOKEN's 1,000 requests an hour per repository; the shared sandbox
            // serves the whole suite's repositories with one bot token, so it gets their sum.
            try await sandbox.githubControl("POST", "/_sandbox/rate-limits", json: ["identity": "bot", "limit": 100_000])
            return sandbox
        }
        starting = task
        return try await task.value
    }
}

enum SandboxError: Error, CustomStringConvertible {
    case didNotStart(log: String)
    case noGitHub
    case controlFailed(path: String, status: Int, body: String)

    var description: String {
        switch self {
        case .didNotStart(let log): "scripts/sandbox exited before printing its JSON line:\n\(log)"
        case .noGitHub: "this sandbox runs no GitHub emulator"
        case .controlFailed(let path, let status, let body): "sandbox control \(path) answered \(status): \(body)"
        }
    }
}
