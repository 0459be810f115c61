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
        guard settings.role.resolved != nil else {
            throw ActionableError("no execution role is set", fix: "pass --role-arn ARN or set AGENTCORE_ROLE_ARN")
        }
    }

    func run() async throws {
        let services = try Services(options)
        let configuration = try settings.configuration(code: try await services.checkedCode(at: try settings.codeLocation))

        if let existing = try await services.control.findRuntime(named: name) {
            // A rerun after a crash finds the runtime it made from the same code; anything else is
            // someone's runtime that must not be touched.
            let current = try await services.control.getAgentRuntime(id: existing.agentRuntimeId)
            guard current.agentRuntimeArtifact == configuration.agentRuntimeArtifact else {
                throw ActionableError("a runtime named \(name) already exists (\(existing.agentRuntimeId), version \(existing.agentRuntimeVersion))",
                                      fix: "add a version with `agentcore runtime update \(name) --code ...`, or pick another name")
            }
            let found = "runtime \(name) (\(current.agentRuntimeId)) already exists with this code"
            return try await wait.settle(current, saying: found, services: services)
        }

        let created = try await services.control.createAgentRuntime(
            CreateAgentRuntimeRequest(agentRuntimeName: name, configuration: configuration))
        let made = "created runtime \(name) (\(created.agentRuntimeId)) version \(created.agentRuntimeVersion)"
        try await wait.settle(created, saying: made, services: services)
    }
}

struct RuntimeUpdate: RuntimeSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Add a version made from a new code zip; settings not given are kept from the latest version.")

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var settings: RuntimeSettingsOptions
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func run(_ current: AgentRuntime, services: Services) async throws {
        let configuration = try settings.configuration(
            code: try await services.checkedCode(at: try settings.codeLocation), updating: current)

        // Every update makes a version; a rerun with nothing new must not make another.
        if !current.needsNewVersion(for: configuration) {
            let unchanged = "version \(current.agentRuntimeVersion) of \(current.agentRuntimeName) already runs this configuration"
            return try await wait.settle(current, saying: unchanged + "; no new version made", services: services)
        }
        let updated = try await services.control.updateAgentRuntime(
            UpdateAgentRuntimeRequest(agentRuntimeId: current.agentRuntimeId, configuration: configuration))
        let made = "runtime \(current.agentRuntimeName) (\(updated.agentRuntimeId)) has new version \(updated.agentRuntimeVersion)"
        try await wait.settle(updated, saying: made, services: services)
    }
}
