import Foundation
@testable import AgentCoreGitOps

/// The AgentCore control plane in memory, behaving like the service where the flows depend on it:
/// runtime names are unique, each create or update makes the next version, the DEFAULT endpoint
/// follows the latest version, a client token repeats its first answer, a busy runtime refuses
/// changes with ConflictException, and missing things answer ResourceNotFoundException. Changes
/// are not immediate: a new version is CREATING or UPDATING, an endpoint UPDATING, a deletion
/// DELETING, for `looksUntilSettled` reads, so the flows' waits are exercised. One version can
/// be deleted unless it is the latest or an endpoint serves or targets it; it is listed DELETING
/// until its deletion settles, then gone.
///
/// Every call is recorded (`calls`), so tests can assert what a flow did as well as what it left.
final class FakeAgentCore: AgentCoreControlClient, @unchecked Sendable {
    static let account = "123456789012"
    static let region = "us-east-1"

    /// Reads a new version, endpoint change or deletion stays in progress for.
    var looksUntilSettled = 1

    private struct Version {
        var runtime: AgentRuntime
        var pendingLooks: Int
        var settledStatus: AgentCoreStatus = .ready
        /// Looks left until a deleted version is gone; nil while it is not being deleted.
        var deletionLooks: Int?
    }

    private struct Endpoint {
        var endpoint: AgentRuntimeEndpoint
        var pendingLooks: Int
        var deleting = false
    }

    private struct Runtime {
        var id: String
        var name: String
        var versions: [Int: Version] = [:]
        var endpoints: [String: Endpoint] = [:]
        /// What CreateAgentRuntime tagged it with (tags belong to the runtime, not to a version).
        var tags: [String: String] = [:]
        /// Looks left until a deleted runtime is gone; nil while it is not being deleted.
        var deletionLooks: Int?
        var latest: Int { versions.keys.max() ?? 0 }
    }

    /// What a client token was first used for, and what it answered.
    private struct TokenUse {
        var request: String
        var answer: Any
    }

    private let lock = NSLock()
    private var runtimes: [String: Runtime] = [:]
    private var tokens: [String: TokenUse] = [:]
    private var recorded: [Call] = []
    private var failures: [String: [AWSError]] = [:]
    private var clock = 0.0
    private var nextVersionFailure: String?
    /// Whether IAM refuses an operation on a runtime id (and endpoint), as `denyAccess` set it.
    private var denied: @Sendable (_ operation: String, _ runtimeID: String, _ endpoint: String?) -> Bool = { _, _, _ in false }

    struct Call: Equatable, CustomStringConvertible {
        /// The API operation; a DeleteAgentRuntime of one version is `DeleteAgentRuntimeVersion`.
        var operation: String
        /// The runtime id, name or endpoint the call was about.
        var target: String
        var clientToken: String?
        var description: String { "\(operation) \(target)" }
    }

    var calls: [Call] { lock.withLock { recorded } }
    func calls(_ operation: String) -> [Call] { calls.filter { $0.operation == operation } }
    /// Creates, updates and deletes: what changed AWS.
    var changes: [Call] { calls.filter { !["Get", "List"].contains(where: $0.operation.hasPrefix) } }

    /// The next `operation` call fails with `error` (before it changes anything).
    func failNext(_ operation: String, with error: AWSError) {
        lock.withLock { failures[operation, default: []].append(error) }
    }

    // MARK: Setting up

    /// A runtime as another tool (or a person) made it, READY at once, with `versions` versions.
    @discardableResult
    func seedRuntime(
        name: String, description: String? = nil, versions: Int = 1, bucket: String = "bucket"
    ) -> AgentRuntime {
        lock.withLock {
            var runtime = Runtime(id: "\(name)-\(Self.randomSuffix())", name: name)
            for number in 1...versions {
                let configuration = AgentRuntimeConfiguration(
                    agentRuntimeArtifact: .code(
                        S3CodeLocation(bucket: bucket, prefix: "\(name)/seed/v\(number).zip"), runtime: "PYTHON_3_11",
                        entryPoint: ["agent.py"]),
                    roleArn: "arn:aws:iam::\(Self.account):role/seeded", description: description)
                runtime.versions[number] = Version(runtime: makeRuntime(runtime, version: number, configuration), pendingLooks: 0)
            }
            runtime.endpoints[AgentRuntimeEndpoint.defaultName] = Endpoint(
                endpoint: makeEndpoint(runtime, name: AgentRuntimeEndpoint.defaultName, version: "\(versions)"), pendingLooks: 0)
            runtimes[runtime.id] = runtime
            return runtime.versions[versions]!.runtime
        }
    }

