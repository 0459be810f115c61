import Foundation

/// What to build: the agent's directory, the prompt, where the zip goes and how far to check it.
public struct PackageOptions: Sendable {
    public var agentDirectory: URL
    /// Packaged as `system_prompt.txt` at the zip root, replacing one in the agent directory.
    public var promptFile: URL?
    /// The dependencies to install; `requirements.txt` in the agent directory when nil.
    public var requirementsFile: URL?
    public var output: URL
    public var entryPoint: String = "agent.py"
    public var pythonVersion: PythonVersion = .default
    public var precompile = false
    public var checkBoot = false
    public var bootTimeout: Double = 30
    public var limits = PackageLimits()
    /// Where installed dependencies and bytecode are cached between builds.
    public var cacheDirectory: URL
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init(agentDirectory: URL, promptFile: URL? = nil, output: URL, cacheDirectory: URL) {
        self.agentDirectory = agentDirectory
        self.promptFile = promptFile
        self.output = output
        self.cacheDirectory = cacheDirectory
    }

    /// `$AGENTCORE_CACHE_DIR`, else `$XDG_CACHE_HOME/agentcore`, else `.cache/agentcore` in the
    /// current directory (the project's, ignored by git).
    public static func defaultCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["AGENTCORE_CACHE_DIR"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("agentcore")
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".cache/agentcore")
    }
}

/// The facts about a finished package that deploy and the `--json` output need.
public struct PackageManifest: Sendable, Equatable, Codable {
    public var path: String
    public var sha256: String
    public var compressedBytes: Int64
    public var uncompressedBytes: Int64
    public var fileCount: Int
    public var entryPoint: String
    public var pythonVersion: String?
    /// AgentCore's `codeConfiguration.runtime`, e.g. `PYTHON_3_11`.
    public var runtime: String?
    public var platform: String?
    public var dependencyHash: String?
    public var precompiled: Bool
    public var reusedEntries: Int
    public var bootSeconds: Double?
    /// Set by `PackageBuilder.upload`.
    public var upload: PackageUpload?

    /// The archive's facts; the build fills in what it knows about Python and dependencies.
    init(_ archive: ZipArchiveResult, entryPoint: String) {
        path = archive.path.path
        sha256 = archive.sha256
        compressedBytes = archive.compressedBytes
        uncompressedBytes = archive.uncompressedBytes
        fileCount = archive.fileCount
        self.entryPoint = entryPoint
        precompiled = false
        reusedEntries = archive.reusedEntries
    }
}

/// Builds the code zip AgentCore runs: ARM64 dependencies (cached), the agent's files and the
/// system prompt at the root, optional bytecode, limits checked, optionally a timed start-up of a
/// host-platform twin first. `deploy` calls `build` and uploads `manifest.path`.
public enum PackageBuilder {
    public static func build(_ options: PackageOptions, log: @Sendable (String) -> Void = { _ in }) async throws -> PackageManifest {
        let entry = options.agentDirectory.appendingPathComponent(options.entryPoint)
        guard FileManager.default.fileExists(atPath: entry.path) else {
            throw PackagingError.missingEntryPoint("\(options.entryPoint) (looked in \(options.agentDirectory.path))")
        }
        if let prompt = options.promptFile, !FileManager.default.fileExists(atPath: prompt.path) {
            throw PackagingError.unreadable(path: prompt.path, reason: "prompt file not found")
        }
        let toolchain = PythonToolchain(environment: options.environment)
        let installer = DependencyInstaller(cacheDirectory: options.cacheDirectory, toolchain: toolchain)
        let requirements = options.requirementsFile ?? options.agentDirectory.appendingPathComponent("requirements.txt")
        let hasRequirements = FileManager.default.fileExists(atPath: requirements.path)
        let python = options.precompile || options.checkBoot ? try await toolchain.python(options.pythonVersion) : nil

        // The start-up check comes first: a package that cannot boot is never written.
        var bootSeconds: Double?
        if options.checkBoot, let python {
            bootSeconds = try await checkBoot(
                options, python: python, installer: installer, requirements: hasRequirements ? requirements : nil, log: log)
        }

        var dependencies: InstalledDependencies?
        if hasRequirements {
            log("resolving ARM64 dependencies")
            dependencies = try await installer.install(
                requirements: requirements, python: options.pythonVersion, platform: .agentCore)
            log(dependencies!.fromCache ? "dependencies from cache (\(dependencies!.hash.prefix(12)))" : "dependencies installed (\(dependencies!.platform))")
        }
        let items = try await assemble(options, dependencies: dependencies, python: python)
        try options.limits.checkContents(items, entryPoint: options.entryPoint)
        let result = try await ZipArchiver(limits: options.limits).write(items, to: options.output)
        var manifest = PackageManifest(result, entryPoint: options.entryPoint)
        manifest.pythonVersion = options.pythonVersion.description
        manifest.runtime = options.pythonVersion.runtimeIdentifier
        manifest.platform = dependencies?.platform ?? "any"
        manifest.dependencyHash = dependencies?.hash
        manifest.precompiled = options.precompile
        manifest.bootSeconds = bootSeconds
        return manifest
    }

