import AgentCoreGitOps
import ArgumentParser
import Foundation

struct CleanupCommand: RuntimeSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Delete a runtime's named endpoints, then the runtime itself.",
        discussion: """
            Asks first: type the runtime's name or DELETE. Without a terminal, pass --yes. \
            The DEFAULT endpoint goes with the runtime. Safe to run again after an interruption.
            """)

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var confirmation: ConfirmationOptions
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        let named = try await services.control.allAgentRuntimeEndpoints(runtimeId: runtime.agentRuntimeId)
            .filter { !$0.isDefault }.map(\.name).sorted()

        let endpointsFirst = named.isEmpty ? "" : "endpoints " + named.joined(separator: ", ") + ", then "
        try confirmation.confirm(
            "This deletes \(endpointsFirst)runtime \(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) with all its versions.",
            runtimeName: runtime.agentRuntimeName)

        // The runtime goes only once its endpoints are gone, so each endpoint deletion is awaited.
        var endpointWait = wait
        endpointWait.wait = true
        for name in named {
            progress("deleting endpoint \(name)…")
            _ = try await endpointWait.deleteEndpoint(name, of: runtime, services: services)
        }
        try await wait.deleteRuntime(runtime, services: services, deletedEndpoints: named)
    }
}

struct RuntimeDelete: RuntimeSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a runtime with all its versions (see `cleanup` to remove its endpoints first).")

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var confirmation: ConfirmationOptions
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        try confirmation.confirm(
            "This deletes runtime \(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) with all its versions and endpoints.",
            runtimeName: runtime.agentRuntimeName)
        try await wait.deleteRuntime(runtime, services: services, deletedEndpoints: [])
    }
}