    /// A named endpoint serving `version`, READY at once.
    func seedEndpoint(runtimeID: String, name: String, version: String) {
        lock.withLock {
            guard var runtime = runtimes[runtimeID] else { return }
            runtime.endpoints[name] = Endpoint(endpoint: makeEndpoint(runtime, name: name, version: version), pendingLooks: 0)
            runtimes[runtimeID] = runtime
        }
    }

    /// From now on an operation on an existing runtime (id, and endpoint name for endpoint
    /// operations) for which `denied` holds answers AccessDeniedException, as IAM does for a role
    /// whose policy does not grant it there.
    func denyAccess(_ denied: @escaping @Sendable (_ operation: String, _ runtimeID: String, _ endpoint: String?) -> Bool) {
        lock.withLock { self.denied = denied }
    }

    /// The next version a create or update makes ends `*_FAILED` with `reason` once it settles.
    func failNextVersion(reason: String) {
        lock.withLock { nextVersionFailure = reason }
    }

    /// The latest version of `id` ends in `status` (e.g. UPDATE_FAILED) once it settles.
    func settleLatest(of id: String, as status: AgentCoreStatus, reason: String? = nil) {
        lock.withLock {
            guard var runtime = runtimes[id], var version = runtime.versions[runtime.latest] else { return }
            version.settledStatus = status
            version.runtime.failureReason = reason
            if version.pendingLooks == 0 { version.runtime.status = status }
            runtime.versions[runtime.latest] = version
            runtimes[id] = runtime
        }
    }

    /// AWS answers for the latest version of `id` with settings the tool has no member for
    /// (`metadataConfiguration` set in the console), as `AgentCoreControl` names them.
    func setUnmanagedSettings(_ paths: [String], onLatestOf id: String) {
        lock.withLock {
            guard var runtime = runtimes[id], var version = runtime.versions[runtime.latest] else { return }
            version.runtime.unmanagedSettings = paths
            runtime.versions[runtime.latest] = version
            runtimes[id] = runtime
        }
    }

    // MARK: What is there (no call recorded, nothing settles)

    func runtimeIDs(named name: String) -> [String] {
        lock.withLock { runtimes.values.filter { $0.name == name && $0.deletionLooks == nil }.map(\.id).sorted() }
    }

    /// Version numbers of a runtime, oldest first, without those being deleted; empty when the
    /// runtime is gone or being deleted.
    func versionNumbers(of id: String) -> [String] {
        lock.withLock {
            guard let runtime = runtimes[id], runtime.deletionLooks == nil else { return [] }
            return runtime.versions.filter { $0.value.deletionLooks == nil }.keys.sorted().map(String.init)
        }
    }

    func latest(of id: String) -> AgentRuntime? {
        lock.withLock { runtimes[id].flatMap { $0.versions[$0.latest]?.runtime } }
    }

    func endpoint(of id: String, named name: String) -> AgentRuntimeEndpoint? {
        lock.withLock { runtimes[id]?.endpoints[name].flatMap { $0.deleting ? nil : $0.endpoint } }
    }

    func exists(_ id: String) -> Bool { lock.withLock { runtimes[id] != nil } }

    func tags(of id: String) -> [String: String] { lock.withLock { runtimes[id]?.tags ?? [:] } }

    // MARK: AgentCoreControlClient

