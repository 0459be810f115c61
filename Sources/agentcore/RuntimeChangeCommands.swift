import AgentCoreGitOps
import ArgumentParser
import Foundation

struct RuntimeCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a runtime from a code zip in S3 and wait until it is READY.")

    @Argument(help: "The new runtime's name: letters, digits and underscores, starting with a letter.")
    var name: String
    @OptionGroup var settings: RuntimeSettingsOptions
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try AgentCoreValidation.checkName(name)
        guard settings.resolvedRoleArn() != nil else {
            throw ActionableError("no execution role is set", fix: "pass --role-arn ARN or set AGENTCORE_ROLE_ARN")
        }
    }

    func run() async throws {
        let services = try Services(options)
        let artifact = AgentRuntimeArtifact.code(
            try await services.checkedCode(at: try settings.codeLocation),
            runtime: try settings.managedRuntime ?? "PYTHON_3_11", entryPoint: [settings.entrypoint ?? "agent.py"])

        if let existing = try await services.control.findRuntime(named: name) {
            // A rerun after a crash finds the runtime it made from the same code; anything else is
            // someone's runtime that must not be touched.
            let current = try await services.control.getAgentRuntime(id: existing.agentRuntimeId)
            guard current.agentRuntimeArtifact == artifact else {
                throw ActionableError("a runtime named \(name) already exists (\(existing.agentRuntimeId), version \(existing.agentRuntimeVersion))",
                               fix: "add a version with `agentcore runtime update \(name) --code ...`, or pick another name")
            }
            progress("runtime \(name) (\(current.agentRuntimeId)) already exists with this code")
            return try await wait.settle(current, services: services, options: options)
        }

        let configuration = AgentRuntimeConfiguration(
            agentRuntimeArtifact: artifact, roleArn: settings.resolvedRoleArn()!, description: settings.description,
            environmentVariables: try settings.environmentVariables)
        let created = try await services.control.createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: configuration))
        progress("created runtime \(name) (\(created.agentRuntimeId)) version \(created.agentRuntimeVersion)")
        try await wait.settle(created, services: services, options: options)
    }
}

struct RuntimeUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Add a version made from a new code zip; settings not given are kept from the latest version.")

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var settings: RuntimeSettingsOptions
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let services = try Services(options)
        let current = try await services.control.runtime(target.runtime)
        let code = try await services.checkedCode(at: try settings.codeLocation)
        guard var configuration = current.configuration, let currentCode = current.agentRuntimeArtifact?.codeConfiguration else {
            throw ActionableError("runtime \(current.agentRuntimeName) runs a container image, not a code zip",
                           fix: "update it with the tool that builds its image")
        }
        configuration.agentRuntimeArtifact = .code(
            code, runtime: try settings.managedRuntime ?? currentCode.runtime,
            entryPoint: settings.entrypoint.map { [$0] } ?? currentCode.entryPoint)
        configuration.roleArn = settings.resolvedRoleArn() ?? configuration.roleArn
        if let variables = try settings.environmentVariables { configuration.environmentVariables = variables }
        if let description = settings.description { configuration.description = description }

        // Every update makes a version; a rerun with nothing new must not make another.
        if !current.needsNewVersion(for: configuration) {
            progress("version \(current.agentRuntimeVersion) of \(current.agentRuntimeName) already runs this configuration; no new version made")
            return try await wait.settle(current, services: services, options: options)
        }
        let updated = try await services.control.updateAgentRuntime(
            UpdateAgentRuntimeRequest(agentRuntimeId: current.agentRuntimeId, configuration: configuration))
        progress("runtime \(current.agentRuntimeName) (\(updated.agentRuntimeId)) has new version \(updated.agentRuntimeVersion)")
        try await wait.settle(updated, services: services, options: options)
    }
}

struct RuntimeDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a runtime with all its versions (see `cleanup` to remove its endpoints first).")

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var confirmation: ConfirmationOptions
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let services = try Services(options)
        let runtime = try await services.control.runtime(target.runtime)
        try confirmation.confirm(
            "This deletes runtime \(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) with all its versions and endpoints.",
            runtimeName: runtime.agentRuntimeName)
        try await wait.deleteRuntime(runtime, services: services, options: options, deletedEndpoints: [])
    }
}

/// What a deletion reports: `status` is DELETED once gone, or AWS's DELETING with `--no-wait`.
struct DeletionReport: Encodable {
    var agentRuntimeId: String
    var agentRuntimeName: String
    var endpointName: String?
    var deletedEndpoints: [String]?
    var status: String
}

extension WaitOptions {
    /// Waits for a runtime version to be READY and prints it, or prints the answer that named it:
    /// the runtime found already made (a rerun), or the create or update just sent.
    func settle(_ answer: some RuntimeVersionAnswer, services: Services, options: GlobalOptions) async throws {
        let runtimeId = answer.agentRuntimeId, version = answer.agentRuntimeVersion
        let output = Output(json: options.json)
        guard wait else {
            return try output.emit(answer, text: "runtime \(runtimeId) version \(version) is on its way (not waiting)")
        }
        progress("waiting for runtime \(runtimeId) version \(version) to become READY…")
        let runtime = try await explaining(
            check: "agentcore runtime get \(runtimeId)",
            afterFailure: "fix the cause, then add a version with `agentcore runtime update \(runtimeId) --code ...`, "
                + "or remove the runtime with `agentcore cleanup \(runtimeId)`"
        ) {
            try await services.waiter(self).runtimeReady(id: runtimeId, version: version)
        }
        try output.emit(runtime, text: TextFormat.runtime(runtime))
    }

    func deleteRuntime(
        _ runtime: AgentRuntime, services: Services, options: GlobalOptions, deletedEndpoints: [String]?
    ) async throws {
        let deletion = try await services.control.deleteAgentRuntime(id: runtime.agentRuntimeId)
        var status = deletion.status.rawValue
        if wait {
            progress("waiting for runtime \(runtime.agentRuntimeId) to be deleted…")
            try await explaining(check: "agentcore runtime get \(runtime.agentRuntimeId)", afterFailure: "run the same command again") {
                try await services.waiter(self).runtimeDeleted(id: runtime.agentRuntimeId)
            }
            status = "DELETED"
        }
        let report = DeletionReport(
            agentRuntimeId: runtime.agentRuntimeId, agentRuntimeName: runtime.agentRuntimeName,
            deletedEndpoints: deletedEndpoints, status: status)
        try Output(json: options.json).emit(
            report, text: "runtime \(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)): \(status)")
    }

    /// Says what to do next when a wait ends badly: a timeout is not a failure of the change
    /// itself, so say how to look at it later; a failure needs a new change.
    @discardableResult
    func explaining<T>(check: String, afterFailure: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as WaiterError {
            switch error.kind {
            case .timedOut:
                throw ActionableError(error.problem, fix: "it may still finish: check with `\(check)`, or wait longer with --timeout")
            case .failed:
                throw ActionableError(error.problem, fix: afterFailure)
            }
        }
    }
}

/// An answer that names a runtime version to wait for.
protocol RuntimeVersionAnswer: Encodable {
    var agentRuntimeId: String { get }
    var agentRuntimeVersion: String { get }
}

extension AgentRuntime: RuntimeVersionAnswer {}
extension AgentRuntimeChange: RuntimeVersionAnswer {}
