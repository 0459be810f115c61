import Foundation

/// A pull-request runtime and what became of it.
public struct RemovedPRRuntime: Sendable, Equatable {
    public var runtime: PRRuntimeReference
    public var removal: PRRuntimeRemoval
}