    func createAgentRuntime(_ request: CreateAgentRuntimeRequest) async throws -> AgentRuntimeChange {
        try lock.withLock {
            try begin("CreateAgentRuntime", request.agentRuntimeName, token: request.clientToken)
            return try idempotent(request.clientToken, request: Self.key(request)) { () throws -> AgentRuntimeChange in
                if let existing = runtimes.values.first(where: { $0.name == request.agentRuntimeName }) {
                    throw Self.error("ConflictException", 409, "CreateAgentRuntime",
                                     "An agent runtime named \(request.agentRuntimeName) already exists (\(existing.id))")
                }
                var runtime = Runtime(
                    id: "\(request.agentRuntimeName)-\(Self.randomSuffix())", name: request.agentRuntimeName, tags: request.tags ?? [:])
                var made = makeRuntime(runtime, version: 1, request.configuration)
                made.status = looksUntilSettled == 0 ? .ready : .creating
                runtime.versions[1] = settling(made, failed: .createFailed)
                runtime.endpoints[AgentRuntimeEndpoint.defaultName] = Endpoint(
                    endpoint: makeEndpoint(runtime, name: AgentRuntimeEndpoint.defaultName, version: "1"), pendingLooks: 0)
                runtimes[runtime.id] = runtime
                return change(made)
            }
        }
    }

    func updateAgentRuntime(_ request: UpdateAgentRuntimeRequest) async throws -> AgentRuntimeChange {
        try lock.withLock {
            try changeSettled("UpdateAgentRuntime", request.agentRuntimeId, token: request.clientToken, request: Self.key(request)) { runtime in
                let number = runtime.latest + 1
                var made = makeRuntime(runtime, version: number, request.configuration)
                made.status = looksUntilSettled == 0 ? .ready : .updating
                runtime.versions[number] = settling(made, failed: .updateFailed)
                // DEFAULT follows the latest version.
                runtime.endpoints[AgentRuntimeEndpoint.defaultName]?.endpoint.liveVersion = "\(number)"
                runtime.endpoints[AgentRuntimeEndpoint.defaultName]?.endpoint.targetVersion = "\(number)"
                return change(made)
            }
        }
    }

    func getAgentRuntime(id: String, version: String?) async throws -> AgentRuntime {
        try lock.withLock {
            try begin("GetAgentRuntime", id + (version.map { " v\($0)" } ?? ""))
            var runtime = try existing(id, "GetAgentRuntime")
            let number = try version.map { text -> Int in
                guard let number = Int(text), lookAtVersion(number, of: &runtime) else {
                    runtimes[id] = runtime
                    throw Self.error("ResourceNotFoundException", 404, "GetAgentRuntime", "Version \(text) of \(id) not found")
                }
                return number
            } ?? runtime.latest
            var found = runtime.versions[number]!
            if found.deletionLooks != nil {
                runtimes[id] = runtime
                found.runtime.status = .deleting
                return found.runtime
            }
            if let looks = runtime.deletionLooks {
                runtime.deletionLooks = looks - 1
                runtimes[id] = runtime
                found.runtime.status = .deleting
                return found.runtime
            }
            let seen = found.runtime
            if found.pendingLooks > 0 {
                found.pendingLooks -= 1
                if found.pendingLooks == 0 { found.runtime.status = found.settledStatus }
                runtime.versions[number] = found
                runtimes[id] = runtime
            }
            return seen
        }
    }

    func deleteAgentRuntime(id: String, clientToken: String) async throws -> AgentCoreDeletion {
        try lock.withLock {
            try changeSettled("DeleteAgentRuntime", id, token: clientToken, request: "delete \(id)") { runtime in
                if let named = runtime.endpoints.values.first(where: { !$0.endpoint.isDefault && !$0.deleting }) {
                    throw Self.error("ConflictException", 409, "DeleteAgentRuntime",
                                     "Runtime \(id) still has endpoint \(named.endpoint.name); delete it first")
                }
                runtime.deletionLooks = runtime.deletionLooks ?? looksUntilSettled
                return AgentCoreDeletion(status: .deleting, agentRuntimeId: id, endpointName: nil)
            }
        }
    }

