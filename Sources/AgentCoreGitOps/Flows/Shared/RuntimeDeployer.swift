import Foundation

/// The step both deploy flows share: package → upload → create or update → wait for READY →
/// copy the version's code to `v<k>`. Every part is safe to repeat: the upload is skipped when
/// the object is there, the create or update carries a client token derived from what it changes,
/// an unchanged package makes no version, and the `v<k>` copy is checked on every run.
public struct RuntimeDeployer: Sendable {
    public var agentCore: any AgentCoreControlClient
    public var waiter: AgentCoreWaiter
    public var s3: S3Client
    public var lookup: RuntimeLookup
    public var bucket: String
    public var roleArn: String
    /// Names this attempt of this workflow run (`GITHUB_RUN_ID`, `GITHUB_RUN_ATTEMPT`). A create
    /// token must not outlive the runtime it made: after `pr_<n>` is deleted, a reopened pull
    /// request with the same package would otherwise be answered with the deleted runtime.
    /// Duplicates across runs are prevented by the name, which AgentCore keeps unique.
    public var runIdentity: String
    public var log: @Sendable (String) -> Void

    public init(context: FlowContext) {
        let reporter = context.reporter
        let runIdentity = context.environment["GITHUB_RUN_ID"].flatMap { $0.isEmpty ? nil : $0 }
            .map { $0 + "." + (context.environment["GITHUB_RUN_ATTEMPT"] ?? "1") }
        self.init(
            agentCore: context.agentCore, waiter: context.waiter, s3: context.s3, lookup: RuntimeLookup(context: context),
            bucket: context.settings.bucket, roleArn: context.settings.roleArn, runIdentity: runIdentity,
            log: { reporter.info($0) })
    }

    /// `runIdentity` nil: this process is the attempt (`agentcore deploy`).
    public init(
        agentCore: any AgentCoreControlClient, waiter: AgentCoreWaiter, s3: S3Client, lookup: RuntimeLookup,
        bucket: String, roleArn: String, runIdentity: String?, log: @escaping @Sendable (String) -> Void
    ) {
        self.agentCore = agentCore
        self.waiter = waiter
        self.s3 = s3
        self.lookup = lookup
        self.bucket = bucket
        self.roleArn = roleArn
        self.runIdentity = runIdentity ?? UUID().uuidString
        self.log = log
    }

    /// Deploys `package` built with `settings` to `target`, whose latest version is `current`
    /// (nil when it does not exist yet; the caller found it and checked it is ours).
    /// `waitForReady` false (`agentcore deploy --no-wait`): the version is returned as it is now,
    /// and its `v<k>` copy is made at once (its artifact is known from the start).
    public func deploy(
        _ package: PackageManifest, settings: EnvironmentSettings, to target: DeploymentTarget, current: AgentRuntime?,
        waitForReady: Bool = true
    ) async throws -> RuntimeDeployment {
        let (deployment, _) = try await deploy(
            package, settings: settings, to: target, current: current, waitForReady: waitForReady, checking: { _ in })
        return deployment
    }

