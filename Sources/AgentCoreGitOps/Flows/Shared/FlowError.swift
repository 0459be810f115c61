import Foundation

/// Something a flow refuses to do, with what the user should do about it.
public struct FlowError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public var problem: String
    public var fix: String

    public init(_ problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(problem). \(fix)" }
    public var errorDescription: String? { description }
}
