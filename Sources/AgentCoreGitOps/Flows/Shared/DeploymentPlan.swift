import Foundation

/// What a change does to prod, against the version the prod endpoint serves now: the code
/// (package SHA-256), the dependencies (from the packages' manifests), every setting that changes
/// (secrets redacted) and warnings for changes that hurt running users. pr-deploy puts it in the
/// sticky comment, prod-deploy in the deployment issue.
public struct DeploymentPlan: Sendable, Equatable {
    public var runtimeName: String
    public var endpointName: String
    /// The version the endpoint serves; nil when prod serves nothing yet.
    public var liveVersion: String?
    public var oldPackageSHA256: String?
    public var newPackageSHA256: String
    /// Nil when what prod runs has no manifest to compare with.
    public var dependencyChanges: [DependencyChange]?
    public var settingChanges: [SettingChange]
    public var warnings: [String]

    public var changesNothing: Bool {
        liveVersion != nil && oldPackageSHA256 == newPackageSHA256 && settingChanges.isEmpty
    }

    /// What the prod endpoint serves, as a plan compares it: the version, its configuration and
    /// the tags git declared for it.
    struct Served: Sendable {
        var version: String
        var configuration: AgentRuntimeConfiguration
        var tags: [String: String]?
    }

    /// prod-deploy's plan: `settings` (prod's, resolved) against the version the prod endpoint
    /// serves as AWS returns it (nil `prod`: none yet). Its role reads prod's configuration anyway.
    static func againstLiveProd(
        context: FlowContext, package: PackageManifest, settings: EnvironmentSettings, prod: AgentRuntime?
    ) async throws -> DeploymentPlan {
        var served: Served?
        if let live = try await liveVersion(of: prod, context: context), let configuration = live.configuration {
            let declared = try await declaredRecord(context: context, version: live.agentRuntimeVersion)
            served = Served(version: live.agentRuntimeVersion, configuration: configuration, tags: declared?.tags)
        }
        return try await compare(context: context, package: package, settings: settings, with: served)
    }

    /// pr-deploy's plan: prod's settings as git declares them (`${NAME}` as written) against the
    /// record of what git declared for the version the prod endpoint serves. The pull-request
    /// role never reads prod's configuration (it holds prod's secrets resolved): only the
    /// endpoint, which says the version, and that record.
    static func againstProdRecord(
        context: FlowContext, package: PackageManifest, declaredSettings settings: EnvironmentSettings
    ) async throws -> DeploymentPlan {
        let names = context.settings
        var served: Served?
        if let summary = try await context.agentCore.findRuntime(named: names.prodRuntimeName) {
            guard let tag = RuntimeOwnership.owner(fromDescription: summary.description), tag.role == .production,
                  try await context.owningRepository.owns(tag)
            else {
                throw ActionableError(
                    "runtime \(names.prodRuntimeName) (\(summary.agentRuntimeId)) was not created by agentcore-gitops for this repository",
                    fix: "set AGENTCORE_PROD_RUNTIME to this repository's prod runtime")
            }
            if let endpoint = try await context.agentCore.findEndpoint(runtimeId: summary.agentRuntimeId, name: names.prodEndpointName),
               let version = endpoint.liveVersion ?? endpoint.targetVersion {
                guard let record = try await declaredRecord(context: context, version: version) else {
                    throw ActionableError(
                        "\(names.prodRuntimeName) version \(version) has no settings record "
                            + "(s3://\(names.bucket)/\(names.prodRuntimeName)/deployed/versions/\(version).json)",
                        fix: "versions deployed by older releases of agentcore-gitops have none, and a version whose deploy "
                            + "stopped before recording it gets one from the next prod deploy; until then the plan is not shown")
                }
                served = Served(version: version, configuration: record.configuration, tags: record.tags)
            }
        }
        return try await compare(context: context, package: package, settings: settings, with: served)
    }

    /// The version the prod endpoint serves, with its configuration; nil when there is none yet.
    private static func liveVersion(of prod: AgentRuntime?, context: FlowContext) async throws -> AgentRuntime? {
        guard let runtime = prod,
              let endpoint = try await context.agentCore.findEndpoint(
                runtimeId: runtime.agentRuntimeId, name: context.settings.prodEndpointName),
              let version = endpoint.liveVersion ?? endpoint.targetVersion
        else { return nil }
        return try await context.agentCore.getAgentRuntime(id: runtime.agentRuntimeId, version: version)
    }

    private static func declaredRecord(context: FlowContext, version: String) async throws -> DeclaredSettingsRecord.Record? {
        let names = context.settings
        return try await DeclaredSettingsRecord(s3: context.s3, bucket: names.bucket, runtimeName: names.prodRuntimeName)
            .read(version: version)
    }

