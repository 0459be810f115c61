import Foundation

/// What to build: the agent's directory, the prompt, where the zip goes and how far to check it.
public struct PackageOptions: Sendable {
    public var agentDirectory: URL
    /// Packaged as `system_prompt.txt` at the zip root, replacing one in the agent directory.
    public var promptFile: URL?
    /// The dependencies to install: a requirements file, or a `uv.lock` (with its pyproject.toml).
    /// When nil: `requirements.txt` in the agent directory, else its `uv.lock`, else none.
    public var requirementsFile: URL?
    /// A `uv.toml` for uv (agentcore.json's `uvConfig`); nil runs uv with `--no-config`.
    public var uvConfig: URL?
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
    /// Every installed distribution (also inside the zip, `PackageContents.path`); nil for `zip`.
    public var distributions: [Distribution]?
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
        let installer = DependencyInstaller(
            cacheDirectory: options.cacheDirectory, toolchain: toolchain, configFile: try validatedUVConfig(options))
        let source = dependencySource(options)
        let python = options.precompile || options.checkBoot ? try await toolchain.python(options.pythonVersion) : nil

        // The start-up check comes first: a package that cannot boot is never written.
        var bootSeconds: Double?
        if options.checkBoot, let python {
            bootSeconds = try await checkBoot(options, python: python, installer: installer, source: source, log: log)
        }

