import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import AgentCoreGitOps

/// A running GitHub emulator (`sandbox/github_emulator`) and helpers to drive it: clients for
/// each identity, pull requests through the control API, faults and the request log.
/// Tests share one emulator; each works on its own pull requests and issues, and scopes its
/// faults to their paths, so they can run in parallel.
final class GitHubEmulator: @unchecked Sendable {
    let apiURL: String
    let repository: String
    let tokens: [String: String]
    let logins: [String: String]
    private let process: Process
    /// Closing our end tells the emulator to stop: it waits for EOF on stdin.
    private let stdin: Pipe

    /// Retries fast enough for tests; the emulator's rate-limit faults ask for 1 s by default.
    static let fastRetry = GitHubRetryPolicy(maxAttempts: 4, baseDelay: 0.05, secondaryLimitMinimumWait: 0.1, maximumWait: 5)

    private struct Info: Decodable {
        let githubApiUrl: String
        let repository: String
        let tokens: [String: String]
        let logins: [String: String]
    }

    private init(info: Info, process: Process, stdin: Pipe) {
        apiURL = info.githubApiUrl
        repository = info.repository
        tokens = info.tokens
        logins = info.logins
        self.process = process
        self.stdin = stdin
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    private static let store = EmulatorStore()

    static func shared() async throws -> GitHubEmulator {
        try await store.get()
    }

    fileprivate static func start() throws -> GitHubEmulator {
        let script = """
            import json, sys
            sys.path.insert(0, 'sandbox')
            from github_emulator import start_github_emulator
            emulator = start_github_emulator()
            print(json.dumps(emulator.info()), flush=True)
            sys.stdin.read()
            emulator.stop()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.currentDirectoryURL = RepositoryPaths.root
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()

        var line = Data()
        let reader = stdout.fileHandleForReading
        while true {
            let byte = reader.readData(ofLength: 1)
            guard !byte.isEmpty else { throw SandboxError.didNotStart(log: "the GitHub emulator exited before printing its info") }
            if byte.first == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return GitHubEmulator(info: try decoder.decode(Info.self, from: line), process: process, stdin: stdin)
    }

    // MARK: Clients

    func configuration(_ identity: String = "bot", retry: GitHubRetryPolicy = fastRetry) throws -> GitHubConfiguration {
        try GitHubConfiguration(
            environment: ["GITHUB_TOKEN": try #require(tokens[identity]), "GITHUB_API_URL": apiURL, "GITHUB_REPOSITORY": repository],
            retry: retry)
    }

    func client(_ identity: String = "bot", log: @escaping @Sendable (String) -> Void = { _ in }) throws -> GitHubClient {
        GitHubClient(configuration: try configuration(identity), log: log)
    }

    func login(_ identity: String) throws -> String { try #require(logins[identity]) }

    // MARK: Control API

    @discardableResult
    func control(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> Data {
        var request = URLRequest(url: URL(string: apiURL + path)!)
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

    static func randomSHA() -> String {
        (0..<40).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
    }

    /// Opens a pull request as `user` (the maintainer by default); returns its number.
    func openPullRequest(headSHA: String = randomSHA(), user: String? = nil, fork: Bool = false) async throws -> Int {
        var body: [String: Any] = ["head_sha": headSHA, "title": "Change \(headSHA.prefix(7))", "fork": fork]
        if let user { body["user"] = user }
        let data = try await control("POST", "/_sandbox/repos/\(repository)/pulls", json: body)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["number"] as? Int)
    }

    func mergePullRequest(_ number: Int, mergeSHA: String) async throws {
        try await control("POST", "/_sandbox/repos/\(repository)/pulls/\(number)/merge", json: ["merge_commit_sha": mergeSHA])
    }

    /// Adds a fault rule (see `sandbox/github_emulator/limits.py`); scope it with `path_contains`.
    func addFault(_ rule: [String: Any]) async throws {
        try await control("POST", "/_sandbox/faults", json: rule)
    }

    struct LoggedRequest: Decodable {
        let method: String
        let path: String
        let status: Int?
        let login: String?
        let fault: String?
        let time: Double
    }

    /// Requests whose path contains `fragment`, oldest first.
    func requests(containing fragment: String) async throws -> [LoggedRequest] {
        struct Log: Decodable { let requests: [LoggedRequest] }
        let data = try await control("GET", "/_sandbox/requests")
        return try JSONDecoder().decode(Log.self, from: data).requests.filter { $0.path.contains(fragment) }
    }
}

private actor EmulatorStore {
    private var emulator: GitHubEmulator?

    func get() throws -> GitHubEmulator {
        if let emulator { return emulator }
        let started = try GitHubEmulator.start()
        emulator = started
        return started
    }
}
