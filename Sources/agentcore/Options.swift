import AgentCoreGitOps
import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Print one JSON object with AWS's field names instead of text.")
    var json = false

    @Option(help: ArgumentHelp("The AWS region (default: $AWS_REGION, then the AWS profile's).", valueName: "region"))
    var region: String?
}

/// How a command that changes something waits for the change to settle.
struct WaitOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Wait until the change is READY (or gone, for deletions).")
    var wait = true

    @Option(help: ArgumentHelp("How long to wait before giving up.", valueName: "seconds"))
    var timeout: Double = 900

    @Option(help: ArgumentHelp("The first pause between status checks; pauses double up to 10 s.", valueName: "seconds"))
    var pollInterval: Double = 1

    func validate() throws {
        guard timeout > 0, pollInterval > 0 else {
            throw ActionableError("--timeout and --poll-interval must be positive", fix: "give a number of seconds, e.g. --timeout 600")
        }
    }

    var policy: WaitPolicy {
        let first = Duration.seconds(pollInterval)
        return WaitPolicy(initialDelay: first, maxDelay: max(first, .seconds(10)), timeout: .seconds(timeout))
    }
}

/// The repository's GitHub id, which ownership tags record so a rename or transfer keeps runtimes ours.
struct RepositoryIDOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The repository's GitHub id (default: $GITHUB_REPOSITORY_ID, else read from GitHub when GITHUB_TOKEN is set).",
        valueName: "id"))
    var repositoryId: String?

    func validate() throws {
        _ = try given
    }

    /// The id given by the flag or the environment; nil when neither gives one.
    var given: Int? {
        get throws {
            if let repositoryId { return try OwningRepository.parseID(repositoryId, source: "--repository-id") }
            return try OwningRepository.parseID(Settings.value("GITHUB_REPOSITORY_ID"), source: "GITHUB_REPOSITORY_ID")
        }
    }
}

/// Asked before anything is deleted. Checked in `validate()` so a script without a terminal is
/// refused before any request, not halfway through.
struct ConfirmationOptions: ParsableArguments {
    @Flag(name: [.customShort("y"), .long], help: "Delete without asking.")
    var yes = false

    func validate() throws {
        guard yes || isatty(STDIN_FILENO) != 0 else {
            throw ActionableError("refusing to delete without confirmation: there is no terminal to ask on",
                                  fix: "pass --yes to confirm")
        }
    }

