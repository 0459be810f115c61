import Foundation

public struct SettingsError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public var problems: [String]

    public var description: String {
        let list = problems.map { "  - \($0)" }.joined(separator: "\n")
        return """
            the deployment settings are incomplete:
            \(list)
            Set them as repository variables (Settings → Secrets and variables → Actions → Variables), \
            or export them when running by hand. See docs/setup.md.
            """
    }
    public var errorDescription: String? { description }
}