    /// Deploys as above and runs `check` on the READY version while its code is copied to `v<k>`:
    /// the copy of a large package takes a while, and a smoke test needs only the version.
    /// Both finish before this returns. The check's error is the one thrown; when the copy
    /// failed too, its error is logged (a re-run makes the copy).
    public func deploy<Checked: Sendable>(
        _ package: PackageManifest, settings: EnvironmentSettings, to target: DeploymentTarget, current: AgentRuntime?,
        waitForReady: Bool = true, checking check: @Sendable (AgentRuntime) async throws -> Checked
    ) async throws -> (RuntimeDeployment, Checked) {
        let packageLocation = S3Location(bucket: bucket, key: "\(target.runtimeName)/packages/\(package.sha256).zip")
        let desired = try await configuration(for: package, at: packageLocation, settings: settings, target: target)
        let base = try await settled(current)

        let version: (id: String, number: String)
        /// What that version runs: a kept version keeps its own ownership tag.
        let runs: AgentRuntimeConfiguration
        if let base, let kept = base.configuration, !base.needsNewVersion(for: desired) {
            log("\(target.runtimeName) version \(base.agentRuntimeVersion) already runs this package with these settings: no new version")
            version = (base.agentRuntimeId, base.agentRuntimeVersion)
            runs = kept
        } else {
            try await upload(package, to: packageLocation)
            try await PackageContentsRecord(s3: s3).store(package, beside: packageLocation)
            try await SentConfigurationRecord(s3: s3, bucket: bucket, runtimeName: target.runtimeName).storePending(desired)
            let tokenKey = try await ClientTokenKey(s3: s3, bucket: bucket, runtimeName: target.runtimeName).key()
            if target.role == .production {
                try await leaveDeclaration(of: desired, declared: settings.declared, base: base, target: target, key: tokenKey)
            }
            version = try await createOrUpdate(
                target, desired, tags: settings.tags, base: base, packageSHA256: package.sha256,
                settingsHash: try Self.hash(desired, tags: settings.tags, key: tokenKey))
            runs = desired
        }
        try await recordSettings(runs, of: version.number, declared: settings.declared, target: target)
        let deployed = waitForReady
            ? try await waitUntilReady(id: version.id, version: version.number, known: base)
            : try await agentCore.getAgentRuntime(id: version.id, version: version.number)
        async let copy = Result(awaiting: { try await ensureVersionCopy(of: deployed, target: target) })
        let checked = await Result(awaiting: { try await check(deployed) })
        // Both run to the end, errors or not: leaving this scope early would cancel the copy's
        // request in flight, and a cancelled URLSession request on Linux can leave its caller
        // waiting forever.
        let versionCopy = await copy
        if case .failure = checked, case .failure(let copyError) = versionCopy {
            log("the copy of version \(deployed.agentRuntimeVersion)'s code failed too: \(copyError)")
        }
        let result = try checked.get()
        let deployment = RuntimeDeployment(
            runtime: deployed, changed: deployed.agentRuntimeVersion != current?.agentRuntimeVersion,
            previousVersion: current?.agentRuntimeVersion, packageLocation: packageLocation, versionCopy: try versionCopy.get())
        return (deployment, result)
    }

    // MARK: Steps

    /// What a plan and a drift check compare with later: the configuration the version runs
    /// (values as digests, for drift) and, for prod, the same as git declared it (for the plan a
    /// pull request's role makes without reading prod's secrets).
    private func recordSettings(
        _ runs: AgentRuntimeConfiguration, of version: String, declared: EnvironmentSettings, target: DeploymentTarget
    ) async throws {
        try await SentConfigurationRecord(s3: s3, bucket: bucket, runtimeName: target.runtimeName).store(runs, version: version)
        guard target.role == .production else { return }
        try await DeclaredSettingsRecord(s3: s3, bucket: bucket, runtimeName: target.runtimeName)
            .store(.init(version: version, configuration: Self.declared(runs, as: declared), tags: declared.tags))
    }

    /// Before a prod create or update: the newest version gets its declared-settings record if
    /// the run that made it stopped before writing it (a pull request's plan compares with that
    /// record once the endpoint serves it), and this run leaves its own declaration the same way.
    private func leaveDeclaration(
        of desired: AgentRuntimeConfiguration, declared: EnvironmentSettings, base: AgentRuntime?, target: DeploymentTarget,
        key: String
    ) async throws {
        let records = DeclaredSettingsRecord(s3: s3, bucket: bucket, runtimeName: target.runtimeName)
        if let base { try await records.recordIfLeftPending(base, key: key) }
        try await records.storePending(Self.declared(desired, as: declared), tags: declared.tags, sending: desired, key: key)
    }

    /// `configuration` with its environment variables as git declares them, `${NAME}` as written.
    private static func declared(_ configuration: AgentRuntimeConfiguration, as declared: EnvironmentSettings) -> AgentRuntimeConfiguration {
        var copy = configuration
        copy.environmentVariables = declared.environmentVariables.isEmpty ? nil : declared.environmentVariables
        return copy.normalized
    }

