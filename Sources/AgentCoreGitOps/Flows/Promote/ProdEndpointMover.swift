import Foundation

/// Points a runtime's endpoint at a version and waits until it serves it.
///
/// Safe against reruns and races: it looks before it changes (already there → nothing to do),
/// waits while the runtime or the endpoint is busy (prod-deploy may be updating the runtime),
/// retries on ConflictException, and derives each call's client token from the endpoint state it
/// saw — two runs that see the same state send the same request and AWS makes one change.
struct ProdEndpointMover: Sendable {
    let agentCore: any AgentCoreControlClient
    let waiter: AgentCoreWaiter
    let endpointName: String
    let log: @Sendable (String) -> Void
    /// How many times a busy runtime or endpoint (ConflictException) is waited out.
    var maxConflicts = 20

    /// The version the endpoint serves now; nil when the runtime has no such endpoint.
    func liveVersion(runtimeID: String) async throws -> String? {
        try await agentCore.findEndpoint(runtimeId: runtimeID, name: endpointName)?.liveVersion
    }

    /// `beforeChange` sees the version the endpoint serves right before each change request, after
    /// every wait, and may refuse: what was true when the run started may not be true any more.
    func move(
        runtimeID: String, to version: String,
        beforeChange: @Sendable (_ liveVersion: String?) async throws -> Void = { _ in }
    ) async throws -> EndpointMove {
        var firstSeen: String??
        var replaced: String??
        var changed = false
        for attempt in 0..<maxConflicts {
            try await settleRuntime(runtimeID)
            let endpoint = try await agentCore.findEndpoint(runtimeId: runtimeID, name: endpointName)
            if firstSeen == nil { firstSeen = .some(endpoint?.liveVersion) }
            let move = { EndpointMove(runtimeID: runtimeID, endpointName: endpointName, fromVersion: (replaced ?? firstSeen) ?? nil,
                                      toVersion: version, changed: changed) }
            if let endpoint, endpoint.status == .creating || endpoint.status == .updating {
                log("Endpoint \(endpointName) is \(endpoint.status); waiting for it to settle")
                try await waiter.endpointSettled(runtimeId: runtimeID, name: endpointName, version: endpoint.targetVersion ?? version)
                continue
            }
            if let endpoint, endpoint.status == .ready, endpoint.liveVersion == version,
               endpoint.targetVersion == nil || endpoint.targetVersion == version {
                // A rerun after a crash that came after the move: the move's note says where the
                // endpoint came from, so the rerun reports what the first attempt would have.
                if !changed, firstSeen == .some(version), let from = Self.movedFrom(endpoint.description, to: version) {
                    return EndpointMove(runtimeID: runtimeID, endpointName: endpointName, fromVersion: from,
                                        toVersion: version, changed: false)
                }
                return move()
            }
            if endpoint?.status == .deleting {
                throw ActionableError.refusal("the endpoint \(endpointName) is being deleted", fix: "wait until it is gone, then run again to create it")
            }
            try await beforeChange(endpoint?.liveVersion)
            do {
                try await change(endpoint, runtimeID: runtimeID, to: version)
                replaced = .some(endpoint?.liveVersion)
                changed = true
                try await waiter.endpointReady(runtimeId: runtimeID, name: endpointName, version: version)
                return move()
            } catch let error as AWSError where error.isConflict {
                log("AgentCore says the runtime or endpoint is busy (\(error.message)); waiting, then trying again")
                try await waiter.pause(afterAttempt: attempt)
            }
        }
        throw ActionableError.refusal(
            "the runtime \(runtimeID) or its endpoint \(endpointName) stayed busy through \(maxConflicts) attempts",
            fix: "wait until running deployments finish, then run the workflow again")
    }

    private func change(_ endpoint: AgentRuntimeEndpoint?, runtimeID: String, to version: String) async throws {
        guard let endpoint else {
            log("Creating endpoint \(endpointName) at version \(version)")
            _ = try await agentCore.createAgentRuntimeEndpoint(CreateAgentRuntimeEndpointRequest(
                agentRuntimeId: runtimeID, name: endpointName, agentRuntimeVersion: version,
                clientToken: DeterministicClientToken.make("CreateAgentRuntimeEndpoint", runtimeID, endpointName, version)))
            return
        }
        log("Moving endpoint \(endpointName) from version \(endpoint.liveVersion ?? "none") to \(version)")
        let seen = [endpoint.liveVersion ?? "-", endpoint.targetVersion ?? "-",
                    endpoint.lastUpdatedAt.map { String($0.timeIntervalSince1970) } ?? "-"]
        _ = try await agentCore.updateAgentRuntimeEndpoint(UpdateAgentRuntimeEndpointRequest(
            agentRuntimeId: runtimeID, endpointName: endpointName, agentRuntimeVersion: version,
            description: Self.moveNote(from: endpoint.liveVersion, to: version),
            clientToken: DeterministicClientToken.make(
                "UpdateAgentRuntimeEndpoint", runtimeID, endpointName, seen[0], seen[1], seen[2], version)))
    }

    /// The endpoint description a move leaves: the same for runs that saw the same state, so
    /// racing runs still send identical requests under one client token.
    static func moveNote(from: String?, to version: String) -> String? {
        from.map { "agentcore-gitops moved this endpoint from version \($0) to \(version)" }
    }

    /// The version a move to `version` came from, read back from its note.
    static func movedFrom(_ description: String?, to version: String) -> String? {
        guard let description, let match = description.wholeMatch(of: /agentcore-gitops moved this endpoint from version (\d+) to (\d+)/),
              match.output.2 == version
        else { return nil }
        return String(match.output.1)
    }

    /// Waits while prod-deploy (or anyone) is still making a version: AgentCore refuses endpoint
    /// changes on a runtime that is not settled.
    private func settleRuntime(_ runtimeID: String) async throws {
        let runtime = try await agentCore.getAgentRuntime(id: runtimeID)
        guard runtime.status == .creating || runtime.status == .updating else { return }
        log("Runtime \(runtime.agentRuntimeName) is \(runtime.status) (a deployment is running); waiting for it to settle")
        try await waiter.runtimeSettled(id: runtimeID)
    }
}