    /// As AgentCore: the latest version (DEFAULT follows it) and any version an endpoint serves or
    /// targets are refused with ConflictException; a version being deleted answers the same again.
    func deleteAgentRuntimeVersion(id: String, version: String, clientToken: String) async throws -> AgentCoreDeletion {
        try lock.withLock {
            try begin("DeleteAgentRuntimeVersion", "\(id) v\(version)", token: clientToken)
            return try idempotent(clientToken, request: "delete \(id) v\(version)") { () throws -> AgentCoreDeletion in
                var runtime = try existing(id, "DeleteAgentRuntime")
                if runtime.deletionLooks != nil {
                    throw Self.error("ConflictException", 409, "DeleteAgentRuntime", "Agent runtime \(id) is being deleted with all its versions")
                }
                guard let number = Int(version), lookAtVersion(number, of: &runtime), var found = runtime.versions[number] else {
                    runtimes[id] = runtime
                    throw Self.error("ResourceNotFoundException", 404, "DeleteAgentRuntime", "Version \(version) of \(id) not found")
                }
                if found.deletionLooks == nil {
                    if number == runtime.latest {
                        throw Self.error("ConflictException", 409, "DeleteAgentRuntime",
                                         "Version \(version) is the latest version of \(id); only older versions can be deleted")
                    }
                    let holders = runtime.endpoints.values.filter {
                        !$0.deleting && [$0.endpoint.liveVersion, $0.endpoint.targetVersion].contains(version)
                    }
                    if !holders.isEmpty {
                        throw Self.error("ConflictException", 409, "DeleteAgentRuntime",
                                         "Version \(version) of \(id) is used by endpoint(s) \(holders.map(\.endpoint.name).sorted().joined(separator: ", "))")
                    }
                    found.deletionLooks = looksUntilSettled
                    found.runtime.status = .deleting
                    runtime.versions[number] = found
                }
                runtimes[id] = runtime
                return AgentCoreDeletion(status: .deleting, agentRuntimeId: id, endpointName: nil, agentRuntimeVersion: version)
            }
        }
    }