    /// The whole configuration a version is made from; updates send all of it again.
    func configuration(
        for package: PackageManifest, at location: S3Location, settings: EnvironmentSettings, target: DeploymentTarget
    ) async throws -> AgentRuntimeConfiguration {
        try Self.configuration(
            for: package, at: location, settings: settings, roleArn: roleArn,
            description: try await lookup.identity.description(settings.description, role: target.role))
    }

    /// The same for any runtime, so a plan can say what a deploy to prod would send. `description`
    /// is the user's text with our ownership tag (`OwningRepository.description`).
    static func configuration(
        for package: PackageManifest, at location: S3Location, settings: EnvironmentSettings, roleArn: String, description: String
    ) throws -> AgentRuntimeConfiguration {
        let managedRuntime = try package.runtime ?? PythonVersion(package.pythonVersion ?? PythonVersion.default.description).runtimeIdentifier
        guard description.awsLength <= RuntimeOwnership.maxDescriptionLength else {
            throw ActionableError(
                "the runtime's description with its ownership tag is \(description.awsLength) characters; "
                    + "AgentCore allows \(RuntimeOwnership.maxDescriptionLength)",
                fix: "shorten the description in agentcore.json")
        }
        return settings.configuration(
            artifact: .code(
                S3CodeLocation(bucket: location.bucket, prefix: location.key), runtime: managedRuntime,
                entryPoint: [package.entryPoint]),
            roleArn: roleArn, description: description)
    }

    /// A version in progress (a racing run, or one that crashed while waiting) is waited for,
    /// so the decision below sees where it ended; a runtime being deleted counts as none.
    private func settled(_ runtime: AgentRuntime?) async throws -> AgentRuntime? {
        guard let runtime else { return nil }
        switch runtime.status {
        case .creating, .updating:
            log("\(runtime.agentRuntimeName) is \(runtime.status); waiting for it to settle first")
            try await waiter.runtimeSettled(id: runtime.agentRuntimeId)
            return try await agentCore.getAgentRuntime(id: runtime.agentRuntimeId)
        case .deleting:
            log("\(runtime.agentRuntimeName) is being deleted; waiting, then creating it anew")
            try await waiter.runtimeDeleted(id: runtime.agentRuntimeId)
            return nil
        default:
            return runtime
        }
    }

    /// Content-addressed, so it is written once and never overwritten, whoever races.
    private func upload(_ package: PackageManifest, to location: S3Location) async throws {
        let checksum = Self.base64Checksum(ofHex: package.sha256)
        if let existing = try await s3.headObject(bucket: location.bucket, key: location.key),
           existing.checksumSHA256 == nil || existing.checksumSHA256 == checksum {
            log("package already stored at \(location)")
            return
        }
        log("uploading \(package.compressedBytes.readableByteCount) to \(location)")
        let stored = try await s3.putObject(bucket: location.bucket, key: location.key, fileURL: URL(fileURLWithPath: package.path))
        guard stored.sha256Hex == package.sha256 else {
            throw ActionableError(
                "the package changed while it was uploaded (\(stored.sha256Hex) instead of \(package.sha256))",
                fix: "run the deployment again")
        }
    }

    private func createOrUpdate(
        _ target: DeploymentTarget, _ desired: AgentRuntimeConfiguration, tags: [String: String]?, base: AgentRuntime?,
        packageSHA256: String, settingsHash: String
    ) async throws -> (id: String, number: String) {
        guard let base else {
            do {
                let created = try await agentCore.createAgentRuntime(CreateAgentRuntimeRequest(
                    agentRuntimeName: target.runtimeName, configuration: desired, tags: tags,
                    clientToken: DeterministicClientToken.make(
                        "CreateAgentRuntime", target.runtimeName, runIdentity, packageSHA256, settingsHash)))
                log("created \(target.runtimeName) (\(created.agentRuntimeId)) version \(created.agentRuntimeVersion)")
                return (created.agentRuntimeId, created.agentRuntimeVersion)
            } catch let error as AWSError where error.isConflict {
                // Another run created it since we looked: add our version to that one.
                guard let appeared = try await settled(try await lookup.runtime(named: target.runtimeName, role: target.role))
                else { throw error }
                guard appeared.needsNewVersion(for: desired) else { return (appeared.agentRuntimeId, appeared.agentRuntimeVersion) }
                return try await update(appeared, desired, packageSHA256: packageSHA256, settingsHash: settingsHash)
            }
        }
        return try await update(base, desired, packageSHA256: packageSHA256, settingsHash: settingsHash)
    }

