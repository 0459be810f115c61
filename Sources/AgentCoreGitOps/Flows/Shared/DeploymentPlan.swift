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
    /// `${NAME}` references this job could not read (prod's secrets in a pull request's job).
    public var unresolvedVariables: [String]

    public var changesNothing: Bool {
        liveVersion != nil && oldPackageSHA256 == newPackageSHA256 && settingChanges.isEmpty
    }

    /// Compares what `package` and `settings` would make with what the prod endpoint serves.
    /// `settings` are prod's, resolved as far as this job can (`unresolved` names the rest).
    static func make(
        context: FlowContext, package: PackageManifest, settings: EnvironmentSettings, unresolved: [String] = []
    ) async throws -> DeploymentPlan {
        let target = DeploymentTarget(runtimeName: context.settings.prodRuntimeName, role: .production)
        let prod = try await RuntimeLookup(context: context).runtime(named: target.runtimeName, role: target.role)
        return try await make(context: context, package: package, settings: settings, unresolved: unresolved, prod: prod)
    }

    /// The same when the caller has found the prod runtime already (nil: there is none yet).
    static func make(
        context: FlowContext, package: PackageManifest, settings: EnvironmentSettings, unresolved: [String] = [],
        prod: AgentRuntime?
    ) async throws -> DeploymentPlan {
        let names = context.settings
        let target = DeploymentTarget(runtimeName: names.prodRuntimeName, role: .production)
        let lookup = RuntimeLookup(context: context)
        let location = S3Location(bucket: names.bucket, key: "\(target.runtimeName)/packages/\(package.sha256).zip")
        let desired = try RuntimeDeployer.configuration(
            for: package, at: location, settings: settings, roleArn: names.roleArn,
            description: try await lookup.identity.description(settings.description, role: target.role))
        let live = try await liveVersion(of: prod, context: context)
        var liveContents: PackageContents?
        if let code = live?.agentRuntimeArtifact?.codeConfiguration?.code.s3 {
            do {
                liveContents = try await PackageContentsRecord(s3: context.s3)
                    .read(forPackageAt: S3Location(bucket: code.bucket, key: code.prefix))
            } catch let error as AWSError where error.isAccessDenied {
                throw error  // a missing grant the plan's note names, not a package without a manifest
            } catch {
                liveContents = nil
            }
        }
        // Values still holding `${NAME}` come from secrets: not compared when unread.
        let templated = Set(settings.environmentVariables.keys.filter { settings.environmentVariables[$0]?.contains("${") == true })
        let diff = SettingsDiff(
            unresolvedVariables: unresolved.isEmpty ? [] : templated,
            redactor: SecretRedactor(secrets: settings.secretValues + SecretRedactor(environment: context.environment).secrets))
        let changes = diff.changes(from: live?.configuration, to: desired)
        return DeploymentPlan(
            runtimeName: target.runtimeName, endpointName: names.prodEndpointName, liveVersion: live?.agentRuntimeVersion,
            oldPackageSHA256: live?.agentRuntimeArtifact?.codeConfiguration?.code.s3.flatMap { packageSHA256(ofKey: $0.prefix) },
            newPackageSHA256: package.sha256,
            dependencyChanges: live == nil
                ? DependencyChange.between([], package.distributions ?? [])
                : liveContents.map { DependencyChange.between($0.distributions, package.distributions ?? []) },
            settingChanges: changes,
            warnings: warnings(live: live?.configuration, desired: desired, changes: changes),
            unresolvedVariables: unresolved)
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

    /// What a pull request's comment says instead of a plan when its job's role may not read prod:
    /// the action refused and the grant to add, never AWS's message (it names the account and role).
    static func prodNotReadable(_ error: AWSError, runtimeName: String) -> String {
        let action = error.iamAction.map { "`\($0)`" } ?? "`\(error.operation)`"
        return "prod not readable: this job's AWS role may not call \(action) on `\(runtimeName)`, so what merging would "
            + "change there is not shown. Fix: add the statements `ProdRuntimeReadOnlyForThePlan` and "
            + "`ProdPackageManifestsForThePlan` that `agentcore setup policies` prints to the pull-request role "
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
        if changed("protocolConfiguration") {
            warnings.append("The server protocol, port or path changes: clients of the old one stop working.")
        }
        return warnings
    }
}
