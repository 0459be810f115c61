import Foundation

/// What the bot's sticky comment records, from its hidden markers: the pull request's runtime and
/// the version last deployed to it. A failed deploy writes the same record back, so the runtime
/// stays findable and the comment keeps saying what still runs, however many runs fail.
public struct PRCommentRecord: Sendable, Equatable {
    public var runtimeID: String?
    /// Only with a runtime id: a version means nothing without its runtime.
    public var deployed: PRDeployedVersion?

    public init(runtimeID: String?, deployed: PRDeployedVersion?) {
        self.runtimeID = runtimeID
        self.deployed = runtimeID == nil ? nil : deployed
    }

    public static let empty = PRCommentRecord(runtimeID: nil, deployed: nil)

    /// The hidden lines that carry the record; throws for a runtime id that is not one.
    public func markers() throws -> [String] {
        guard let runtimeID else { return [] }
        return [try RuntimeIDMarker.render(runtimeID)] + (deployed?.markers ?? [])
    }
}