    private func update(
        _ base: AgentRuntime, _ desired: AgentRuntimeConfiguration, packageSHA256: String, settingsHash: String
    ) async throws -> (id: String, number: String) {
        let request = UpdateAgentRuntimeRequest(
            agentRuntimeId: base.agentRuntimeId, configuration: desired,
            clientToken: DeterministicClientToken.make(
                "UpdateAgentRuntime", base.agentRuntimeId, base.agentRuntimeVersion, packageSHA256, settingsHash))
        let updated = try await agentCore.updateAgentRuntime(request)
        log("\(base.agentRuntimeName) (\(updated.agentRuntimeId)) has new version \(updated.agentRuntimeVersion)")
        return (updated.agentRuntimeId, updated.agentRuntimeVersion)
    }

    private func waitUntilReady(id: String, version: String, known: AgentRuntime?) async throws -> AgentRuntime {
        if let known, known.agentRuntimeId == id, known.agentRuntimeVersion == version, known.status == .ready {
            return known
        }
        log("waiting for \(id) version \(version) to become READY")
        do {
            return try await waiter.runtimeReady(id: id, version: version)
        } catch let error as WaiterError {
            throw ActionableError(
                error.problem,
                fix: {
                    if case .timedOut = error.kind { return "it may still finish: run the workflow again later to pick it up" }
                    return "look at the runtime's logs in CloudWatch, fix the agent, and push again"
                }())
        }
    }

    /// `<name>/v<k>/code.zip` must hold version k's code, whichever run made version k, so it is
    /// copied from the artifact version k points at, and checked on every run.
    private func ensureVersionCopy(of runtime: AgentRuntime, target: DeploymentTarget) async throws -> S3Location {
        let destination = S3Location(bucket: bucket, key: "\(target.runtimeName)/v\(runtime.agentRuntimeVersion)/code.zip")
        guard let code = runtime.agentRuntimeArtifact?.codeConfiguration?.code.s3 else {
            throw ActionableError(
                "\(runtime.agentRuntimeName) version \(runtime.agentRuntimeVersion) does not run a code zip from S3",
                fix: "this tool deploys code zips only; use another name for container runtimes")
        }
        let source = S3Location(bucket: code.bucket, key: code.prefix)
        var expected = Self.contentAddressedChecksum(source.key)
        if expected == nil {
            expected = try await s3.headObject(bucket: source.bucket, key: source.key)?.checksumSHA256
        }
        if let existing = try await s3.headObject(bucket: destination.bucket, key: destination.key),
           let expected, existing.checksumSHA256 == expected {
            return destination
        }
        try await s3.copyObject(from: source, to: destination)
        log("stored version \(runtime.agentRuntimeVersion)'s code at \(destination)")
        return destination
    }

    // MARK: Helpers

    /// What a client token says of the settings: environment variable values digested under the
    /// runtime's `ClientTokenKey`, so the token cannot be checked against guessed secrets.
    static func hash(_ configuration: AgentRuntimeConfiguration, tags: [String: String]? = nil, key: String) throws -> String {
        var bytes = try AgentCoreJSON.encoder.encode(configuration.keyedDigests(key: key))
        if let tags, !tags.isEmpty { bytes += try AgentCoreJSON.encoder.encode(tags) }
        return SHA256Hasher.hash(bytes).hexString
    }

    /// The checksum S3 reports for an object whose key is `.../packages/<sha256 hex>.zip`.
    static func contentAddressedChecksum(_ key: String) -> String? {
        guard let match = key.firstMatch(of: /\/packages\/([0-9a-f]{64})\.zip$/) else { return nil }
        return base64Checksum(ofHex: String(match.1))
    }

    static func base64Checksum(ofHex hex: String) -> String {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }
}
