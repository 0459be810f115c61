import AgentCoreGitOps
import ArgumentParser
import Foundation

/// `agentcore zip`'s output option (`package` takes the global options, for --upload's region).
struct ManifestOutput: ParsableArguments {
    @Flag(help: "Print the package manifest as JSON instead of a summary.")
    var json = false
}

enum ManifestPrinter {
    static func print(_ manifest: PackageManifest, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(String(decoding: try encoder.encode(manifest), as: UTF8.self))
            return
        }
        Swift.print("\(manifest.path)")
        Swift.print("  sha256        \(manifest.sha256)")
        Swift.print("  size          \(manifest.compressedBytes) bytes (\(manifest.uncompressedBytes) uncompressed, \(manifest.fileCount) files)")
        if let runtime = manifest.runtime, let platform = manifest.platform {
            Swift.print("  runtime       \(runtime) on \(platform)")
        }
        if let distributions = manifest.distributions, !distributions.isEmpty {
            Swift.print("  dependencies  \(distributions.map(\.description).joined(separator: ", "))")
        }
        if let boot = manifest.bootSeconds { Swift.print(String(format: "  boot          GET /ping answered 200 after %.2f s", boot)) }
        if let upload = manifest.upload {
            Swift.print("  uploaded to   \(upload.location)" + (upload.versionId.map { " (version \($0))" } ?? ""))
        }
    }
}

/// How `package` and `deploy` build the agent's code zip.
struct BuildOptions: ParsableArguments {
    @Option(help: "The agent's directory (entry point, requirements.txt, agentcore.json).")
    var agent = "agent"

    @Option(help: "A prompt file, packaged as system_prompt.txt.")
    var prompt: String?

    @Flag(help: "Ship unchecked-hash .pyc files compiled by the runtime's Python version.")
    var precompile = false

    @Flag(help: "Start a host-platform twin as an unprivileged user and time GET /ping first.")
    var checkBoot = false

    @Option(help: "Seconds the start-up check allows before failing.")
    var bootTimeout: Double = 30

    @Option(help: "Dependency and bytecode cache (default: $AGENTCORE_CACHE_DIR, $XDG_CACHE_HOME/agentcore or .cache/agentcore).")
    var cacheDir: String?

    func validate() throws {
        guard bootTimeout > 0 else { throw ValidationError("--boot-timeout must be positive") }
    }

    var agentDirectory: URL { URL(fileURLWithPath: agent) }
    var promptFile: URL? { prompt.map { URL(fileURLWithPath: $0) } }
    var cacheDirectory: URL { cacheDir.map { URL(fileURLWithPath: $0) } ?? PackageOptions.defaultCacheDirectory() }

    /// Build progress, on stderr so `--json` output stays one object.
    @Sendable static func log(_ line: String) {
        FileHandle.standardError.write(Data("agentcore: \(line)\n".utf8))
    }
}

struct ZipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zip",
        abstract: "Archive a directory as an AgentCore code zip (sorted, fixed timestamps, 0644/0755).")

    @Argument(help: "The directory to archive; its contents go at the zip root.")
    var directory: String

    @Argument(help: "The zip file to write.")
    var output: String

    @Option(help: "The file that must sit at the zip root.")
    var entryPoint = "agent.py"

    @Option(help: "Deflate level, 1 (fastest) to 9 (smallest).")
    var level = Int(Deflate.defaultLevel)

    @OptionGroup var manifest: ManifestOutput

    func validate() throws {
        guard (1...9).contains(level) else { throw ValidationError("--level must be between 1 and 9") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("'\(directory)' is not a directory")
        }
    }

    func run() async throws {
        let result = try await PackageBuilder.zip(
            directory: URL(fileURLWithPath: directory), to: URL(fileURLWithPath: output), entryPoint: entryPoint,
            level: Int32(level))
        try ManifestPrinter.print(result, json: manifest.json)
    }
}

struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build the agent's code zip: ARM64 dependencies, agent and prompt at the root, limits checked.")

    @OptionGroup var build: BuildOptions

    @Option(help: "Where to write the zip.")
    var out = "build/code.zip"

    @Option(help: "The entry point at the zip root.")
    var entryPoint = "agent.py"

    @Option(help: "The runtime's Python version (3.10 to 3.14).")
    var pythonVersion = PythonVersion.default.description

    @Option(help: ArgumentHelp(
        "The dependencies: a requirements file or a uv.lock (default: the agent's requirements.txt, else its uv.lock).",
        valueName: "file"))
    var requirements: String?

    @Option(help: ArgumentHelp("A uv.toml for uv to use (default: none; uv runs with --no-config).", valueName: "file"))
    var uvConfig: String?

    @Option(help: ArgumentHelp(
        "After building, upload to s3://BUCKET/KEY (or KEY in $AGENTCORE_S3_BUCKET) with the AWS settings.", valueName: "s3-uri"))
    var upload: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        _ = try PythonVersion(pythonVersion)
        _ = try uploadLocation
    }

    var uploadLocation: S3Location? {
        get throws { try upload.map { try Settings.s3Location($0, option: "--upload", what: "an upload location") } }
    }

    func run() async throws {
        var options = PackageOptions(
            agentDirectory: build.agentDirectory, promptFile: build.promptFile, output: URL(fileURLWithPath: out),
            cacheDirectory: build.cacheDirectory)
        options.entryPoint = entryPoint
        options.pythonVersion = try PythonVersion(pythonVersion)
        options.requirementsFile = requirements.map { URL(fileURLWithPath: $0) }
        options.uvConfig = uvConfig.map { URL(fileURLWithPath: $0) }
        options.precompile = build.precompile
        options.checkBoot = build.checkBoot
        options.bootTimeout = build.bootTimeout
        // AWS settings are resolved before the build, so a missing credential fails at once.
        let destination = try uploadLocation.map { ($0, try Services(global)) }
        var result = try await PackageBuilder.build(options, log: BuildOptions.log)
        if let (location, services) = destination {
            BuildOptions.log("uploading to \(location)")
            result = try await PackageBuilder.upload(result, to: location, s3: services.s3)
        }
        try ManifestPrinter.print(result, json: global.json)
    }
}
