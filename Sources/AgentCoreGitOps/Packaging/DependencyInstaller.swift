import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// The install key: every wheel of the resolution with its hash, the uv version, the Python
    /// version and the platform. Equal keys mean equal installed files.
    public var hash: String
    /// The platform whose wheels were installed, e.g. `aarch64-manylinux2014`.
    public var platform: String
    public var fromCache: Bool
    /// What is installed, sorted by name.
    public var distributions: [Distribution]
    /// The distribution (`name version`) each top-level name of the directory belongs to.
    public var owners: [String: String]
    /// The files that declare the set (requirements, constraints, lock, uv configuration).
    public var inputFiles: [String] = []
}

/// Installs the agent's dependencies with uv in two cached steps, so no change to what decides
/// the set can leave an old dependency in a new package:
///
/// 1. resolve: `uv pip compile` to one wheel and its SHA-256 per distribution, cached under the
///    key of every input (`DependencyInputs`), so an unchanged set is not resolved again;
/// 2. install exactly those wheels (`name @ URL --hash=…`, no index asked again) into
///    `<cache>/deps/<install key>`, whose stamp file records the key it was built for.
///
/// uv runs with `--no-config` unless the agent's settings name a configuration file.
public struct DependencyInstaller: Sendable {
    public var cacheDirectory: URL
    public var toolchain: PythonToolchain = PythonToolchain()
    /// A `uv.toml` to use; nil runs uv without any configuration file.
    public var configFile: URL?

    /// Written last into a finished install: the key it was built for and what it holds.
    static let stampName = ".agentcore-stamp"
    /// Installed sets kept in the cache (about 65 MB each for the sample agent).
    static let setsKept = 4

