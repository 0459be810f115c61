import AgentCoreGitOps
import ArgumentParser
import Foundation

struct CleanupCommand: AsyncParsableCommand {
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

    func run() async throws {
        let services = try Services(options)
        let runtime = try await services.control.runtime(target.runtime)
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
        try await wait.deleteRuntime(runtime, services: services, options: options, deletedEndpoints: named)
    }
}