    /// Builds the host-platform twin (this machine's wheels, the same code, prompt and bytecode)
    /// in a temporary file and times its start-up.
    private static func checkBoot(
        _ options: PackageOptions, python: URL, installer: DependencyInstaller, requirements: URL?,
        log: @Sendable (String) -> Void
    ) async throws -> Double {
        var hostDependencies: InstalledDependencies?
        if let requirements {
            log("installing host dependencies for the start-up check")
            hostDependencies = try await installer.install(
                requirements: requirements, python: options.pythonVersion, platform: .host(python: python))
        }
        let twin = try await assemble(options, dependencies: hostDependencies, python: python)
        let twinURL = FileManager.default.temporaryDirectory.appendingPathComponent("agentcore-twin-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: twinURL) }
        _ = try await ZipArchiver(reuse: false).write(twin, to: twinURL)
        log("starting the host-platform twin (budget \(Int(options.bootTimeout)) s)")
        let report = try await BootChecker(python: python, entryPoint: options.entryPoint, budget: options.bootTimeout)
            .check(archive: twinURL)
        log(String(format: "GET /ping answered after %.2f s (as %@)", report.seconds, report.user))
        return report.seconds
    }

    /// `agentcore zip`: one directory as it is, under the same rules and limits.
    public static func zip(
        directory: URL, to output: URL, entryPoint: String = "agent.py", limits: PackageLimits = PackageLimits(),
        level: Int32 = Deflate.defaultLevel
    ) async throws -> PackageManifest {
        var contents = ArchiveContents()
        try contents.addTree(directory, rules: .standard)
        let items = contents.sortedItems
        try limits.checkContents(items, entryPoint: entryPoint)
        var archiver = ZipArchiver(limits: limits)
        archiver.level = level
        let result = try await archiver.write(items, to: output)
        return PackageManifest(result, entryPoint: entryPoint)
    }

    /// The package's entries: dependencies, the agent's files, the prompt, and bytecode if asked.
    private static func assemble(
        _ options: PackageOptions, dependencies: InstalledDependencies?, python: URL?
    ) async throws -> [ArchiveItem] {
        var contents = ArchiveContents()
        try contents.addTree(options.agentDirectory, rules: .agentSource)
        if let prompt = options.promptFile {
            try contents.addFile(prompt, as: "system_prompt.txt", replacing: true)
        }
        var agentOnly = contents.sortedItems
        var dependencyItems: [ArchiveItem] = []
        if let dependencies {
            var installed = ArchiveContents()
            try installed.addTree(dependencies.directory, rules: .installedDependencies)
            dependencyItems = installed.sortedItems
            try contents.add(dependencyItems)
        }
        guard options.precompile, let python else { return contents.sortedItems }

        // Bytecode is cached by what it is compiled from: the dependency set once per install,
        // the agent's few files whenever they change.
        let compiler = Precompiler(python: python, version: options.pythonVersion)
        let pycCache = options.cacheDirectory.appendingPathComponent("pyc")
        var bytecode: [ArchiveItem] = []
        if let dependencies {
            bytecode += try await compiler.compile(dependencyItems, into: pycCache.appendingPathComponent(dependencies.hash))
        }
        agentOnly.removeAll { !$0.path.hasSuffix(".py") }
        let agentKey = try Precompiler.sourceKey(agentOnly, version: options.pythonVersion)
        bytecode += try await compiler.compile(agentOnly, into: pycCache.appendingPathComponent("agent-\(agentKey)"))
        try contents.add(bytecode)
        return contents.sortedItems
    }
}
