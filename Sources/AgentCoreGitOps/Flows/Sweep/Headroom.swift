import Foundation

/// How much of one AgentCore quota is used (the default quotas; AWS may have raised them).
public struct Headroom: Sendable, Equatable, Encodable {
    public static let runtimesPerAccount = 1_000
    public static let versionsPerRuntime = 1_000
    public static let endpointsPerRuntime = 10

    public var quota: String
    public var used: Int
    public var limit: Int

    public var left: Int { max(0, limit - used) }
    /// Less than a tenth left: time to clean up or ask for more.
    public var isLow: Bool { left * 10 < limit }

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
