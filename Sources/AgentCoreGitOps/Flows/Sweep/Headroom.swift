import Foundation

/// How much of one AgentCore quota is used (the default quotas; AWS may have raised them).
public struct Headroom: Sendable, Equatable, Encodable {
    public static let runtimesPerAccount = 1_000
    public static let versionsPerRuntime = 1_000
    public static let endpointsPerRuntime = 10

    public var quota: String
    public var used: Int
    public var limit: Int

    /// The share of the quota from which the sweep warns.
    public static let warningShare = 0.8

    public var left: Int { max(0, limit - used) }
    /// 80% or more used: time to clean up or ask for more.
    public var isLow: Bool { Double(used) >= Double(limit) * Self.warningShare }

    /// The headroom of the account's runtimes and of this repository's runtimes: versions and
    /// endpoints of prod, and of the fullest pull-request runtime.
    public static func measure(
        runtimesInAccount: Int, prod: RuntimeCounts?, pullRequests: [RuntimeCounts]
    ) -> [Headroom] {
        var rows = [Headroom(quota: "Runtimes in this account and region", used: runtimesInAccount, limit: runtimesPerAccount)]
        if let prod {
            rows.append(Headroom(quota: "Versions of \(prod.name)", used: prod.versions, limit: versionsPerRuntime))
            rows.append(Headroom(quota: "Endpoints of \(prod.name)", used: prod.endpoints, limit: endpointsPerRuntime))
        }
        // Ties go to the lower pull request, so the report reads the same on every run.
        let ordered = pullRequests.sorted { $0.name < $1.name }
        if let fullest = ordered.max(by: { $0.versions < $1.versions }), fullest.versions > 0 {
            rows.append(Headroom(
                quota: "Versions of \(fullest.name), the fullest PR runtime", used: fullest.versions, limit: versionsPerRuntime))
        }
        if let fullest = ordered.max(by: { $0.endpoints < $1.endpoints }) {
            rows.append(Headroom(
                quota: "Endpoints of \(fullest.name), the fullest PR runtime", used: fullest.endpoints, limit: endpointsPerRuntime))
        }
        return rows
    }

    /// What one runtime holds, counted by the sweep.
    public struct RuntimeCounts: Sendable, Equatable {
        public var name: String
        public var versions: Int
        public var endpoints: Int
    }

    /// 1,000 as people write it (no locale: logs should read the same everywhere).
    static func format(_ number: Int) -> String {
        let digits = Array(String(number.magnitude))
        var grouped = number < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return grouped
    }
}
