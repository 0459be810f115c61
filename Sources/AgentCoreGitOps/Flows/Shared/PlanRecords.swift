import Foundation

// What the deploy flows keep in S3 beside the packages so a plan can compare cheaply: each
// package's manifest (`<name>/packages/<sha256>.manifest.json`) and the configuration the last
// deploy sent (`<name>/deployed/configuration.json`).

/// A package's manifest stored beside it, so a plan reads what prod runs without downloading prod's zip.
struct PackageContentsRecord {
    var s3: S3Client

    static func location(beside package: S3Location) -> S3Location {
        let stem = package.key.hasSuffix(".zip") ? String(package.key.dropLast(4)) : package.key
        return S3Location(bucket: package.bucket, key: stem + ".manifest.json")
    }

    /// Content-addressed like the package: written once.
    func store(_ package: PackageManifest, beside location: S3Location) async throws {
        let record = Self.location(beside: location)
        guard let contents = try PackageContents.read(fromArchive: URL(fileURLWithPath: package.path)) else { return }
        if try await s3.headObject(bucket: record.bucket, key: record.key) != nil { return }
        _ = try await s3.putObject(bucket: record.bucket, key: record.key, data: try contents.encoded(), contentType: "application/json")
    }

    /// The manifest of the package at `location`: from its record, else from the zip itself
    /// (packages uploaded before records were kept); nil when it has none.
    func read(forPackageAt location: S3Location) async throws -> PackageContents? {
        let record = Self.location(beside: location)
        if let object = try await s3.getObjectData(bucket: record.bucket, key: record.key),
           let contents = try? JSONDecoder().decode(PackageContents.self, from: object.data) {
            return contents
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentcore-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try await s3.getObject(bucket: location.bucket, key: location.key, to: file)
        } catch let error as AWSError where error.isNotFound || error.isAccessDenied {
            // The pull-request role may read prod's manifests but not its code: no manifest to compare.
            return nil
        }
        return try PackageContents.read(fromArchive: file)
    }
}

/// The configuration the last deploy of a runtime sent, kept to tell a hand-made change (drift)
/// from git's own. Environment variable values are stored as SHA-256 digests: the record never
/// holds a secret, and still tells a changed value from the same one.
struct SentConfigurationRecord {
    var s3: S3Client
    var bucket: String
    var runtimeName: String

    struct Record: Codable, Equatable {
        var version: String
        var configuration: AgentRuntimeConfiguration
    }

    var key: String { "\(runtimeName)/deployed/configuration.json" }

    func store(_ configuration: AgentRuntimeConfiguration, version: String) async throws {
        let record = Record(version: version, configuration: configuration.fingerprinted)
        if let existing = try? await read(), existing == record { return }
        _ = try await s3.putObject(
            bucket: bucket, key: key, data: try AgentCoreJSON.encoder.encode(record), contentType: "application/json")
    }

    func read() async throws -> Record? {
        guard let object = try await s3.getObjectData(bucket: bucket, key: key) else { return nil }
        return try? AgentCoreJSON.decoder.decode(Record.self, from: object.data)
    }
}

extension AgentRuntimeConfiguration {
    /// The configuration with each environment variable value replaced by its digest, normalized.
    var fingerprinted: AgentRuntimeConfiguration {
        var copy = normalized
        copy.environmentVariables = copy.environmentVariables?.mapValues { "sha256:" + SHA256Hasher.hash(Data($0.utf8)).hexString }
        return copy
    }
}
