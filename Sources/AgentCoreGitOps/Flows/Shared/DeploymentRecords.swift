import Foundation

/// What a runtime version was built from, as the deploying run recorded it.
public struct DeploymentRecord: Sendable, Equatable, Codable {
    public var runtimeName: String
    public var version: String
    public var commitSHA: String
    public var packageSHA256: String
    public var pullRequest: Int?
    public var recordedAt: Date
}

/// Records of what each commit deployed and what each version was first built from, in the
/// deploy bucket beside the packages. People who can edit an issue cannot edit these: writing
/// them takes the deploy role. Each is written once (`If-None-Match: *`), so a rerun, or an old
/// run re-run later, can never rewrite history.
///
/// - `<runtime>/records/commits/<sha>.json`: the version a commit's deploy ended on.
/// - `<runtime>/records/versions/<n>.json`: the commit that first made version n.
public struct DeploymentRecords: Sendable {
    public let s3: S3Client
    public let bucket: String
    public let runtimeName: String

    public init(s3: S3Client, bucket: String, runtimeName: String) {
        self.s3 = s3
        self.bucket = bucket
        self.runtimeName = runtimeName
    }

    /// Writes both records unless they exist. An existing commit record that names another
    /// version or package is an error: the commit was deployed before and ended elsewhere.
    public func record(_ record: DeploymentRecord) async throws {
        if try await !writeOnce(record, at: key("commits", record.commitSHA)),
           let existing = try await forCommit(record.commitSHA),
           existing.version != record.version || existing.packageSHA256 != record.packageSHA256 {
            throw ActionableError(
                "commit \(record.commitSHA) was deployed before as version \(existing.version) of \(runtimeName) "
                    + "(package \(existing.packageSHA256.prefix(12))…), not version \(record.version)",
                fix: "nothing to redeploy: approve the deployment issue of version \(existing.version), or merge a new commit")
        }
        // The first commit that made a version keeps it; later ones with the same package only
        // get a commit record.
        _ = try await writeOnce(record, at: key("versions", record.version))
    }

    public func forCommit(_ sha: String) async throws -> DeploymentRecord? {
        try await read(key("commits", sha))
    }

    public func forVersion(_ version: String) async throws -> DeploymentRecord? {
        try await read(key("versions", version))
    }

    private func key(_ kind: String, _ name: String) -> String { "\(runtimeName)/records/\(kind)/\(name).json" }

    /// False when a record was there already (or a racing run wrote it first).
    private func writeOnce(_ record: DeploymentRecord, at key: String) async throws -> Bool {
        do {
            _ = try await s3.putObject(
                bucket: bucket, key: key, data: try RecordJSON.encoder.encode(record), contentType: "application/json",
                condition: .noObject)
            return true
        } catch let error as AWSError where error.isPreconditionFailed {
            return false
        }
    }

    private func read(_ key: String) async throws -> DeploymentRecord? {
        guard let object = try await s3.getObjectData(bucket: bucket, key: key) else { return nil }
        do {
            return try RecordJSON.decoder.decode(DeploymentRecord.self, from: object.data)
        } catch {
            throw ActionableError(
                "s3://\(bucket)/\(key) is not a deployment record of agentcore-gitops",
                fix: "restore it from the bucket's history, or delete it and run prod-deploy for that commit again")
        }
    }
}
