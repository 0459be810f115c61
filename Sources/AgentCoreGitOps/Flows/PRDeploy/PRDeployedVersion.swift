import Foundation

/// The version a successful deploy left running, recorded in the sticky comment as
/// `<!-- DEPLOYED_VERSION: 3 -->` and `<!-- DEPLOYED_COMMIT: <sha> -->` so that a later failed
/// deploy can say what still runs without asking AWS (which may be what failed).
/// Informational only: a value that is not well formed is left out, never trusted.
public struct PRDeployedVersion: Sendable, Equatable {
    public var version: String
    public var commitSHA: String?

    /// The hidden lines; none when the version is not a version number.
    public var markers: [String] {
        guard MarkerValue.matches(version, MarkerValue.versionPattern) else { return [] }
        var lines = ["<!-- DEPLOYED_VERSION: \(version) -->"]
        if let commitSHA, MarkerValue.matches(commitSHA, MarkerValue.commitSHAPattern) {
            lines.append("<!-- DEPLOYED_COMMIT: \(commitSHA) -->")
        }
        return lines
    }

    /// The recorded version in `text`, nil when there is none or it is not exactly one valid one.
    public static func parse(_ text: String) -> PRDeployedVersion? {
        guard let found = try? MarkerScanner.scan(text).lineMarkers,
              let versions = found["DEPLOYED_VERSION"], versions.count == 1,
              MarkerValue.matches(versions[0], MarkerValue.versionPattern)
        else { return nil }
        let commits = found["DEPLOYED_COMMIT"] ?? []
        let commit = commits.count == 1 && MarkerValue.matches(commits[0], MarkerValue.commitSHAPattern) ? commits[0] : nil
        return PRDeployedVersion(version: versions[0], commitSHA: commit)
    }
}
