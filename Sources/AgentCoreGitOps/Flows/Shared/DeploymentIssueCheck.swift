import Foundation

/// Whether a deployment issue promotes exactly what a person read and what AWS runs.
///
/// The hidden metadata decides what moves, so it must agree with three things people cannot
/// quietly change together: what the issue shows (its title and table), the deployment record
/// written when the version was made, and the SHA-256 of the code that version runs.
public struct DeploymentIssueCheck: Sendable {
    public var metadata: DeploymentMetadata
    public var title: String
    public var body: String
    /// The record of the metadata's commit; nil when there is none.
    public var record: DeploymentRecord?
    /// Hex SHA-256 of the artifact the version runs, from S3; nil when S3 keeps none.
    public var artifactSHA256: String?

    /// Every disagreement, each naming the field and both values; empty when all agree.
    public func disagreements() -> [String] {
        var found: [String] = []
        let version = metadata.version
        if let shown = Self.titleVersion(title), shown != version {
            found.append("version: the hidden metadata says \(version), the title says \(shown)")
        } else if Self.titleVersion(title) == nil {
            found.append("version: the title does not name a version (it should read \"Promote … version \(version) …\")")
        }
        if let shown = Self.tableValue("Version", in: body)?.split(separator: " ").first.map(String.init), shown != version {
            found.append("version: the hidden metadata says \(version), the table says \(shown)")
        }
        guard let commit = metadata.commitSHA, let package = metadata.packageSHA256 else {
            found.append("metadata: COMMIT_SHA and PACKAGE_SHA256 are missing, so nothing can be checked")
            return found
        }
        if let shown = Self.tableValue("Commit", in: body), shown != commit {
            found.append("commit: the hidden metadata says \(commit), the table says \(shown)")
        }
        if let shown = Self.tableValue("Package", in: body)?.firstMatch(of: /`([0-9a-f]{64})`/).map({ String($0.1) }), shown != package {
            found.append("package SHA-256: the hidden metadata says \(package), the table says \(shown)")
        }
        guard let record else {
            found.append("record: there is no deployment record of commit \(commit); prod-deploy writes one for every commit it deploys")
            return found
        }
        if record.version != version {
            found.append("version: commit \(commit.prefix(7)) was deployed as version \(record.version), the metadata says \(version)")
        }
        if record.packageSHA256 != package {
            found.append("package SHA-256: commit \(commit.prefix(7)) was deployed with package \(record.packageSHA256), the metadata says \(package)")
        }
        if let artifactSHA256, artifactSHA256 != package {
            found.append("package SHA-256: version \(version) runs code with SHA-256 \(artifactSHA256), the metadata says \(package)")
        }
        return found
    }

    /// `Promote prod version 3 (#12, abc1234)` → `3`.
    static func titleVersion(_ title: String) -> String? {
        title.firstMatch(of: /\bversion ([1-9][0-9]{0,4})\b/).map { String($0.1) }
    }

    /// The value cell of a `| Name | value |` row, without backticks around it.
    static func tableValue(_ name: String, in body: String) -> String? {
        for line in body.split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, cells[1] == name else { continue }
            return cells[2]
        }
        return nil
    }
}
