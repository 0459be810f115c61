import Foundation

/// A problem in `agentcore.json`: the file, the field's path (`environments.prod.tags`), what is
/// wrong and what to write instead.
public struct RuntimeSettingsError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public var source: String
    public var field: String?
    public var problem: String
    public var fix: String?

    public var description: String {
        let text = field.map { "\(source): \($0) \(problem)" } ?? "\(source) \(problem)"
        return fix.map { "\(text) — \($0)" } ?? text
    }
    public var errorDescription: String? { description }
}
