import Foundation

enum RepositoryPaths {
    /// The package root, found from this file's place in Tests/AgentCoreGitOpsTests/Support.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Where SwiftPM put the test bundle, and so the executables it builds with it.
    static let products: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if FileManager.default.fileExists(atPath: exe.path) { return exe.deletingLastPathComponent() }
        return Bundle.main.bundleURL.deletingLastPathComponent()
    }()

    static func executable(_ name: String) -> URL { products.appendingPathComponent(name) }
}

struct ProcessResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
    var output: String { stdout + stderr }

    /// Standard error without the notes a client logs before it retries a request
    /// ("…: connection error -1001; retry 1 of 2 in 0.42 s"): a busy machine may add them to any run.
    var stderrBesidesRetries: String {
        stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.firstMatch(of: /; retry \d+ of \d+ in [0-9.]+ s$/) == nil }
            .joined(separator: "\n")
    }
}

/// What a child process keeps of the test's environment: the search path, and how this machine
/// reaches package registries (CA bundles, proxies, pip and uv settings). Nothing else leaks in:
/// no AWS or GitHub credentials from the developer's shell.
private let inheritedEnvironment: [String: String] = {
    let keep: Set<String> = [
        "PATH", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    ]
    return ProcessInfo.processInfo.environment.filter { key, _ in
        keep.contains(key) || key.hasPrefix("PIP_") || key.hasPrefix("UV_")
    }
}()

/// Runs a program to completion with the given environment added to a minimal base.
/// Waits without blocking a concurrency thread: the machine has two cores.
func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
    stdin: String? = nil, currentDirectory: URL? = nil
) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = inheritedEnvironment
    env["HOME"] = FileManager.default.temporaryDirectory.path
    env.merge(environment) { _, new in new }
    process.environment = env
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    let input = Pipe()
    process.standardInput = input
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
        process.terminationHandler = { _ in continuation.resume() }
        do {
            try process.run()
        } catch {
            continuation.resume(throwing: error)
            return
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
    }
    return ProcessResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}