    public func install(
        _ source: DependencySource, python: PythonVersion, platform: DependencyPlatform,
        log: @Sendable (String) -> Void = { _ in }
    ) async throws -> InstalledDependencies {
        let uv = try toolchain.uv()
        let uvVersion = try await toolchain.uvVersion(uv, cache: cacheDirectory)
        let inputs = try DependencyInputs.collect(
            source: source, configFile: configFile, environment: toolchain.environment, uvVersion: uvVersion,
            python: python, platform: platform)
        let resolution = try await resolution(
            of: source, inputs: inputs, uv: uv, python: python, platform: platform, log: log)

        let key = Self.installKey(resolution, uvVersion: uvVersion, python: python)
        let depsRoot = cacheDirectory.appendingPathComponent("deps")
        let target = depsRoot.appendingPathComponent(key, isDirectory: true)
        switch Stamp.read(in: target, expecting: key) {
        case .valid(let stamp):
            utimes(target.appendingPathComponent(Self.stampName).path, nil)
            return stamp.installed(at: target, fromCache: true, inputs: inputs)
        case .missing:
            break
        case .invalid(let reason):
            // A cache restored from elsewhere, or a set cut short: never used, built again.
            log("ignoring the cached dependencies at \(target.path): \(reason)")
            try? FileManager.default.removeItem(at: target)
        }

        try FileManager.default.createDirectory(at: depsRoot, withIntermediateDirectories: true)
        // Installed beside the cache entry and renamed into place: an interrupted install never
        // looks like a finished one.
        let staging = depsRoot.appendingPathComponent(".staging-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }
        let requirements = staging.appendingPathComponent(".agentcore-requirements.txt")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Data(resolution.requirements.utf8).write(to: requirements)
        let result = try await runUV(
            uv, ["pip", "install", "--quiet", "--target", staging.path, "--no-deps", "--require-hashes"]
                + Self.platformArguments(platform, resolved: resolution.platform, python: python)
                + ["-r", requirements.path],
            inputs: inputs, in: source.workingDirectory)
        try Self.check(result, platforms: [resolution.platform])
        try FileManager.default.removeItem(at: requirements)

        let stamp = Stamp(
            key: key, platform: resolution.platform, distributions: resolution.distributions,
            owners: try Self.verify(staging, holds: resolution.distributions))
        try stamp.write(in: staging)
        if rename(staging.path, target.path) != 0 {
            // Another build may have finished the same set first: theirs is as good as ours.
            guard case .valid = Stamp.read(in: target, expecting: key) else {
                throw PackagingError.io("cannot move the installed dependencies into the cache at \(target.path)")
            }
        }
        Self.prune(depsRoot, keeping: Self.setsKept)
        return stamp.installed(at: target, fromCache: false, inputs: inputs)
    }

    /// What uv resolved the inputs to: from the cache when nothing that decides it changed.
    private func resolution(
        of source: DependencySource, inputs: DependencyInputs, uv: URL, python: PythonVersion,
        platform: DependencyPlatform, log: @Sendable (String) -> Void
    ) async throws -> Resolution {
        let file = cacheDirectory.appendingPathComponent("resolutions").appendingPathComponent("\(inputs.key).json")
        if let cached = Resolution.read(file, expecting: inputs.key) {
            utimes(file.path, nil)
            return cached
        }
        log("resolving the dependencies with uv")
        let exported = try await export(source, inputs: inputs, uv: uv)
        defer { if let exported { try? FileManager.default.removeItem(at: exported) } }
        let input = exported == nil ? [source.file.path] : ["-"]

        var attempts: [(platform: String, arguments: [String])]
        switch platform {
        case .agentCore:
            attempts = DependencyPlatform.agentCorePlatforms.map {
                ($0, ["--python-platform", $0, "--python-version", "\(python)", "--only-binary", ":all:"])
            }
        case .host(let interpreter):
            attempts = [("host", ["--python", interpreter.path])]
        }
        var lastFailure: Subprocess.Result?
        for attempt in attempts {
            let result = try await runUV(
                uv, ["pip", "compile", "--quiet", "--generate-hashes", "--format", "pylock.toml", "--no-header"]
                    + attempt.arguments + input,
                inputs: inputs, in: source.workingDirectory, standardInput: exported)
            if result.status != 0 {
                lastFailure = result
                // Only a missing wheel is worth another platform tag; anything else is the answer.
                if Self.missingWheel(in: result.stderr) != nil { continue }
                try Self.check(result, platforms: [attempt.platform])
            }
            let lock = try PyLock(parsing: result.stdout, baseDirectory: source.workingDirectory)
            let resolution = Resolution(
                inputKey: inputs.key, platform: attempt.platform, requirements: lock.installRequirements,
                distributions: lock.distributions)
            try resolution.write(file)
            Self.prune(file.deletingLastPathComponent(), keeping: 32)
            return resolution
        }
        try Self.check(lastFailure!, platforms: attempts.map(\.platform))
        throw PackagingError.uvFailed("uv resolved nothing")
    }

    /// For `uv.lock`: the locked set as pinned requirements (run in the project's directory).
    private func export(_ source: DependencySource, inputs: DependencyInputs, uv: URL) async throws -> URL? {
        guard case .uvLock(let lock) = source else { return nil }
        let result = try await runUV(
            uv, ["export", "--frozen", "--quiet", "--format", "requirements.txt", "--no-emit-project", "--no-dev",
                 "--no-header", "--no-annotate", "--emit-index-url", "--emit-find-links"],
            inputs: inputs, in: lock.deletingLastPathComponent())
        guard result.status == 0 else {
            throw PackagingError.uvFailed("exporting \(lock.path): \(Subprocess.tail(result.stderr + result.stdout)); run `uv lock` in \(lock.deletingLastPathComponent().path) and commit uv.lock")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentcore-export-\(UUID().uuidString).txt")
        try Data(result.stdout.utf8).write(to: file)
        return file
    }

    private func runUV(
        _ uv: URL, _ arguments: [String], inputs: DependencyInputs, in directory: URL, standardInput: URL? = nil
    ) async throws -> Subprocess.Result {
        var environment = inputs.environment
        environment["NO_COLOR"] = "1"
        // The subcommand first, then its options: `uv pip compile --no-config ...`.
        let split = arguments.first == "pip" ? 2 : 1
        let config = configFile.map { ["--no-config", "--config-file", $0.path] } ?? ["--no-config"]
        return try await Subprocess.run(
            uv, Array(arguments.prefix(split)) + config + Array(arguments.dropFirst(split)),
            environment: environment, currentDirectory: directory, standardInput: standardInput)
    }

    private static func platformArguments(_ platform: DependencyPlatform, resolved: String, python: PythonVersion) -> [String] {
        switch platform {
        case .agentCore: return ["--python-platform", resolved, "--python-version", "\(python)", "--only-binary", ":all:"]
        case .host(let interpreter): return ["--python", interpreter.path]
        }
    }

    static func installKey(_ resolution: Resolution, uvVersion: String, python: PythonVersion) -> String {
        var hasher = Hasher256()
        hasher.update("agentcore-deps 2\nuv \(uvVersion)\npython \(python)\nplatform \(resolution.platform)\n")
        hasher.update(resolution.requirements)
        return hasher.finish()
    }

    /// The installed `*.dist-info` directories must be exactly the resolved distributions; returns
    /// which distribution owns each top-level name (from each RECORD).
    static func verify(_ directory: URL, holds distributions: [Distribution]) throws -> [String: String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var installed: [String: String] = [:]
        var owners: [String: String] = [:]
        for name in names where name.hasSuffix(".dist-info") {
            let stem = name.dropLast(".dist-info".count)
            guard let dash = stem.lastIndex(of: "-") else { continue }
            let distribution = Distribution(name: String(stem[..<dash]), version: String(stem[stem.index(after: dash)...]))
            installed[distribution.name] = distribution.version
            let label = "\(distribution.name) \(distribution.version)"
            owners[name] = label
            let record = (try? String(contentsOf: directory.appendingPathComponent(name).appendingPathComponent("RECORD"), encoding: .utf8)) ?? ""
            for line in record.split(whereSeparator: \.isNewline) {
                let path = line.split(separator: ",", maxSplits: 1).first.map(String.init) ?? ""
                let top = ArchiveItem.topLevelName(of: path)
                if !top.isEmpty && top != ".." && owners[top] == nil { owners[top] = label }
            }
        }
        let expected = Dictionary(distributions.map { ($0.name, $0.version) }, uniquingKeysWith: { first, _ in first })
        guard installed == expected else {
            let extra = installed.filter { expected[$0.key] != $0.value }.map { "\($0.key) \($0.value)" }.sorted()
            let missing = expected.filter { installed[$0.key] != $0.value }.map { "\($0.key) \($0.value)" }.sorted()
            throw PackagingError.uvFailed(
                "the installed set differs from uv's resolution (installed but not resolved: \(extra.joined(separator: ", ")); "
                    + "resolved but not installed: \(missing.joined(separator: ", "))); run the build again")
        }
        return owners
    }

    /// Deletes all but the `count` most recently used entries of `directory` (directories by
    /// their stamp's time, files by their own); an entry used in the last hour stays, as another
    /// build may be reading it.
    static func prune(_ directory: URL, keeping count: Int) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        var entries: [(url: URL, used: Date)] = []
        for name in names where !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            let stamp = url.appendingPathComponent(stampName)
            let probe = FileManager.default.fileExists(atPath: stamp.path) ? stamp : url
            let attributes = try? FileManager.default.attributesOfItem(atPath: probe.path)
            entries.append((url, attributes?[.modificationDate] as? Date ?? .distantPast))
        }
        let recent = Date().addingTimeInterval(-3600)
        for stale in entries.sorted(by: { $0.used > $1.used }).dropFirst(count) where stale.used < recent {
            try? FileManager.default.removeItem(at: stale.url)
        }
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

/// uv's answer for one set of inputs: the platform tag that worked, the requirements that install
/// exactly the resolved wheels, and the distributions. Stored whole (written aside, renamed).
struct Resolution: Codable, Equatable {
    var inputKey: String
    var platform: String
    var requirements: String
    var distributions: [Distribution]

    /// The cached resolution when it is there, whole, and made for these inputs.
    static func read(_ file: URL, expecting key: String) -> Resolution? {
        guard let data = try? Data(contentsOf: file),
              let resolution = try? JSONDecoder().decode(Resolution.self, from: data),
              resolution.inputKey == key else { return nil }
        return resolution
    }

    func write(_ file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FilePlacement.replace(file, with: [UInt8](try JSONEncoder().encode(self)))
    }
}

/// The stamp of a finished install: the key it was built for and what it holds.
struct Stamp: Codable, Equatable {
    var format = 2
    var key: String
    var platform: String
    var distributions: [Distribution]
    var owners: [String: String]

    enum Check { case valid(Stamp), missing, invalid(String) }

    static func read(in directory: URL, expecting key: String) -> Check {
        guard FileManager.default.fileExists(atPath: directory.path) else { return .missing }
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(DependencyInstaller.stampName)) else {
            return .invalid("it has no stamp (an install cut short, or made by another version of the tool)")
        }
        guard let stamp = try? JSONDecoder().decode(Stamp.self, from: data), stamp.format == 2 else {
            return .invalid("its stamp is not one this version of the tool writes")
        }
        guard stamp.key == key else { return .invalid("it was built for key \(stamp.key.prefix(12)), not \(key.prefix(12))") }
        return .valid(stamp)
    }

    func write(in directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(DependencyInstaller.stampName))
    }

    func installed(at directory: URL, fromCache: Bool, inputs: DependencyInputs) -> InstalledDependencies {
        InstalledDependencies(
            directory: directory, hash: key, platform: platform, fromCache: fromCache, distributions: distributions,
            owners: owners, inputFiles: inputs.files)
    }
}
