import Foundation

/// The retention rule, decided without touching anything: of one runtime's versions, keep
///
/// - the newest `keepNewest` (by version number; versions already being deleted do not count),
/// - every version an endpoint serves or targets (`liveVersion` and `targetVersion` of every
///   endpoint, `DEFAULT` included),
/// - the last `keepPromoted` promoted (see `PromotionHistory`), so rollbacks stay possible,
/// - every version still being made (CREATING, UPDATING),
///
/// and delete the rest.
public enum VersionRetention {
    /// A version as ListAgentRuntimeVersions reports it.
    public struct Version: Sendable, Equatable {
        public var number: String
        public var status: AgentCoreStatus

        public init(_ number: String, status: AgentCoreStatus = .ready) {
            self.number = number
            self.status = status
        }

        public init(_ summary: AgentRuntimeSummary) {
            self.init(summary.agentRuntimeVersion, status: summary.status)
        }
    }

    /// The versions one endpoint holds on to.
    public struct EndpointPin: Sendable, Equatable {
        public var name: String
        public var versions: Set<String>

        public init(name: String, versions: Set<String>) {
            self.name = name
            self.versions = versions
        }

        public init(_ endpoint: AgentRuntimeEndpoint) {
            self.init(name: endpoint.name, versions: Set([endpoint.liveVersion, endpoint.targetVersion].compactMap { $0 }))
        }
    }

    public enum Reason: Sendable, Equatable, Hashable, Encodable, CustomStringConvertible {
        case newest
        case endpoint(String)
        case promoted
        case inProgress

        public var description: String {
            switch self {
            case .newest: "newest"
            case .endpoint(let name): "endpoint \(name)"
            case .promoted: "promoted"
            case .inProgress: "being made"
            }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    public struct Kept: Sendable, Equatable, Encodable {
        public var version: String
        public var reasons: [Reason]
    }

    public struct Plan: Sendable, Equatable, Encodable {
        /// Newest first, each with why it stays.
        public var kept: [Kept]
        /// Newest first.
        public var delete: [String]
        /// Versions AWS is deleting already: neither kept nor deleted again.
        public var alreadyDeleting: [String]

        public var keptVersions: [String] { kept.map(\.version) }
    }

    public static func plan(
        versions: [Version], endpoints: [EndpointPin], promoted: Set<String>, policy: RetentionPolicy
    ) -> Plan {
        let ordered = versions.sorted { number($0.number) > number($1.number) }
        let alive = ordered.filter { $0.status != .deleting }
        let newest = Set(alive.prefix(policy.keepNewest).map(\.number))
        var plan = Plan(kept: [], delete: [], alreadyDeleting: ordered.filter { $0.status == .deleting }.map(\.number))
        for version in alive {
            var reasons: [Reason] = []
            if newest.contains(version.number) { reasons.append(.newest) }
            for endpoint in endpoints.sorted(by: { $0.name < $1.name }) where endpoint.versions.contains(version.number) {
                reasons.append(.endpoint(endpoint.name))
            }
            if promoted.contains(version.number) { reasons.append(.promoted) }
            if version.status == .creating || version.status == .updating { reasons.append(.inProgress) }
            if reasons.isEmpty {
                plan.delete.append(version.number)
            } else {
                plan.kept.append(Kept(version: version.number, reasons: reasons))
            }
        }
        return plan
    }

    /// Versions are numbers; anything else sorts last and is never among the newest.
    private static func number(_ version: String) -> Int { Int(version) ?? Int.min }
}