    /// Asks on the terminal; the answer must be the runtime's name or DELETE.
    func confirm(_ summary: String, runtimeName: String) throws {
        guard !yes else { return }
        FileHandle.standardError.write(Data("\(summary)\nType the runtime name (\(runtimeName)) or DELETE to confirm: ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces)
        guard answer == runtimeName || answer == "DELETE" else {
            throw ActionableError("not confirmed, so nothing was deleted", fix: "type \(runtimeName) or DELETE, or pass --yes")
        }
    }
}

/// What a runtime version is made from: create needs it all, update keeps what is not given.
struct RuntimeSettingsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The code zip: s3://BUCKET/KEY, or KEY in $AGENTCORE_S3_BUCKET.", valueName: "s3-uri"))
    var code: String

    @Option(help: ArgumentHelp("The file to run, at the zip's root (create's default: agent.py).", valueName: "file"))
    var entrypoint: String?

    @Option(help: ArgumentHelp("The Python version, 3.10 to 3.14 (create's default: 3.11).", valueName: "version"))
    var python: String?

    @OptionGroup var role: RoleOption

    @Option(name: .customLong("env"), help: ArgumentHelp(
        "An environment variable for the agent; repeat for more. Replaces the runtime's set on update.",
        valueName: "KEY=VALUE"))
    var environment: [String] = []

    @Option(help: "A description of this version.")
    var description: String?

    func validate() throws {
        _ = try codeLocation
        _ = try managedRuntime
        _ = try environmentVariables
        if description?.isEmpty == true {
            throw ActionableError("--description is empty", fix: "leave it out, or give some text")
        }
        if let entrypoint, entrypoint.isEmpty || entrypoint.hasPrefix("/") {
            throw ActionableError("--entrypoint '\(entrypoint)' is not a file at the zip's root", fix: "give a file name such as agent.py")
        }
        if let role = role.resolved, !role.hasPrefix("arn:") || !role.contains(":role/") {
            throw ActionableError("'\(role)' is not an IAM role ARN", fix: "give one like arn:aws:iam::123456789012:role/AgentRuntime")
        }
    }

    /// What a new runtime is made from: the options given, defaults for the rest.
    func configuration(code: S3CodeLocation) throws -> AgentRuntimeConfiguration {
        AgentRuntimeConfiguration(
            agentRuntimeArtifact: .code(
                code, runtime: try managedRuntime ?? "PYTHON_3_11", entryPoint: [entrypoint ?? "agent.py"]),
            roleArn: role.resolved!, description: description, environmentVariables: try environmentVariables)
    }

    /// What the next version of `current` is made from: the options given, the rest kept.
    func configuration(code: S3CodeLocation, updating current: AgentRuntime) throws -> AgentRuntimeConfiguration {
        guard var configuration = current.configuration, let currentCode = current.agentRuntimeArtifact?.codeConfiguration else {
            throw ActionableError("runtime \(current.agentRuntimeName) runs a container image, not a code zip",
                                  fix: "update it with the tool that builds its image")
        }
        configuration.agentRuntimeArtifact = .code(
            code, runtime: try managedRuntime ?? currentCode.runtime, entryPoint: entrypoint.map { [$0] } ?? currentCode.entryPoint)
        configuration.roleArn = role.resolved ?? configuration.roleArn
        if let variables = try environmentVariables { configuration.environmentVariables = variables }
        if let description { configuration.description = description }
        return configuration
    }

    var codeLocation: S3Location {
        get throws { try Settings.s3Location(code, option: "--code", what: "a code location") }
    }

    /// `3.11` (or `PYTHON_3_11`) as AgentCore names it, nil when not given.
    var managedRuntime: String? {
        get throws {
            guard let python else { return nil }
            let name = python.uppercased().hasPrefix("PYTHON_")
                ? python.uppercased() : "PYTHON_" + python.replacingOccurrences(of: ".", with: "_")
            let supported = ["PYTHON_3_10", "PYTHON_3_11", "PYTHON_3_12", "PYTHON_3_13", "PYTHON_3_14"]
            guard supported.contains(name) else {
                throw ActionableError("--python '\(python)' is not a Python version AgentCore runs", fix: "use one of 3.10, 3.11, 3.12, 3.13, 3.14")
            }
            return name
        }
    }

    /// The `--env` pairs, nil when none were given; AWS's limits checked here.
    var environmentVariables: [String: String]? {
        get throws {
            guard !environment.isEmpty else { return nil }
            var variables: [String: String] = [:]
            for pair in environment {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw ActionableError("--env '\(pair)' is not KEY=VALUE", fix: "write it like --env LOG_LEVEL=debug")
                }
                let key = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
                guard key.awsLength <= AgentCoreValidation.maxEnvironmentKeyLength,
                      value.awsLength <= AgentCoreValidation.maxEnvironmentValueLength else {
                    throw ActionableError("--env \(key.prefix(20))… is too long", fix: "keys take at most 100 characters, values 5,000")
                }
                guard variables.updateValue(value, forKey: key) == nil else {
                    throw ActionableError("--env gives \(key) twice", fix: "give each variable once")
                }
            }
            guard variables.count <= AgentCoreValidation.maxEnvironmentVariables else {
                throw ActionableError("--env gives \(variables.count) variables; AgentCore takes at most 50", fix: "drop some")
            }
            return variables
        }
    }

}

/// The execution role a runtime's agent runs as.
struct RoleOption: ParsableArguments {
    @Option(help: ArgumentHelp("The execution role the agent runs as (default: $AGENTCORE_ROLE_ARN).", valueName: "arn"))
    var roleArn: String?

    /// The role from the flag or the environment.
    var resolved: String? { roleArn ?? Settings.roleArn }
}

/// Settings read from the environment, so nobody edits code to set up.
enum Settings {
    static var roleArn: String? { value("AGENTCORE_ROLE_ARN") }
    static var bucket: String? { value("AGENTCORE_S3_BUCKET") }

    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `s3://BUCKET/KEY`, or a KEY in $AGENTCORE_S3_BUCKET, as given to `option`.
    static func s3Location(_ text: String, option: String, what: String) throws -> S3Location {
        let uri = text.hasPrefix("s3://") || bucket == nil ? text : "s3://\(bucket!)/\(text)"
        do {
            return try S3Location(parsing: uri)
        } catch {
            throw ActionableError("\(option) '\(text)' is not \(what): \(error)",
                                  fix: "write s3://BUCKET/path/to/code.zip, or a key with AGENTCORE_S3_BUCKET set")
        }
    }
}
