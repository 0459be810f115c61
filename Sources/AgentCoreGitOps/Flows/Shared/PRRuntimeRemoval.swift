import Foundation

/// What became of a pull-request runtime.
public enum PRRuntimeRemoval: String, Sendable, Equatable, Codable {
    case deleted
    case alreadyGone = "already gone"
}
