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

/// A JSON record in the deploy bucket, written only when it changes. An unreadable one counts
/// as missing: the next deploy writes it anew.
struct BucketRecord<Value: Codable & Equatable> {
    var s3: S3Client
    var location: S3Location

    func read() async throws -> Value? {
        guard let object = try await s3.getObjectData(bucket: location.bucket, key: location.key) else { return nil }
        return try? AgentCoreJSON.decoder.decode(Value.self, from: object.data)
    }

    func write(_ value: Value) async throws {
        if let existing = try? await read(), existing == value { return }
        _ = try await s3.putObject(
            bucket: location.bucket, key: location.key, data: try AgentCoreJSON.encoder.encode(value), contentType: "application/json")
    }
}

/// The configuration the last deploy of a runtime made it run, kept to tell a hand-made change
/// (drift) from git's own (`<name>/deployed/configuration.json`). Environment variable values
/// are stored as salted SHA-256 digests: the record never holds a secret, still tells a changed
/// value from the same one, and its digests cannot be looked up in a table of known values'
/// digests. Only the deploy role reads it.
struct SentConfigurationRecord {
    var s3: S3Client
    var bucket: String
    var runtimeName: String

    struct Record: Codable, Equatable {
        var version: String
        var configuration: AgentRuntimeConfiguration
        /// Nil in records written before digests were salted.
        var salt: String?
        /// What a deploy was about to send when it last wrote this; nil once its version is recorded.
        /// A version made by a run that stopped before recording it is git's, not a hand-made change.
        var pending: AgentRuntimeConfiguration?
    }

    private var record: BucketRecord<Record> {
        BucketRecord(s3: s3, location: S3Location(bucket: bucket, key: "\(runtimeName)/deployed/configuration.json"))
    }

    /// `configuration`: what `version` runs, as AWS has it (when no version was made, the kept
    /// version's own, so its ownership tag is not mistaken for a hand-made change later).
    func store(_ configuration: AgentRuntimeConfiguration, version: String) async throws {
        // One salt per record, kept: digests stay comparable from one deploy to the next.
        let salt = (try? await read())?.salt ?? Self.newSalt()
        try await record.write(Record(version: version, configuration: configuration.fingerprinted(salt: salt), salt: salt))
    }

    /// Before a create or update: `configuration` is about to be sent. Without a record there is
    /// nothing to compare with, so nothing to keep either.
    func storePending(_ configuration: AgentRuntimeConfiguration) async throws {
        guard var existing = try await read() else { return }
        existing.pending = configuration.fingerprinted(salt: existing.salt)
        try await record.write(existing)
    }

    func read() async throws -> Record? { try await record.read() }

    static func newSalt() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// What each version of a runtime was deployed with, as git declared it: the configuration with
/// each `${NAME}` left as written, and the tags (`<name>/deployed/versions/<n>.json`). Nothing in
/// it is secret, so the pull-request role may read prod's to plan against it without being
/// allowed to read prod's configuration, which holds prod's secrets resolved. Rewritten when git
/// declares the same version differently (a reference renamed to one with the same value makes
/// no new version).
struct DeclaredSettingsRecord {
    var s3: S3Client
    var bucket: String
    var runtimeName: String

    struct Record: Codable, Equatable {
        var version: String
        var configuration: AgentRuntimeConfiguration
        var tags: [String: String]?
    }

    private func record(version: String) -> BucketRecord<Record> {
        BucketRecord(s3: s3, location: S3Location(bucket: bucket, key: "\(runtimeName)/deployed/versions/\(version).json"))
    }

    func store(_ record: Record) async throws { try await self.record(version: record.version).write(record) }

    func read(version: String) async throws -> Record? { try await record(version: version).read() }

    /// What a deploy is about to send, as git declares it, left for the next deploy
    /// (`<name>/deployed/pending-declaration.json`, the deploy role's alone): a run that stops
    /// once AWS made the version but before recording it would otherwise leave that version
    /// without a record for good, as the next deploy makes a newer one.
    struct Pending: Codable, Equatable {
        var configuration: AgentRuntimeConfiguration
        var tags: [String: String]?
        /// What was sent, environment variable values as keyed digests (`ClientTokenKey`): which
        /// version this declaration made, without keeping a secret.
        var sent: AgentRuntimeConfiguration
    }

    private var pending: BucketRecord<Pending> {
        BucketRecord(s3: s3, location: S3Location(bucket: bucket, key: "\(runtimeName)/deployed/pending-declaration.json"))
    }

    /// Before a create or update: `declared` is about to be sent as `configuration`.
    func storePending(
        _ declared: AgentRuntimeConfiguration, tags: [String: String]?, sending configuration: AgentRuntimeConfiguration, key: String
    ) async throws {
        try await pending.write(Pending(configuration: declared.normalized, tags: tags, sent: configuration.keyedDigests(key: key)))
    }

    /// Records `runtime`'s version from the pending declaration when it has no record and runs
    /// exactly what that declaration sent: a run made it and stopped before recording it. A
    /// version with settings this tool never sends was changed by hand, whatever else matches.
    func recordIfLeftPending(_ runtime: AgentRuntime, key: String) async throws {
        guard runtime.unmanagedSettings?.isEmpty ?? true,
              let configuration = runtime.configuration, try await read(version: runtime.agentRuntimeVersion) == nil,
              let pending = try await pending.read(), pending.sent == configuration.keyedDigests(key: key)
        else { return }
        try await store(Record(version: runtime.agentRuntimeVersion, configuration: pending.configuration, tags: pending.tags))
    }
}

extension AgentRuntimeConfiguration {
    /// The configuration with each environment variable value replaced by its salted digest, normalized.
    func fingerprinted(salt: String?) -> AgentRuntimeConfiguration {
        var copy = normalized
        copy.environmentVariables = copy.environmentVariables?.mapValues {
            "sha256:" + SHA256Hasher.hash(Data(((salt ?? "") + $0).utf8)).hexString
        }
        return copy
    }
}
