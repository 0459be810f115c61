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
        let result = try await writePackage(options, dependencies: dependencies, python: python, to: options.output, log: log)
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
        let twinURL = FileManager.default.temporaryDirectory.appendingPathComponent("agentcore-twin-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: twinURL) }
        _ = try await writePackage(options, dependencies: hostDependencies, python: python, to: twinURL, reuse: false, log: log)
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

    /// The agent's entries (its files, the prompt, its bytecode if asked) after the dependency
    /// layer, limits checked before anything is written.
    private static func writePackage(
        _ options: PackageOptions, dependencies: InstalledDependencies?, python: URL?, to output: URL,
        reuse: Bool = true, log: @Sendable (String) -> Void
    ) async throws -> ZipArchiveResult {
        let items = try await agentItems(options, python: python)
        var archiver = ZipArchiver(reuse: reuse, limits: options.limits)
        var layer: DependencyLayer?
        if let dependencies {
            layer = try await dependencyLayer(dependencies, options, python: python, archiver: archiver, log: log)
        }
        try options.limits.checkContents(items, entryPoint: options.entryPoint, alongside: layer)
        archiver.limits = options.limits
        return try await archiver.write(items, to: output, after: layer)
    }

    /// The agent directory's files, the prompt as `system_prompt.txt`, and their bytecode.
    private static func agentItems(_ options: PackageOptions, python: URL?) async throws -> [ArchiveItem] {
        var contents = ArchiveContents()
        try contents.addTree(options.agentDirectory, rules: .agentSource)
        if let prompt = options.promptFile {
            try contents.addFile(prompt, as: "system_prompt.txt", replacing: true)
        }
        guard options.precompile, let python else { return contents.sortedItems }
        // Bytecode is cached by what it is compiled from: the agent's few files whenever they change.
        let sources = contents.sortedItems.filter { $0.path.hasSuffix(".py") }
        let compiler = Precompiler(python: python, version: options.pythonVersion)
        let key = try Precompiler.sourceKey(sources, version: options.pythonVersion)
        try contents.add(try await compiler.compile(sources, into: pycCache(options).appendingPathComponent("agent-\(key)")))
        return contents.sortedItems
    }

    /// The cached layer for this dependency set, built (walked, compiled if asked, compressed)
    /// the first time it is needed.
    private static func dependencyLayer(
        _ dependencies: InstalledDependencies, _ options: PackageOptions, python: URL?, archiver: ZipArchiver,
        log: @Sendable (String) -> Void
    ) async throws -> DependencyLayer {
        let bytecodeFor = options.precompile && python != nil ? options.pythonVersion : nil
        let location = DependencyLayer.location(
            cache: options.cacheDirectory, dependencyHash: dependencies.hash, level: archiver.level,
            timestamp: archiver.timestamp, bytecodeFor: bytecodeFor)
        if let layer = DependencyLayer.load(location) {
            DependencyLayer.markUsed(location)
            log("dependency layer from cache (\(layer.entries.count) entries)")
            return layer
        }
        var installed = ArchiveContents()
        try installed.addTree(dependencies.directory, rules: .installedDependencies)
        if let python, bytecodeFor != nil {
            let compiler = Precompiler(python: python, version: options.pythonVersion)
            try installed.add(try await compiler.compile(
                installed.sortedItems, into: pycCache(options).appendingPathComponent(dependencies.hash)))
        }
        var layerArchiver = archiver
        layerArchiver.reuse = false
        layerArchiver.limits = nil  // the package as a whole is checked
        _ = try await layerArchiver.write(installed.sortedItems, to: location)
        guard let layer = DependencyLayer.load(location) else {
            throw PackagingError.io(
                "the dependency layer just written to \(location.path) cannot be read back; check the disk and"
                    + " run the build again (deleting \(location.deletingLastPathComponent().path) is safe)")
        }
        log("dependency layer built (\(layer.entries.count) entries)")
        DependencyLayer.prune(location.deletingLastPathComponent(), keeping: DependencyLayer.layersKept)
        return layer
    }

    private static func pycCache(_ options: PackageOptions) -> URL {
        options.cacheDirectory.appendingPathComponent("pyc")
    }
}
