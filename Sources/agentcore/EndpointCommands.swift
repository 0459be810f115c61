import AgentCoreGitOps
import ArgumentParser
import Foundation

struct EndpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoint",
        abstract: "Named endpoints that serve one version of a runtime.",
        subcommands: [EndpointCreate.self, EndpointUpdate.self, EndpointGet.self, EndpointList.self, EndpointDelete.self]
    )
}

struct EndpointCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Point a new endpoint at a version (named v<version> unless named).")

    @OptionGroup var target: RuntimeArgument
    @Argument(help: "The version to serve.") var version: String
    @Argument(help: "The endpoint's name (default: v<version>).") var name: String?
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    var endpointName: String { name ?? "v\(version)" }

    func validate() throws {
        try InputChecks.version(version)
        try InputChecks.endpointName(endpointName, changing: true)
    }

    func run() async throws {
        let services = try Services(options)
        let runtime = try await services.control.runtime(target.runtime)
        try await services.control.requireVersion(version, of: runtime)
        let unsettled: any Encodable
        if let existing = try await services.control.findEndpoint(runtimeId: runtime.agentRuntimeId, name: endpointName) {
            guard existing.targetVersion == version else {
                throw ActionableError("endpoint \(endpointName) already exists and targets version \(existing.targetVersion ?? "none")",
                               fix: "move it with `agentcore endpoint update \(runtime.agentRuntimeName) \(endpointName) \(version)`")
            }
            progress("endpoint \(endpointName) already exists for version \(version)")
            unsettled = existing
        } else {
            unsettled = try await services.control.createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(
                agentRuntimeId: runtime.agentRuntimeId, name: endpointName, agentRuntimeVersion: version))
            progress("created endpoint \(endpointName) of \(runtime.agentRuntimeName) for version \(version)")
        }
        try await wait.settleEndpoint(endpointName, of: runtime, version: version, unsettled: unsettled, services: services, options: options)
    }
}

struct EndpointUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Move an endpoint to another version.")

    @OptionGroup var target: RuntimeArgument
    @Argument(help: "The endpoint's name.") var name: String
    @Argument(help: "The version to serve.") var version: String
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try InputChecks.endpointName(name, changing: true)
        try InputChecks.version(version)
    }

    func run() async throws {
        let services = try Services(options)
        let runtime = try await services.control.runtime(target.runtime)
        try await services.control.requireVersion(version, of: runtime)
        let existing = try await services.requireEndpoint(
            name, of: runtime, fix: "create it with `agentcore endpoint create \(runtime.agentRuntimeName) \(version) \(name)`")
        let unsettled: any Encodable
        if existing.targetVersion == version {
            progress("endpoint \(name) already targets version \(version)")
            unsettled = existing
        } else {
            unsettled = try await services.control.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(
                agentRuntimeId: runtime.agentRuntimeId, endpointName: name, agentRuntimeVersion: version))
            progress("moving endpoint \(name) of \(runtime.agentRuntimeName) from version \(existing.targetVersion ?? "none") to \(version)")
        }
        try await wait.settleEndpoint(name, of: runtime, version: version, unsettled: unsettled, services: services, options: options)
    }
}

struct EndpointGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show an endpoint.")

    @OptionGroup var target: RuntimeArgument
    @Argument(help: "The endpoint's name.") var name: String
    @OptionGroup var options: GlobalOptions

    func validate() throws { try InputChecks.endpointName(name, changing: false) }

    func run() async throws {
        let services = try Services(options)
        let runtime = try await services.control.runtime(target.runtime)
        let endpoint = try await services.requireEndpoint(name, of: runtime)
        try Output(json: options.json).emit(endpoint, text: TextFormat.endpoint(endpoint))
    }
}

/// `{"runtimeEndpoints": [...]}`, as ListAgentRuntimeEndpoints answers.
struct EndpointListing: Encodable {
    var runtimeEndpoints: [AgentRuntimeEndpoint]
}

struct EndpointList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a runtime's endpoints.")

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let services = try Services(options)
        let runtime = try await services.control.runtime(target.runtime)
        let endpoints = try await services.control.allAgentRuntimeEndpoints(runtimeId: runtime.agentRuntimeId)
            .sorted { $0.name < $1.name }
        try Output(json: options.json).emit(EndpointListing(runtimeEndpoints: endpoints), text: TextFormat.endpoints(endpoints))
    }
}

struct EndpointDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an endpoint.")

    @OptionGroup var target: RuntimeArgument
    @Argument(help: "The endpoint's name.") var name: String
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func validate() throws { try InputChecks.endpointName(name, changing: true) }

    func run() async throws {
        let services = try Services(options)
        let runtime = try await services.control.runtime(target.runtime)
        _ = try await services.requireEndpoint(name, of: runtime)
        let status = try await wait.deleteEndpoint(name, of: runtime, services: services)
        let report = DeletionReport(
            agentRuntimeId: runtime.agentRuntimeId, agentRuntimeName: runtime.agentRuntimeName, endpointName: name, status: status)
        try Output(json: options.json).emit(report, text: "endpoint \(name) of \(runtime.agentRuntimeName): \(status)")
    }
}

extension Services {
    /// The endpoint, or an error that says how to find (or make) the right one.
    func requireEndpoint(_ name: String, of runtime: AgentRuntime, fix: String? = nil) async throws -> AgentRuntimeEndpoint {
        guard let endpoint = try await control.findEndpoint(runtimeId: runtime.agentRuntimeId, name: name) else {
            throw ActionableError("runtime \(runtime.agentRuntimeName) has no endpoint named \(name)",
                           fix: fix ?? "list its endpoints with `agentcore endpoint list \(runtime.agentRuntimeName)`")
        }
        return endpoint
    }
}

extension WaitOptions {
    /// Waits until the endpoint serves `version` and prints it, or prints the call's answer.
    func settleEndpoint(
        _ name: String, of runtime: AgentRuntime, version: String, unsettled: any Encodable,
        services: Services, options: GlobalOptions
    ) async throws {
        let output = Output(json: options.json)
        guard wait else {
            return try output.emit(unsettled, text: "endpoint \(name) is moving to version \(version) (not waiting)")
        }
        progress("waiting for endpoint \(name) to serve version \(version)…")
        let endpoint = try await explaining(
            check: "agentcore endpoint get \(runtime.agentRuntimeId) \(name)",
            afterFailure: "fix that version, or point the endpoint at another with "
                + "`agentcore endpoint update \(runtime.agentRuntimeId) \(name) <version>`"
        ) {
            try await services.waiter(self).endpointReady(runtimeId: runtime.agentRuntimeId, name: name, version: version)
        }
        try output.emit(endpoint, text: TextFormat.endpoint(endpoint))
    }

    /// Deletes an endpoint (already gone counts as done); returns DELETED, or DELETING with `--no-wait`.
    func deleteEndpoint(_ name: String, of runtime: AgentRuntime, services: Services) async throws -> String {
        do {
            _ = try await services.control.deleteAgentRuntimeEndpoint(runtimeId: runtime.agentRuntimeId, name: name)
        } catch let error as AWSError where error.isNotFound {
            return "DELETED"
        }
        guard wait else { return AgentCoreStatus.deleting.rawValue }
        progress("waiting for endpoint \(name) to be deleted…")
        try await explaining(check: "agentcore endpoint get \(runtime.agentRuntimeId) \(name)", afterFailure: "run the same command again") {
            try await services.waiter(self).endpointDeleted(runtimeId: runtime.agentRuntimeId, name: name)
        }
        return "DELETED"
    }
}
