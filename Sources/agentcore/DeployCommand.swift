import AgentCoreGitOps
import ArgumentParser
import Foundation

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Package the agent, upload it, and create or update a runtime with it; wait until READY.",
        discussion: """
            The runtime's settings (entry point, Python version, environment variables, lifecycle, \
            network, protocol, description) come from the agent's agentcore.json. The code is stored \
            once at s3://BUCKET/<name>/packages/<sha256>.zip and version k's code at \
            s3://BUCKET/<name>/v<k>/code.zip, as the workflows store it. A package and settings equal \
            to the runtime's latest version make no new version. Names pr_<n> belong to the \
            pull-request workflow and are refused. Safe to run again.
            """)

    @Argument(help: "The runtime's name: letters, digits and underscores, starting with a letter.")
    var name: String

    @OptionGroup var build: BuildOptions

    @Option(help: ArgumentHelp("Where to keep the zip (default: build/<name>.zip).", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("The bucket that stores code zips (default: $AGENTCORE_S3_BUCKET).", valueName: "bucket"))
    var bucket: String?

    @OptionGroup var role: RoleOption

    @Option(help: ArgumentHelp(
        "The repository named in a new runtime's ownership tag (default: $GITHUB_REPOSITORY, else \(ManualDeployment.localRepository)).",
        valueName: "owner/name"))
    var repository: String?

    @OptionGroup var repositoryID: RepositoryIDOption
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try ManualDeployment.checkName(name)
        _ = try deploymentSettings
        _ = try ownerRepository
        _ = try agentSettings
    }

    func run() async throws {
        let services = try Services(options)  // no credentials or region: fails before any request
        let settings = try deploymentSettings
        let destination = try await ManualDeployment.target(
            named: name, lookup: RuntimeLookup(agentCore: services.control, identity: try ownerIdentity))

        var source = AgentSource(
            directory: build.agentDirectory.standardizedFileURL, settings: try agentSettings,
            cacheDirectory: build.cacheDirectory, checkBoot: build.checkBoot)
        source.precompile = build.precompile
        source.bootTimeout = build.bootTimeout
        source.promptOverride = build.promptFile
        var package = try await source.build(for: name, log: BuildOptions.log)
        package.path = try keep(package.path)

        let deployer = RuntimeDeployer(
            agentCore: services.control, waiter: services.waiter(wait), s3: services.s3, lookup: destination.lookup,
            bucket: settings.bucket, roleArn: settings.roleArn, runIdentity: nil, log: BuildOptions.log)
        let deployment = try await deployer.deploy(
            package, settings: try source.runtimeSettings(for: destination.target.role), to: destination.target, current: destination.current, waitForReady: wait.wait)
        let manifest = DeployManifest(package: package, deployment: deployment)
        try services.output.emit(manifest, text: manifest.text)
    }

    /// The build's private link becomes `--out`, so the zip deployed stays for inspection.
    private func keep(_ built: String) throws -> String {
        let destination = URL(fileURLWithPath: out ?? "build/\(name).zip")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
        try FileManager.default.moveItem(at: URL(fileURLWithPath: built), to: destination)
        return destination.path
    }

    /// Role and bucket from the flags, else the environment, checked as the workflows check them.
    private var deploymentSettings: DeploymentSettings {
        get throws {
            var environment = ProcessInfo.processInfo.environment
            if let roleArn = role.roleArn { environment["AGENTCORE_ROLE_ARN"] = roleArn }
            if let bucket { environment["AGENTCORE_S3_BUCKET"] = bucket }
            do {
                return try DeploymentSettings.fromEnvironment(environment)
            } catch let error as SettingsError {
                throw ActionableError(error.problems.joined(separator: "; "),
                               fix: "pass --role-arn and --bucket, or set AGENTCORE_ROLE_ARN and AGENTCORE_S3_BUCKET")
            }
        }
    }

    private var ownerRepository: String {
        get throws {
            let text = repository ?? Settings.value("GITHUB_REPOSITORY") ?? ManualDeployment.localRepository
            guard text.wholeMatch(of: /[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+/) != nil else {
                throw ActionableError("'\(text)' is not a repository name", fix: "give it as owner/name, e.g. --repository octo/agent")
            }
            return text
        }
    }

    /// The repository a new runtime's tag names, with its id when one is given or GitHub can say.
    private var ownerIdentity: OwningRepository {
        get throws {
            let name = try ownerRepository
            // The stand-in name has no repository behind it, so no id either.
            guard name != ManualDeployment.localRepository else { return OwningRepository(name: name, id: nil, github: nil) }
            var environment = ProcessInfo.processInfo.environment
            environment["GITHUB_REPOSITORY"] = name
            let github = Settings.value("GITHUB_TOKEN") ?? Settings.value("GH_TOKEN") == nil
                ? nil : try GitHubClient(environment: environment)
            return OwningRepository(name: name, id: try repositoryID.given, github: github)
        }
    }

    private var agentSettings: RuntimeSettings {
        get throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: build.agent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ActionableError("the agent directory \(build.agent) does not exist",
                                      fix: "run from the repository root, or pass --agent with the directory that holds agent.py")
            }
            if let prompt = build.prompt, !FileManager.default.fileExists(atPath: prompt) {
                throw ActionableError("the prompt file \(prompt) does not exist", fix: "correct --prompt")
            }
            return try RuntimeSettings.load(agentDirectory: build.agentDirectory.standardizedFileURL)
        }
    }
}

