import Foundation

/// What moving the prod endpoint did.
public struct EndpointMove: Sendable, Equatable {
    public var runtimeID: String
    public var endpointName: String
    /// The version the endpoint served when this run first looked; nil when it did not exist.
    public var fromVersion: String?
    public var toVersion: String
    /// False when the endpoint already served `toVersion` (a rerun, or a racing run moved it).
    public var changed: Bool
}
