import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent to deploy: its directory and its `agentcore.json`, and how to package it.
public struct AgentSource: Sendable {
    public var directory: URL
    public var settings: RuntimeSettings
    /// Where dependencies, bytecode and previous builds are cached.
    public var cacheDirectory: URL
    /// Time the start-up of a host-platform twin before packaging (`AGENTCORE_CHECK_BOOT=true`).
    public var checkBoot: Bool
    public var bootTimeout: Double = 30
    /// Ship bytecode compiled by the runtime's Python version (`agentcore deploy --precompile`).
    public var precompile = false
    /// A prompt file to package instead of the one `agentcore.json` names (`agentcore deploy --prompt`).
    public var promptOverride: URL?
    public var environment: [String: String]
    /// Makes the zip from the options: `PackageBuilder.build`, which runs uv for the dependencies.
    /// Tests that must start no process put a plain zip of the agent directory in its place.
    public var packager: @Sendable (PackageOptions, @escaping @Sendable (String) -> Void) async throws -> PackageManifest = {
        try await PackageBuilder.build($0, log: $1)
    }

    public init(
        directory: URL, settings: RuntimeSettings, cacheDirectory: URL, checkBoot: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.directory = directory
        self.settings = settings
        self.cacheDirectory = cacheDirectory
        self.checkBoot = checkBoot
        self.environment = environment
    }

    /// `AGENTCORE_AGENT_DIR` (relative to the working directory), else `agent/`; reading
    /// `agentcore.json` checks that the files it names exist.
    public static func fromEnvironment(
        _ environment: [String: String], workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws -> AgentSource {
        let configured = environment["AGENTCORE_AGENT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "agent"
        let directory = configured.hasPrefix("/")
            ? URL(fileURLWithPath: configured) : workingDirectory.appendingPathComponent(configured)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ActionableError(
                "the agent directory \(directory.path) does not exist",
                fix: "run from the repository root, or set AGENTCORE_AGENT_DIR to the directory that holds agent.py")
        }
        let checkBoot = ["true", "1", "yes"].contains(environment["AGENTCORE_CHECK_BOOT"]?.lowercased() ?? "")
        return AgentSource(
            directory: directory.standardizedFileURL, settings: try RuntimeSettings.load(agentDirectory: directory),
            cacheDirectory: PackageOptions.defaultCacheDirectory(environment: environment), checkBoot: checkBoot,
            environment: environment)
    }

    /// The runtime settings a deployment to `role` sends: its environment's overrides merged,
    /// `${NAME}` read from the job's environment (a missing one is an error naming it).
    public func runtimeSettings(for role: RuntimeOwnership.Role) throws -> EnvironmentSettings {
        try settings.resolved(for: DeploymentEnvironment(role: role), variables: environment)
    }

    /// The same, with the values read for `${NAME}` masked in the log before anything prints them.
    public func runtimeSettings(for role: RuntimeOwnership.Role, reporter: ActionsReporter) throws -> EnvironmentSettings {
        let resolved = try runtimeSettings(for: role)
        for secret in resolved.secretValues { reporter.mask(secret) }
        return resolved
    }

    /// What comments and issues never show: the job's own credentials, and the value of every
    /// variable a `${NAME}` in `agentcore.json` references (in any environment), whatever quotes it.
    /// A value too short to be a secret is refused wherever it is sent, so it takes no part:
    /// redacting every "e" of a message would give the value away.
    public var redactor: SecretRedactor {
        let referenced = settings.allEnvironments.flatMap(\.referencedVariables).compactMap { environment[$0] }
        return SecretRedactor(secrets: SecretRedactor(environment: environment).secrets
            + referenced.filter { $0.count >= EnvironmentSettings.minimumSecretLength })
    }

    /// Builds the code zip for `runtimeName` inside a log group.
    public func build(for runtimeName: String, reporter: ActionsReporter) async throws -> PackageManifest {
        try await reporter.group("Package \(directory.lastPathComponent)/ for \(runtimeName)") {
            let manifest = try await build(for: runtimeName, log: { reporter.info($0) })
            reporter.info("package \(manifest.sha256) (\(manifest.compressedBytes.readableByteCount), \(manifest.fileCount) files)")
            return manifest
        }
    }

    /// Builds the code zip for `runtimeName`. The zip stays in the cache between runs, so an
    /// unchanged agent is re-zipped from the previous archive's compressed entries.
    ///
    /// Runs on one machine may build for the same name at once (tests, several checkouts), so the
    /// build holds a lock, and the manifest points at a private hard link to the result: a later
    /// build renames a new file over the cached one and leaves these bytes alone. The caller
    /// removes `manifest.path` when done with it.
    public func build(for runtimeName: String, log: @escaping @Sendable (String) -> Void) async throws -> PackageManifest {
        let builds = cacheDirectory.appendingPathComponent("builds")
        try FileManager.default.createDirectory(at: builds, withIntermediateDirectories: true)
        var options = PackageOptions(
            agentDirectory: directory,
            promptFile: promptOverride ?? settings.prompt.map { RuntimeSettings.resolve($0, in: directory) },
            output: builds.appendingPathComponent("\(runtimeName).zip"),
            cacheDirectory: cacheDirectory)
        options.requirementsFile = RuntimeSettings.resolve(settings.requirements, in: directory)
        options.uvConfig = settings.uvConfig.map { RuntimeSettings.resolve($0, in: directory) }
        options.entryPoint = settings.entryPoint
        options.pythonVersion = try PythonVersion(settings.python)
        options.checkBoot = checkBoot
        options.bootTimeout = bootTimeout
        options.precompile = precompile
        options.environment = environment

        let lock = try await BuildLock(builds.appendingPathComponent(".\(runtimeName).lock"))
        defer { lock.release() }
        var manifest = try await packager(options, log)
        let privateCopy = builds.appendingPathComponent(".\(runtimeName)-\(UUID().uuidString).zip")
        guard link(manifest.path, privateCopy.path) == 0 else {
            throw ActionableError("cannot link \(manifest.path) to \(privateCopy.path) (errno \(errno))",
                                  fix: "check that the cache directory (AGENTCORE_CACHE_DIR) is writable")
        }
        manifest.path = privateCopy.path
        return manifest
    }
}