/// What `agentcore deploy` prints: the package manifest's fields, then the runtime's.
struct DeployManifest: Encodable {
    var package: PackageManifest
    var deployment: RuntimeDeployment

    private enum CodingKeys: String, CodingKey {
        case agentRuntimeId, agentRuntimeName, agentRuntimeVersion, status, changed, previousVersion, packageLocation, versionCopy
    }

    func encode(to encoder: any Encoder) throws {
        try package.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deployment.runtimeID, forKey: .agentRuntimeId)
        try container.encode(deployment.runtime.agentRuntimeName, forKey: .agentRuntimeName)
        try container.encode(deployment.version, forKey: .agentRuntimeVersion)
        try container.encode(deployment.runtime.status.rawValue, forKey: .status)
        try container.encode(deployment.changed, forKey: .changed)
        try container.encodeIfPresent(deployment.previousVersion, forKey: .previousVersion)
        try container.encode(deployment.packageLocation.description, forKey: .packageLocation)
        try container.encode(deployment.versionCopy.description, forKey: .versionCopy)
    }

    var text: String {
        let runtime = deployment.runtime
        var lines = [
            deployment.changed
                ? "\(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) version \(runtime.agentRuntimeVersion): \(runtime.status)"
                : "\(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) version \(runtime.agentRuntimeVersion) already runs this package: no new version",
            "  package  \(package.path)",
            "  sha256   \(package.sha256) (\(package.compressedBytes) bytes, \(package.fileCount) files)",
            "  code     \(deployment.packageLocation)",
            "  copy     \(deployment.versionCopy)",
        ]
        if let boot = package.bootSeconds { lines.append(String(format: "  boot     GET /ping answered 200 after %.2f s", boot)) }
        return lines.joined(separator: "\n")
    }
}

/// The rules that keep a hand deployment from taking over runtimes the workflows own, or
/// making one the workflows would delete.
enum ManualDeployment {
    /// Named in the ownership tag when neither --repository nor GITHUB_REPOSITORY says otherwise.
    static let localRepository = "local/manual"

    /// What to deploy to: the runtime, its latest version if it exists, and the lookup whose
    /// repository goes into the ownership tag.
    struct Target {
        var target: DeploymentTarget
        var current: AgentRuntime?
        var lookup: RuntimeLookup
    }

    static func checkName(_ name: String) throws {
        try AgentCoreValidation.checkName(name)
        if let number = RuntimeOwnership.pullRequestNumber(ofRuntimeName: name) {
            throw ActionableError(
                "\(name) is the name of pull request #\(number)'s runtime, which the pull-request workflow creates, "
                    + "updates and deletes",
                fix: "push to the pull request to deploy it there, or deploy by hand under another name, e.g. manual_\(number)")
        }
    }

    /// A new runtime is tagged as a manual deployment, which the flows never delete. An existing
    /// runtime keeps the tag it has (a workflow's `prod` stays the workflow's; one of this
    /// repository gains its id); one without our tag is someone else's and is left alone.
    static func target(named name: String, lookup: RuntimeLookup) async throws -> Target {
        guard let current = try await lookup.anyRuntime(named: name) else {
            return Target(target: DeploymentTarget(runtimeName: name, role: .manual), current: nil, lookup: lookup)
        }
        guard let owner = RuntimeOwnership.owner(fromDescription: current.description) else {
            throw ActionableError(
                "runtime \(name) (\(current.agentRuntimeId)) exists but was not created by agentcore-gitops "
                    + "(its description has no ownership tag), so deploy leaves it alone",
                fix: "add a version with `agentcore runtime update \(name) --code ...`, or deploy under another name")
        }
        if owner.role == .production {
            progress("note: \(name) is the prod runtime of \(owner.repository); this adds a version outside the approval gate "
                + "(the prod endpoint stays where it is)")
        }
        let identity = try await lookup.identity.owns(owner)
            ? lookup.identity : OwningRepository(name: owner.repository, id: owner.repositoryID, github: nil)
        return Target(
            target: DeploymentTarget(runtimeName: name, role: owner.role), current: current,
            lookup: RuntimeLookup(agentCore: lookup.agentCore, identity: identity))
    }
}
