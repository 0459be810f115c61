import Foundation

/// Where a package was uploaded, for `deploy` and the `--json` manifest.
public struct PackageUpload: Sendable, Equatable, Codable {
    /// `s3://bucket/key`.
    public var location: String
    /// Set when the bucket is versioned: the runtime can be pinned to exactly these bytes.
    public var versionId: String?
}

extension PackageBuilder {
    /// Uploads a built package. PutObject carries the zip's SHA-256 (S3 refuses bytes that do not
    /// match it) and replaces the object whole, so running it again is safe. Call it only with a
    /// manifest from `build` or `zip`: the limits have been checked by then.
    public static func upload(_ manifest: PackageManifest, to location: S3Location, s3: S3Client) async throws -> PackageManifest {
        let put = try await s3.putObject(
            bucket: location.bucket, key: location.key, fileURL: URL(fileURLWithPath: manifest.path),
            contentType: "application/zip")
        guard put.sha256Hex == manifest.sha256 else {
            throw PackagingError.io("\(manifest.path) changed after it was built (its SHA-256 is now \(put.sha256Hex)); build it again")
        }
        var uploaded = manifest
        uploaded.upload = PackageUpload(location: location.description, versionId: put.versionID)
        return uploaded
    }
}