    /// What `package` and `settings` would make, against `served` (nil: prod serves nothing yet).
    private static func compare(
        context: FlowContext, package: PackageManifest, settings: EnvironmentSettings, with served: Served?
    ) async throws -> DeploymentPlan {
        let names = context.settings
        let target = DeploymentTarget(runtimeName: names.prodRuntimeName, role: .production)
        let lookup = RuntimeLookup(context: context)
        let location = S3Location(bucket: names.bucket, key: "\(target.runtimeName)/packages/\(package.sha256).zip")
        let desired = try RuntimeDeployer.configuration(
            for: package, at: location, settings: settings, roleArn: names.roleArn,
            description: try await lookup.identity.description(settings.description, role: target.role))
        let servedCode = served?.configuration.agentRuntimeArtifact.codeConfiguration?.code.s3
        var servedContents: PackageContents?
        if let code = servedCode {
            do {
                servedContents = try await PackageContentsRecord(s3: context.s3)
                    .read(forPackageAt: S3Location(bucket: code.bucket, key: code.prefix))
            } catch let error as AWSError where error.isAccessDenied {
                throw error  // a missing grant the plan's note names, not a package without a manifest
            } catch {
                servedContents = nil
            }
        }
        let diff = SettingsDiff(
            redactor: SecretRedactor(secrets: settings.secretValues + SecretRedactor(environment: context.environment).secrets))
        let changes = diff.changes(from: served?.configuration, to: desired)
            + (served == nil ? [] : SettingsDiff.tagChanges(from: served?.tags, to: settings.tags))
        return DeploymentPlan(
            runtimeName: target.runtimeName, endpointName: names.prodEndpointName, liveVersion: served?.version,
            oldPackageSHA256: servedCode.flatMap { packageSHA256(ofKey: $0.prefix) },
            newPackageSHA256: package.sha256,
            dependencyChanges: served == nil
                ? DependencyChange.between([], package.distributions ?? [])
                : servedContents.map { DependencyChange.between($0.distributions, package.distributions ?? []) },
            settingChanges: changes,
            warnings: warnings(live: served?.configuration, desired: desired, changes: changes))
    }

    /// What a pull request's comment says instead of a plan when its job's role may not read prod:
    /// the action refused and the grant to add, never AWS's message (it names the account and role).
    static func prodNotReadable(_ error: AWSError, runtimeName: String) -> String {
        let action = error.iamAction.map { "`\($0)`" } ?? "`\(error.operation)`"
        return "prod not readable: this job's AWS role may not call \(action) on `\(runtimeName)`, so what merging would "
            + "change there is not shown. Fix: add the statements `ProdEndpointReadOnlyForThePlan` and "
            + "`ProdSettingsRecordsForThePlan` that `agentcore setup policies` prints to the pull-request role "
            + "(docs/setup.md, step 5). The pull request's own runtime is deployed either way."
    }

    /// `<name>/packages/<sha256>.zip` names its content.
    static func packageSHA256(ofKey key: String) -> String? {
        key.firstMatch(of: /\/packages\/([0-9a-f]{64})\.zip$/).map { String($0.1) }
    }

    /// Changes that running users notice the moment the endpoint moves.
    static func warnings(live: AgentRuntimeConfiguration?, desired: AgentRuntimeConfiguration, changes: [SettingChange]) -> [String] {
        guard let live, !changes.isEmpty || live.agentRuntimeArtifact != desired.agentRuntimeArtifact else { return [] }
        var warnings: [String] = []
        let storage = (desired.filesystemConfigurations ?? []).compactMap(\.sessionStorage?.mountPath)
        if !storage.isEmpty {
            warnings.append(
                "A new version starts with empty session storage (\(storage.joined(separator: ", "))): "
                    + "what sessions saved there is gone once the endpoint moves to it.")
        }
        func changed(_ prefix: String) -> Bool { changes.contains { $0.path == prefix || $0.path.hasPrefix(prefix + ".") } }
        if changed("authorizerConfiguration") {
            warnings.append(
                "The authorizer changes: callers whose tokens (or IAM credentials) the old settings accepted may be "
                    + "refused, and the other way round.")
        }
        if changed("networkConfiguration") {
            warnings.append(
                "The network changes: the agent reaches other services (and they reach it) through another network; "
                    + "check subnets, security groups and routes before approving.")
        }
        if changed("tags") {
            warnings.append(
                "The tags change: AgentCore sets a runtime's tags when it is created, so this deploy does not change "
                    + "them on the existing runtime; apply them with `aws bedrock-agentcore-control tag-resource`.")
        }
        if changed("protocolConfiguration") {
            warnings.append("The server protocol, port or path changes: clients of the old one stop working.")
        }
        return warnings
    }
}