    func listAgentRuntimes(maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeSummary> {
        try lock.withLock {
            try begin("ListAgentRuntimes", "")
            let all = runtimes.values.filter { $0.deletionLooks != 0 }.sorted { $0.id < $1.id }.map { runtime in
                summary(runtime.versions[runtime.latest]!.runtime, deleting: runtime.deletionLooks != nil)
            }
            return try page(all, maxResults: maxResults, nextToken: nextToken)
        }
    }

    func listAgentRuntimeVersions(id: String, maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeSummary> {
        try lock.withLock {
            try begin("ListAgentRuntimeVersions", id)
            var runtime = try existing(id, "ListAgentRuntimeVersions")
            // Newest first, as AWS lists them; a version being deleted is listed DELETING until it is gone.
            let numbers = runtime.versions.keys.sorted(by: >).filter { lookAtVersion($0, of: &runtime) }
            runtimes[id] = runtime
            let all = numbers.map { summary(runtime.versions[$0]!.runtime, deleting: runtime.versions[$0]!.deletionLooks != nil) }
            return try page(all, maxResults: maxResults, nextToken: nextToken)
        }
    }

    func createAgentRuntimeEndpoint(_ request: CreateAgentRuntimeEndpointRequest) async throws -> AgentRuntimeEndpointChange {
        try lock.withLock {
            try changeSettled(
                "CreateAgentRuntimeEndpoint", request.agentRuntimeId, endpoint: request.name, token: request.clientToken,
                request: Self.key(request)
            ) { runtime in
                if runtime.endpoints[request.name] != nil {
                    throw Self.error("ConflictException", 409, "CreateAgentRuntimeEndpoint",
                                     "Endpoint \(request.name) already exists for \(request.agentRuntimeId)")
                }
                let version = request.agentRuntimeVersion ?? "\(runtime.latest)"
                try requireVersion(version, of: runtime, "CreateAgentRuntimeEndpoint")
                var endpoint = makeEndpoint(runtime, name: request.name, version: version)
                if looksUntilSettled > 0 {
                    endpoint.status = .creating
                    endpoint.liveVersion = nil
                }
                endpoint.description = request.description
                runtime.endpoints[request.name] = Endpoint(endpoint: endpoint, pendingLooks: looksUntilSettled)
                return endpointChange(endpoint, runtimeID: runtime.id)
            }
        }
    }

    func getAgentRuntimeEndpoint(runtimeId: String, name: String) async throws -> AgentRuntimeEndpoint {
        try lock.withLock {
            try begin("GetAgentRuntimeEndpoint", "\(runtimeId)/\(name)")
            var runtime = try existing(runtimeId, "GetAgentRuntimeEndpoint")
            guard var found = runtime.endpoints[name] else {
                throw Self.error("ResourceNotFoundException", 404, "GetAgentRuntimeEndpoint", "Endpoint \(name) not found")
            }
            let seen = found.endpoint
            if found.pendingLooks > 0 {
                found.pendingLooks -= 1
                if found.pendingLooks == 0 {
                    if found.deleting {
                        runtime.endpoints[name] = nil
                    } else {
                        found.endpoint.status = .ready
                        found.endpoint.liveVersion = found.endpoint.targetVersion
                        runtime.endpoints[name] = found
                    }
                } else {
                    runtime.endpoints[name] = found
                }
                runtimes[runtimeId] = runtime
            }
            return seen
        }
    }

    func updateAgentRuntimeEndpoint(_ request: UpdateAgentRuntimeEndpointRequest) async throws -> AgentRuntimeEndpointChange {
        try lock.withLock {
            try changeSettled(
                "UpdateAgentRuntimeEndpoint", request.agentRuntimeId, endpoint: request.endpointName, token: request.clientToken,
                request: Self.key(request)
            ) { runtime in
                guard var found = runtime.endpoints[request.endpointName], !found.deleting else {
                    throw Self.error("ResourceNotFoundException", 404, "UpdateAgentRuntimeEndpoint", "Endpoint \(request.endpointName) not found")
                }
                if found.pendingLooks > 0 {
                    throw Self.error("ConflictException", 409, "UpdateAgentRuntimeEndpoint", "Endpoint \(request.endpointName) is busy")
                }
                let version = request.agentRuntimeVersion ?? "\(runtime.latest)"
                try requireVersion(version, of: runtime, "UpdateAgentRuntimeEndpoint")
                found.endpoint.targetVersion = version
                found.endpoint.status = .updating
                found.endpoint.description = request.description
                found.endpoint.lastUpdatedAt = nextTime()
                found.pendingLooks = looksUntilSettled
                if looksUntilSettled == 0 {
                    found.endpoint.status = .ready
                    found.endpoint.liveVersion = version
                }
                runtime.endpoints[request.endpointName] = found
                return endpointChange(found.endpoint, runtimeID: runtime.id)
            }
        }
    }

    func deleteAgentRuntimeEndpoint(runtimeId: String, name: String, clientToken: String) async throws -> AgentCoreDeletion {
        try lock.withLock {
            try begin("DeleteAgentRuntimeEndpoint", "\(runtimeId)/\(name)", token: clientToken)
            return try idempotent(clientToken, request: "delete \(runtimeId)/\(name)") { () throws -> AgentCoreDeletion in
                var runtime = try existing(runtimeId, "DeleteAgentRuntimeEndpoint")
                guard var found = runtime.endpoints[name] else {
                    throw Self.error("ResourceNotFoundException", 404, "DeleteAgentRuntimeEndpoint", "Endpoint \(name) not found")
                }
                found.deleting = true
                found.endpoint.status = .deleting
                found.pendingLooks = max(1, looksUntilSettled)
                runtime.endpoints[name] = found
                runtimes[runtimeId] = runtime
                return AgentCoreDeletion(status: .deleting, agentRuntimeId: runtimeId, endpointName: name)
            }
        }
    }

    func listAgentRuntimeEndpoints(runtimeId: String, maxResults: Int?, nextToken: String?) async throws -> AgentCorePage<AgentRuntimeEndpoint> {
        try lock.withLock {
            try begin("ListAgentRuntimeEndpoints", runtimeId)
            let runtime = try existing(runtimeId, "ListAgentRuntimeEndpoints")
            return try page(runtime.endpoints.values.map(\.endpoint).sorted { $0.name < $1.name }, maxResults: maxResults, nextToken: nextToken)
        }
    }

    // MARK: Service behaviour (called with the lock held)

    private func begin(_ operation: String, _ target: String, token: String? = nil) throws {
        recorded.append(Call(operation: operation, target: target, clientToken: token))
        // Targets of calls on an existing runtime: `<id>`, `<id> v<n>` or `<id>/<endpoint>`.
        let id = String(target.prefix { $0 != " " && $0 != "/" })
        let endpoint = target.firstIndex(of: "/").map { String(target[target.index(after: $0)...]) }
        if id.contains("-"), denied(operation, id, endpoint) {
            throw Self.error("AccessDeniedException", 403, operation,
                             "User: arn:aws:sts::\(Self.account):assumed-role/AgentCoreGitOpsPullRequests/run is not authorized to perform: "
                                 + "bedrock-agentcore:\(operation) on resource: \(arn(target))", service: "bedrock-agentcore")
        }
        if var queued = failures[operation], !queued.isEmpty {
            let error = queued.removeFirst()
            failures[operation] = queued
            throw error
        }
    }

    /// A change to a runtime that exists and is settled (AgentCore refuses changes to a busy one),
    /// recorded, and made once per client token.
    private func changeSettled<Answer>(
        _ operation: String, _ id: String, endpoint: String? = nil, token: String, request: String,
        _ make: (inout Runtime) throws -> Answer
    ) throws -> Answer {
        try begin(operation, id + (endpoint.map { "/\($0)" } ?? ""), token: token)
        return try idempotent(token, request: request) { () throws -> Answer in
            var runtime = try existing(id, operation)
            try requireSettled(runtime, operation)
            let answer = try make(&runtime)
            runtimes[id] = runtime
            return answer
        }
    }

    /// The first answer again for a repeated token; a token reused for another request is refused.
    private func idempotent<Answer>(_ token: String, request: String, _ make: () throws -> Answer) throws -> Answer {
        if let use = tokens[token] {
            guard use.request == request, let answer = use.answer as? Answer else {
                throw Self.error("ConflictException", 409, "", "The client token \(token) was used for another request")
            }
            return answer
        }
        let answer = try make()
        tokens[token] = TokenUse(request: request, answer: answer)
        return answer
    }

    /// A runtime being deleted is still there (DELETING) until its deletion settles.
    private func existing(_ id: String, _ operation: String) throws -> Runtime {
        guard let runtime = runtimes[id] else {
            throw Self.error("ResourceNotFoundException", 404, operation, "Agent runtime \(id) not found")
        }
        if runtime.deletionLooks == 0 {
            runtimes[id] = nil
            throw Self.error("ResourceNotFoundException", 404, operation, "Agent runtime \(id) not found")
        }
        return runtime
    }

    /// A new version in progress, ending READY or, when a failure was asked for, failed.
    private func settling(_ runtime: AgentRuntime, failed: AgentCoreStatus) -> Version {
        var version = Version(runtime: runtime, pendingLooks: max(1, looksUntilSettled))
        if let reason = nextVersionFailure {
            nextVersionFailure = nil
            version.settledStatus = failed
            version.runtime.failureReason = reason
        } else if looksUntilSettled == 0 {
            version.pendingLooks = 0
        }
        return version
    }

    private func requireSettled(_ runtime: Runtime, _ operation: String) throws {
        let latest = runtime.versions[runtime.latest]!
        if latest.pendingLooks > 0 || runtime.deletionLooks != nil {
            let status: AgentCoreStatus = runtime.deletionLooks != nil ? .deleting : latest.runtime.status
            throw Self.error("ConflictException", 409, operation, "Agent runtime \(runtime.id) is \(status); try again later")
        }
    }

    private func requireVersion(_ version: String, of runtime: Runtime, _ operation: String) throws {
        guard let number = Int(version), let found = runtime.versions[number], found.deletionLooks == nil else {
            throw Self.error("ResourceNotFoundException", 404, operation, "Version \(version) of \(runtime.id) not found")
        }
    }

    /// Whether version `number` is still there, counting one look at it when it is being deleted;
    /// a version whose deletion has settled is removed.
    private func lookAtVersion(_ number: Int, of runtime: inout Runtime) -> Bool {
        guard var version = runtime.versions[number] else { return false }
        guard let looks = version.deletionLooks else { return true }
        if looks == 0 {
            runtime.versions[number] = nil
            return false
        }
        version.deletionLooks = looks - 1
        runtime.versions[number] = version
        return true
    }

    private func page<Item>(_ all: [Item], maxResults: Int?, nextToken: String?) throws -> AgentCorePage<Item> {
        let start = nextToken.flatMap { Int($0.dropFirst("page-".count)) } ?? 0
        let size = maxResults ?? 10
        let end = min(all.count, start + size)
        return AgentCorePage(items: Array(all[min(start, all.count)..<end]), nextToken: end < all.count ? "page-\(end)" : nil)
    }

    private func nextTime() -> Date {
        clock += 1
        return Date(timeIntervalSince1970: 1_763_700_000 + clock)
    }

    private func arn(_ id: String) -> String { "arn:aws:bedrock-agentcore:\(Self.region):\(Self.account):runtime/\(id)" }

    /// A version as GetAgentRuntime answers it: every setting it was made with, as sent.
    private func makeRuntime(_ runtime: Runtime, version: Int, _ configuration: AgentRuntimeConfiguration) -> AgentRuntime {
        let time = nextTime()
        var made = AgentRuntime(
            agentRuntimeArn: arn(runtime.id), agentRuntimeName: runtime.name, agentRuntimeId: runtime.id,
            agentRuntimeVersion: "\(version)", createdAt: time, lastUpdatedAt: time, roleArn: configuration.roleArn,
            networkConfiguration: configuration.networkConfiguration, status: .ready)
        made.take(configuration)
        return made
    }

    private func makeEndpoint(_ runtime: Runtime, name: String, version: String) -> AgentRuntimeEndpoint {
        let time = nextTime()
        return AgentRuntimeEndpoint(
            name: name, liveVersion: version, targetVersion: version,
            agentRuntimeEndpointArn: arn(runtime.id) + "/runtime-endpoint/\(name)", agentRuntimeArn: arn(runtime.id),
            status: .ready, id: "\(name)-\(Self.randomSuffix())", description: nil, createdAt: time, lastUpdatedAt: time,
            failureReason: nil)
    }

    private func change(_ runtime: AgentRuntime) -> AgentRuntimeChange {
        AgentRuntimeChange(
            agentRuntimeArn: runtime.agentRuntimeArn, agentRuntimeId: runtime.agentRuntimeId,
            agentRuntimeVersion: runtime.agentRuntimeVersion, createdAt: runtime.createdAt,
            lastUpdatedAt: runtime.lastUpdatedAt, status: runtime.status)
    }

    private func endpointChange(_ endpoint: AgentRuntimeEndpoint, runtimeID: String) -> AgentRuntimeEndpointChange {
        AgentRuntimeEndpointChange(
            targetVersion: endpoint.targetVersion, liveVersion: endpoint.liveVersion,
            agentRuntimeEndpointArn: endpoint.agentRuntimeEndpointArn, agentRuntimeArn: endpoint.agentRuntimeArn,
            agentRuntimeId: runtimeID, endpointName: endpoint.name, status: endpoint.status,
            createdAt: endpoint.createdAt, lastUpdatedAt: endpoint.lastUpdatedAt)
    }

    private func summary(_ runtime: AgentRuntime, deleting: Bool) -> AgentRuntimeSummary {
        AgentRuntimeSummary(
            agentRuntimeArn: runtime.agentRuntimeArn, agentRuntimeId: runtime.agentRuntimeId,
            agentRuntimeVersion: runtime.agentRuntimeVersion, agentRuntimeName: runtime.agentRuntimeName,
            description: runtime.description, lastUpdatedAt: runtime.lastUpdatedAt,
            status: deleting ? .deleting : runtime.status)
    }

    private static func key(_ request: some Encodable) -> String {
        String(decoding: (try? AgentCoreJSON.encoder.encode(request)) ?? Data(), as: UTF8.self)
    }

    /// Ten letters, as AWS appends to a runtime's name to make its id.
    private static func randomSuffix() -> String {
        String((0..<10).map { _ in "abcdefghijABCDEFGHIJ".randomElement()! })
    }

    static func error(_ code: String, _ status: Int, _ operation: String, _ message: String, service: String? = nil) -> AWSError {
        AWSError(code: code, message: message, httpStatus: status, operation: operation, service: service)
    }
}