        var dependencies: InstalledDependencies?
        if let source {
            dependencies = try await installer.install(source, python: options.pythonVersion, platform: .agentCore, log: log)
            log(dependencies!.fromCache
                ? "dependencies from cache (\(dependencies!.hash.prefix(12)))"
                : "dependencies installed (\(dependencies!.platform), \(dependencies!.distributions.count) distributions)")
        }
        let written = try await writePackage(options, dependencies: dependencies, python: python, to: options.output, log: log)
        var manifest = PackageManifest(written.archive, entryPoint: options.entryPoint)
        manifest.pythonVersion = options.pythonVersion.description
        manifest.runtime = options.pythonVersion.runtimeIdentifier
        manifest.platform = written.contents.platform
        manifest.dependencyHash = dependencies?.hash
        manifest.distributions = written.contents.distributions
        manifest.precompiled = options.precompile
        manifest.bootSeconds = bootSeconds
        return manifest
    }

    /// Where the dependencies are declared, if anywhere.
    static func dependencySource(_ options: PackageOptions) -> DependencySource? {
        if let file = options.requirementsFile { return DependencySource(file: file) }
        for name in ["requirements.txt", "uv.lock"] {
            let file = options.agentDirectory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: file.path) { return DependencySource(file: file) }
        }
        return nil
    }

    /// The uv configuration must be a `uv.toml`-style file that exists; uv itself checks its content.
    static func validatedUVConfig(_ options: PackageOptions) throws -> URL? {
        guard let config = options.uvConfig else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: config.path, isDirectory: &isDirectory) else {
            throw PackagingError.invalidUVConfig(path: config.path, reason: "does not exist")
        }
        guard !isDirectory.boolValue, config.pathExtension == "toml", config.lastPathComponent != "pyproject.toml" else {
            throw PackagingError.invalidUVConfig(
                path: config.path, reason: "is not a uv.toml file (uv takes [tool.uv] settings only from a project's own pyproject.toml)")
        }
        return config
    }

    /// Builds the host-platform twin (this machine's wheels, the same code, prompt and bytecode)
    /// in a temporary file and times its start-up.
    private static func checkBoot(
        _ options: PackageOptions, python: URL, installer: DependencyInstaller, source: DependencySource?,
        log: @Sendable (String) -> Void
    ) async throws -> Double {
        var hostDependencies: InstalledDependencies?
        if let source {
            log("installing host dependencies for the start-up check")
            hostDependencies = try await installer.install(source, python: options.pythonVersion, platform: .host(python: python), log: log)
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

    /// The agent's entries (its files, the prompt, its bytecode if asked, the manifest) after the
    /// dependency layer; native code for other machines refused and limits checked before anything
    /// is written. The host-platform twin (`dependencies.platform == "host"`) skips the platform check.
    private static func writePackage(
        _ options: PackageOptions, dependencies: InstalledDependencies?, python: URL?, to output: URL,
        reuse: Bool = true, log: @Sendable (String) -> Void
    ) async throws -> (archive: ZipArchiveResult, contents: PackageContents) {
        let forAgentCore = dependencies?.platform != "host"
        let ignoreFile = try IgnoreFile.load(agentDirectory: options.agentDirectory)
        let contents = PackageContents(
            entryPoint: options.entryPoint, python: options.pythonVersion, platform: dependencies?.platform ?? "any",
            dependencyHash: dependencies?.hash, distributions: dependencies?.distributions ?? [],
            ignorePatterns: ignoreFile?.patterns ?? [])
        let items = try await agentItems(
            options, python: python, ignoreFile: ignoreFile, dependencyInputs: dependencies?.inputFiles ?? [],
            manifest: try contents.file(in: options.cacheDirectory))
        if forAgentCore {
            let problems = NativeCodeCheck.problems(in: items, python: options.pythonVersion)
            guard problems.isEmpty else { throw PackagingError.wrongPlatformCode(files: problems, python: "\(options.pythonVersion)") }
        }
        var limits = options.limits
        limits.owners = dependencies?.owners ?? [:]
        let archiver = ZipArchiver(reuse: reuse, limits: limits)
        var layer: DependencyLayer?
        if let dependencies {
            layer = try await dependencyLayer(
                dependencies, options, python: python, archiver: archiver, checkPlatform: forAgentCore, log: log)
        }
        try limits.checkContents(items, entryPoint: options.entryPoint, alongside: layer)
        return (try await archiver.write(items, to: output, after: layer), contents)
    }

    /// The agent directory's files (less `.agentcoreignore`'s and the files that declare the
    /// dependencies), the prompt as `system_prompt.txt`, their bytecode and the manifest.
    private static func agentItems(
        _ options: PackageOptions, python: URL?, ignoreFile: IgnoreFile?, dependencyInputs: [String], manifest: URL
    ) async throws -> [ArchiveItem] {
        var rules = ExclusionRules.agentSource
        rules.ignoreFile = ignoreFile
        rules.paths = relativePaths(dependencyInputs + [options.uvConfig?.path].compactMap { $0 }, inside: options.agentDirectory)
        rules.paths.insert(IgnoreFile.fileName)
        var contents = ArchiveContents()
        try contents.addTree(options.agentDirectory, rules: rules)
        if let prompt = options.promptFile {
            try contents.addFile(prompt, as: "system_prompt.txt", replacing: true)
        }
        try contents.addFile(manifest, as: PackageContents.path)
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
        checkPlatform: Bool, log: @Sendable (String) -> Void
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
        // Checked once per dependency set: a layer in the cache has passed.
        if checkPlatform {
            let problems = NativeCodeCheck.problems(in: installed.sortedItems, python: options.pythonVersion)
            guard problems.isEmpty else { throw PackagingError.wrongPlatformCode(files: problems, python: "\(options.pythonVersion)") }
        }
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

    /// Paths relative to `directory` of those files that are inside it.
    private static func relativePaths(_ files: [String], inside directory: URL) -> Set<String> {
        guard let root = ArchiveContents.realPath(directory.path) else { return [] }
        return Set(files.compactMap { file in
            guard let real = ArchiveContents.realPath(file), real.hasPrefix(root + "/") else { return nil }
            return String(real.dropFirst(root.count + 1))
        })
    }

    private static func pycCache(_ options: PackageOptions) -> URL {
        options.cacheDirectory.appendingPathComponent("pyc")
    }
}
