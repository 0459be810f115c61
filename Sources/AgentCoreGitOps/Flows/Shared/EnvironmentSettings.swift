import Foundation

/// The runtime settings one environment gets (`pr`, `prod`, or none for `agentcore deploy`): the
/// base settings of `agentcore.json` with the environment's overrides merged over them, checked
/// against the service model. Environment variable values may still hold `${NAME}` references
/// until `resolvingReferences(in:)` reads them from the job's environment.
public struct EnvironmentSettings: Sendable, Equatable {
    public var description: String?
    public var environmentVariables: [String: String] = [:]
    public var lifecycle = LifecycleConfiguration(idleRuntimeSessionTimeout: 900, maxLifetime: 28800)
    public var network = NetworkConfiguration.public
    public var serverProtocol = ProtocolConfiguration.http
    public var authorizer: AuthorizerConfiguration?
    public var requestHeaders: RequestHeaderConfiguration?
    public var filesystems: [FilesystemConfiguration]?
    public var tags: [String: String]?
    public var platformVersion: String?
    public var allowedPorts: [AllowedPort]?
    public var resources: [ResourceConfiguration]?
    public var hooks: RuntimeHooksConfiguration?
    /// Variables whose values came from `${NAME}`: never printed, redacted from comments.
    public var secretVariables: Set<String> = []
    /// The values read for `${NAME}` references, for masking and redaction.
    public var secretValues: [String] = []
    /// The values as written of the variables that reference `${NAME}`, kept after they are read.
    public var referenceTemplates: [String: String] = [:]

    /// These settings as git declares them: each `${NAME}` as written, no value read. Nothing in it
    /// is secret, so records made from it may be read by roles that must not see prod's secrets.
    public var declared: EnvironmentSettings {
        var copy = self
        copy.environmentVariables.merge(referenceTemplates) { $1 }
        copy.referenceTemplates = [:]
        copy.secretVariables = []
        copy.secretValues = []
        return copy
    }

    public init() {}

    /// The user's description keeps room for the ownership tag the tool appends (AgentCore's
    /// limit is 4,096 code points for the whole description).
    public static let maxDescriptionLength = 3_800

    /// `${NAME}`: a variable of the job's environment, e.g. one the workflow sets from a secret.
    static var referencePattern: Regex<(Substring, Substring)> { /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/ }

    /// A value `${NAME}` reads is a secret, redacted wherever it appears in what the tool prints
    /// or posts; a shorter one would take every matching letter or digit out of those texts.
    public static let minimumSecretLength = 4

    /// The names the environment variable values reference, sorted.
    public var referencedVariables: [String] {
        Set(environmentVariables.values.flatMap { $0.matches(of: Self.referencePattern).map { String($0.1) } }).sorted()
    }

    /// Every `${NAME}` replaced by its value in `variables`; a missing or empty one is an error
    /// naming it. The result remembers which variables are secret, and their values.
    public func resolvingReferences(in variables: [String: String], source: String, path: String) throws -> EnvironmentSettings {
        var resolved = self
        let missing = referencedVariables.filter { (variables[$0] ?? "").isEmpty }
        if !missing.isEmpty {
            let names = missing.map { "${\($0)}" }.joined(separator: ", ")
            throw RuntimeSettingsError(
                source: source, field: SettingsReader.join(path, "environmentVariables"),
                problem: "references \(names), which \(missing.count == 1 ? "is" : "are") not set in the job's environment",
                fix: "set \(missing.joined(separator: ", ")) in the workflow step's env (e.g. from a GitHub secret: "
                    + "\(missing[0]): ${{ secrets.\(missing[0]) }})")
        }
        let short = referencedVariables.filter { (variables[$0] ?? "").count < Self.minimumSecretLength }
        if !short.isEmpty {
            let names = short.map { "${\($0)}" }.joined(separator: ", ")
            throw RuntimeSettingsError(
                source: source, field: SettingsReader.join(path, "environmentVariables"),
                problem: "references \(names), whose value in the job's environment is shorter than \(Self.minimumSecretLength) characters; "
                    + "a referenced value is a secret, redacted wherever it appears, and one this short cannot be",
                fix: "use a value of at least \(Self.minimumSecretLength) characters for \(short.joined(separator: ", ")), "
                    + "or write a value that is not secret into agentcore.json itself")
        }
        for (key, template) in environmentVariables where template.contains("${") {
            let value = template.replacing(Self.referencePattern) { variables[String($0.1)] ?? "" }
            guard value.awsLength <= AgentCoreValidation.maxEnvironmentValueLength else {
                throw RuntimeSettingsError(
                    source: source, field: SettingsReader.join(path, "environmentVariables.\(key)"),
                    problem: "is \(value.awsLength) characters long once its references are read",
                    fix: "AgentCore takes at most 5,000 characters (code points)")
            }
            resolved.environmentVariables[key] = value
            resolved.secretVariables.insert(key)
            resolved.referenceTemplates[key] = template
        }
        resolved.secretValues = referencedVariables.compactMap { variables[$0] }
        return resolved
    }

    /// The configuration a version is made from, given its code, role and full description.
    public func configuration(
        artifact: AgentRuntimeArtifact, roleArn: String, description fullDescription: String?
    ) -> AgentRuntimeConfiguration {
        AgentRuntimeConfiguration(
            agentRuntimeArtifact: artifact, roleArn: roleArn, networkConfiguration: network,
            description: fullDescription, protocolConfiguration: serverProtocol, lifecycleConfiguration: lifecycle,
            environmentVariables: environmentVariables.isEmpty ? nil : environmentVariables,
            authorizerConfiguration: authorizer, requestHeaderConfiguration: requestHeaders,
            filesystemConfigurations: filesystems, platformVersion: platformVersion, allowedPorts: allowedPorts,
            resourceConfigurations: resources, hooksConfiguration: hooks)
    }
}
