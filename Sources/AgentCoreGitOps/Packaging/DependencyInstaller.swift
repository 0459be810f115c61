import Foundation

/// Which machine the wheels are for.
public enum DependencyPlatform: Sendable, Equatable {
    /// AgentCore Runtime: ARM64 (Graviton) Linux, AL2023 with glibc 2.34.
    case agentCore
    /// This machine, for the boot check's twin package: wheels for the given interpreter.
    case host(python: URL)

    /// uv's `--python-platform` values for AgentCore, most compatible first.
    static let agentCorePlatforms = ["aarch64-manylinux2014", "aarch64-manylinux_2_28", "aarch64-manylinux_2_34"]
}

/// A dependency set installed into a directory, ready to be zipped at the package root.
public struct InstalledDependencies: Sendable, Equatable {
    public var directory: URL
    /// SHA-256 over the requirements (and uv.lock), the Python version and the platform.
    public var hash: String
    /// The platform whose wheels were installed, e.g. `aarch64-manylinux2014`.
    public var platform: String
    public var fromCache: Bool
}

/// Installs `requirements.txt` with uv into a cache keyed by everything that decides the result,
/// so an unchanged dependency set is installed once and then reused by every build.
public struct DependencyInstaller: Sendable {
    public var cacheDirectory: URL
    public var toolchain: PythonToolchain

    public init(cacheDirectory: URL, toolchain: PythonToolchain = PythonToolchain()) {
        self.cacheDirectory = cacheDirectory
        self.toolchain = toolchain
    }

    public func install(
        requirements: URL, python: PythonVersion, platform: DependencyPlatform
    ) async throws -> InstalledDependencies {
        let hash = try cacheKey(requirements: requirements, python: python, platform: platform)
        let depsRoot = cacheDirectory.appendingPathComponent("deps")
        let target = depsRoot.appendingPathComponent(hash, isDirectory: true)
        let platformFile = target.appendingPathComponent(".agentcore-platform")
        if let recorded = try? String(contentsOf: platformFile, encoding: .utf8) {
            return InstalledDependencies(directory: target, hash: hash, platform: recorded, fromCache: true)
        }

        let uv = try toolchain.uv()
        try FileManager.default.createDirectory(at: depsRoot, withIntermediateDirectories: true)
        // Installed beside the cache entry and renamed into place: an interrupted install never
        // looks like a finished one.
        let staging = depsRoot.appendingPathComponent(".staging-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }

        let used: String
        switch platform {
        case .agentCore:
            used = try await installForAgentCore(uv: uv, requirements: requirements, python: python, into: staging)
        case .host(let interpreter):
            let result = try await runUV(uv, requirements: requirements, into: staging, extra: ["--python", interpreter.path])
            try Self.check(result, platforms: ["this machine"])
            used = "host"
        }
        try Data(used.utf8).write(to: staging.appendingPathComponent(".agentcore-platform"))
        if rename(staging.path, target.path) != 0 && !FileManager.default.fileExists(atPath: platformFile.path) {
            throw PackagingError.io("cannot move the installed dependencies into the cache at \(target.path)")
        }
        return InstalledDependencies(directory: target, hash: hash, platform: used, fromCache: false)
    }

    /// The cache key: requirements and lock file contents, the Python version and the platform.
    public func cacheKey(requirements: URL, python: PythonVersion, platform: DependencyPlatform) throws -> String {
        var material = "agentcore-deps 1\npython \(python)\n"
        switch platform {
        case .agentCore: material += "platform aarch64-manylinux\n"
        case .host(let interpreter): material += "platform host \(Self.machine()) \(interpreter.path)\n"
        }
        guard let text = try? Data(contentsOf: requirements) else {
            throw PackagingError.unreadable(path: requirements.path, reason: "requirements file not found")
        }
        var hasher = SHA256Hasher()
        hasher.update(Data(material.utf8))
        hasher.update(text)
        let lock = requirements.deletingLastPathComponent().appendingPathComponent("uv.lock")
        if let lockText = try? Data(contentsOf: lock) {
            hasher.update(Data("\nuv.lock\n".utf8))
            hasher.update(lockText)
        }
        return hasher.finalize().hexString
    }

    /// ARM64 wheels, trying newer manylinux tags only when a package has no wheel for the older.
    private func installForAgentCore(uv: URL, requirements: URL, python: PythonVersion, into staging: URL) async throws -> String {
        var lastFailure: Subprocess.Result?
        for platform in DependencyPlatform.agentCorePlatforms {
            try? FileManager.default.removeItem(at: staging)
            let result = try await runUV(
                uv, requirements: requirements, into: staging,
                extra: ["--python-platform", platform, "--python-version", "\(python)", "--only-binary=:all:"])
            if result.status == 0 { return platform }
            guard Self.missingWheel(in: result.stderr) != nil else {
                try Self.check(result, platforms: [platform])
                return platform
            }
            lastFailure = result
        }
        try Self.check(lastFailure!, platforms: DependencyPlatform.agentCorePlatforms)
        return DependencyPlatform.agentCorePlatforms.last!
    }

    private func runUV(_ uv: URL, requirements: URL, into directory: URL, extra: [String]) async throws -> Subprocess.Result {
        var environment = toolchain.environment
        environment["NO_COLOR"] = "1"
        return try await Subprocess.run(
            uv, ["pip", "install", "--quiet", "--target", directory.path] + extra + ["-r", requirements.path],
            environment: environment)
    }

    /// Turns uv's failure output into the error that says what to do.
    static func check(_ result: Subprocess.Result, platforms: [String]) throws {
        guard result.status != 0 else { return }
        let output = result.stderr + result.stdout
        if let package = missingWheel(in: output) {
            throw PackagingError.noARM64Wheel(package: package, platforms: platforms)
        }
        if output.contains("No solution found") || output.contains("not found in the package registry") {
            let cause = output.split(separator: "\n").first { $0.contains("Because") }.map(String.init)
            throw PackagingError.unresolvable((cause ?? Subprocess.tail(output, lines: 5)).trimmingCharacters(in: .whitespaces))
        }
        throw PackagingError.uvFailed(Subprocess.tail(output))
    }

    /// The package uv says has no wheel for the platform, e.g. from "Because docopt==0.6.2 has no
    /// usable wheels" or "... has no wheels with a matching platform tag".
    static func missingWheel(in output: String) -> String? {
        let patterns = [
            #"([A-Za-z0-9][A-Za-z0-9._-]*)(?:[=<>!~][^ ]*)? has no (?:usable wheels|wheels with a matching platform tag)"#,
            #"Wheels are required for `([^`]+)`"#,
            #"Distribution `([A-Za-z0-9._-]+)[^`]*` can't be installed because it doesn't have a source distribution or wheel"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let match = regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)),
                  let range = Range(match.range(at: 1), in: output) else { continue }
            return String(output[range])
        }
        return nil
    }

    static func machine() -> String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
