import Foundation

public struct RuntimeSettingsError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public var source: String
    public var field: String?
    public var problem: String

    public var description: String {
        if let field { return "\(source): \(field) \(problem)" }
        return "\(source) \(problem)"
    }
    public var errorDescription: String? { description }
}
