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

struct EndpointCreate: RuntimeSubcommand {
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

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        try await services.control.requireVersion(version, of: runtime)
        let change = PendingChange.endpointVersion(endpointName, runtimeId: runtime.agentRuntimeId, version: version)
        if let existing = try await services.control.findEndpoint(runtimeId: runtime.agentRuntimeId, name: endpointName) {
            guard existing.targetVersion == version else {
                throw ActionableError("endpoint \(endpointName) already exists and targets version \(existing.targetVersion ?? "none")",
                                      fix: "move it with `agentcore endpoint update \(runtime.agentRuntimeName) \(endpointName) \(version)`")
            }
            let found = "endpoint \(endpointName) already exists for version \(version)"
            return try await wait.settle(existing, change, saying: found, services: services)
        }
        let created = try await services.control.createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(
            agentRuntimeId: runtime.agentRuntimeId, name: endpointName, agentRuntimeVersion: version))
        let made = "created endpoint \(endpointName) of \(runtime.agentRuntimeName) for version \(version)"
        try await wait.settle(created, change, saying: made, services: services)
    }
}

struct EndpointUpdate: RuntimeSubcommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Move an endpoint to another version.")

    @OptionGroup var target: RuntimeArgument
    @Argument(help: "The endpoint's name.") var name: String
    @Argument(help: "The version to serve.") var version: String
    @OptionGroup var wait: WaitOptions
    @Flag(help: "Move an endpoint of the prod runtime without taking the prod lease (only when no workflow can run).")
    var noLease = false
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try InputChecks.endpointName(name, changing: true)
        try InputChecks.version(version)
    }

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        // The prod runtime's endpoints move under the same lease as approvals and rollbacks.
        let prodName = Settings.value("AGENTCORE_PROD_RUNTIME") ?? DeploymentSettings.defaultProdRuntimeName
        guard runtime.agentRuntimeName == prodName, !noLease else { return try await move(runtime, services: services) }
        guard let bucket = Settings.bucket else {
            throw ActionableError(
                "\(prodName) is the prod runtime, whose endpoints move only under the prod lease in the deploy bucket",
                fix: "set AGENTCORE_S3_BUCKET to the deploy bucket, or pass --no-lease if no workflow can run meanwhile")
        }
        var lease = S3Lease(
            s3: services.s3, location: ProdLease.location(bucket: bucket, runtimeName: prodName, endpointName: name),
            holder: LeaseHolder.current(environment: ProcessInfo.processInfo.environment, purpose: "agentcore endpoint update"))
        lease.log = progress
        try await lease.withLease { try await move(runtime, services: services) }
    }

    private func move(_ runtime: AgentRuntime, services: Services) async throws {
        try await services.control.requireVersion(version, of: runtime)
        let existing = try await services.requireEndpoint(
            name, of: runtime, fix: "create it with `agentcore endpoint create \(runtime.agentRuntimeName) \(version) \(name)`")
        let change = PendingChange.endpointVersion(name, runtimeId: runtime.agentRuntimeId, version: version)
        guard existing.targetVersion != version else {
            return try await wait.settle(existing, change, saying: "endpoint \(name) already targets version \(version)", services: services)
        }
        let moving = try await services.control.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(
            agentRuntimeId: runtime.agentRuntimeId, endpointName: name, agentRuntimeVersion: version))
        let made = "moving endpoint \(name) of \(runtime.agentRuntimeName) from version \(existing.targetVersion ?? "none") to \(version)"
        try await wait.settle(moving, change, saying: made, services: services)
    }
}

struct EndpointGet: RuntimeSubcommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show an endpoint.")

    @OptionGroup var target: RuntimeArgument
    @Argument(help: "The endpoint's name.") var name: String
    @OptionGroup var options: GlobalOptions

    func validate() throws { try InputChecks.endpointName(name, changing: false) }

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        let endpoint = try await services.requireEndpoint(name, of: runtime)
        try services.output.emit(endpoint, text: TextFormat.endpoint(endpoint))
    }
}

struct EndpointList: RuntimeSubcommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a runtime's endpoints.")

    @OptionGroup var target: RuntimeArgument
    @OptionGroup var options: GlobalOptions

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        let endpoints = try await services.control.allAgentRuntimeEndpoints(runtimeId: runtime.agentRuntimeId)
            .sorted { $0.name < $1.name }
        // As ListAgentRuntimeEndpoints answers.
        try services.output.emit(["runtimeEndpoints": endpoints], text: TextFormat.endpoints(endpoints))
    }
}

struct EndpointDelete: RuntimeSubcommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an endpoint.")

    @OptionGroup var target: RuntimeArgument
    @Argument(help: "The endpoint's name.") var name: String
    @OptionGroup var wait: WaitOptions
    @OptionGroup var options: GlobalOptions

    func validate() throws { try InputChecks.endpointName(name, changing: true) }

    func run(_ runtime: AgentRuntime, services: Services) async throws {
        _ = try await services.requireEndpoint(name, of: runtime)
        let status = try await wait.deleteEndpoint(name, of: runtime, services: services)
        let report = DeletionReport(
            agentRuntimeId: runtime.agentRuntimeId, agentRuntimeName: runtime.agentRuntimeName, endpointName: name, status: status)
        try services.output.emit(report, text: "endpoint \(name) of \(runtime.agentRuntimeName): \(status)")
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
