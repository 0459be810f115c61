import Foundation

/// A Python minor version AgentCore runs (`PYTHON_3_10` ... `PYTHON_3_14`).
public struct PythonVersion: Sendable, Equatable, Hashable, CustomStringConvertible, Codable {
    public var minor: Int

    public static let supported = 10...14
    /// The version seed 000 deploys with, and the one Debian 12 ships for the boot check.
    public static let `default` = PythonVersion(minor: 11)

    init(minor: Int) { self.minor = minor }

    public init(_ text: String) throws {
        let parts = text.split(separator: ".")
        guard parts.count == 2, parts[0] == "3", let minor = Int(parts[1]), Self.supported.contains(minor) else {
            throw PackagingError.invalidPythonVersion(text)
        }
        self.minor = minor
    }

    public var description: String { "3.\(minor)" }
    /// The `runtime` value of AgentCore's `codeConfiguration`.
    public var runtimeIdentifier: String { "PYTHON_3_\(minor)" }
    /// The tag in bytecode file names, `module.cpython-311.pyc`.
    public var cacheTag: String { "cpython-3\(minor)" }

    public init(from decoder: Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Finds the tools the build runs: `uv`, and an interpreter of a given Python version.
public struct PythonToolchain: Sendable {
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public func uv() throws -> URL {
        guard let url = Subprocess.which("uv", environment: environment) else { throw PackagingError.uvMissing }
        return url
    }

    /// `uv --version`, remembered in the cache per uv binary (by path, inode, size and times) so
    /// a build does not start uv only to ask.
    public func uvVersion(_ uv: URL, cache: URL) async throws -> String {
        var info = stat()
        let identity = stat(uv.path, &info) == 0
            ? "\(uv.path) \(FileFingerprint(info))" : uv.path
        let memo = cache.appendingPathComponent("uv-versions").appendingPathComponent(
            SHA256Hasher.hash(Data(identity.utf8)).hexString)
        if let known = try? String(contentsOf: memo, encoding: .utf8), known.hasPrefix("uv ") { return known }
        let result = try await Subprocess.run(uv, ["--version"], environment: environment)
        let version = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, version.hasPrefix("uv ") else {
            throw PackagingError.uvFailed("`\(uv.path) --version` failed: \(Subprocess.tail(result.stderr + result.stdout)); reinstall uv (`pip install uv`)")
        }
        // Only remembered: a cache that cannot be written costs the next build one more `uv --version`.
        try? FileManager.default.createDirectory(at: memo.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FilePlacement.replace(memo, with: Array(version.utf8))
        return version
    }

    /// The real path of a `python3.X`, checked by running it. Tried in order: the system
    /// interpreters (readable by every user, which the boot check needs), PATH (through pyenv
    /// shims, whose real interpreter we ask for), `uv python find` without downloads, and pyenv's
    /// versions directory.
    public func python(_ version: PythonVersion) async throws -> URL {
        let name = "python\(version)"
        var candidates = ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].map { URL(fileURLWithPath: $0) }
        if let onPath = Subprocess.which(name, environment: environment) { candidates.append(onPath) }
        for candidate in candidates {
            if let found = await interpreter(candidate, is: version) { return found }
        }
        // Slower places, only when the usual ones have nothing.
        if let uv = try? uv() {
            var env = environment
            env["UV_PYTHON_DOWNLOADS"] = "never"
            if let result = try? await Subprocess.run(uv, ["python", "find", "\(version)"], environment: env), result.status == 0,
               let found = await interpreter(URL(fileURLWithPath: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), is: version) {
                return found
            }
        }
        let pyenvRoot = environment["PYENV_ROOT"] ?? (environment["HOME"].map { $0 + "/.pyenv" } ?? "")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: pyenvRoot + "/versions")) ?? []
        for entry in versions.sorted(by: >) where entry.hasPrefix("\(version).") {
            if let found = await interpreter(URL(fileURLWithPath: "\(pyenvRoot)/versions/\(entry)/bin/\(name)"), is: version) {
                return found
            }
        }
        throw PackagingError.pythonNotFound(
            version: "\(version)",
            detail: "looked in /usr/bin, PATH, `uv python find` (offline) and pyenv; uv cannot download one without network access")
    }

    /// The interpreter's real path when `candidate` runs and is the wanted version.
    private func interpreter(_ candidate: URL, is version: PythonVersion) async -> URL? {
        guard FileManager.default.isExecutableFile(atPath: candidate.path),
              let probe = try? await Subprocess.run(
                candidate, ["-c", "import sys; print(sys.version_info[0], sys.version_info[1]); print(sys.executable)"],
                environment: environment),
              probe.status == 0 else { return nil }
        let lines = probe.stdout.split(separator: "\n")
        guard lines.first == "3 \(version.minor)", lines.count > 1 else { return nil }
        return URL(fileURLWithPath: String(lines[1]))
    }
}
