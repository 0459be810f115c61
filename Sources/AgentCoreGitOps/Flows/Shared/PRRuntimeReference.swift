import Foundation

/// A pull-request runtime checked as deletable.
public struct PRRuntimeReference: Sendable, Equatable {
    public var runtimeID: String
    public var pullRequest: Int
}
