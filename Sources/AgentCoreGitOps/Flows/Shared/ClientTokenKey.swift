import Foundation

/// The secret key a runtime's create and update tokens digest its settings under
/// (`<name>/deployed/client-token-key.json`), made once and kept. A client token is visible in
/// CloudTrail; hashed from the settings alone, it would let anyone who reads it try guesses of a
/// short secret. Keyed, it still repeats for the same change on every run, which is its point.
/// Only the roles that deploy the runtime can read the key.
struct ClientTokenKey {
    var s3: S3Client
    var bucket: String
    var runtimeName: String

    private struct Record: Codable { var key: String }

    var location: S3Location { S3Location(bucket: bucket, key: "\(runtimeName)/deployed/client-token-key.json") }

    /// The stored key, or a new one stored first. Written only where none is, so of two racing
    /// first runs the one that stores first decides, and both use its key.
    func key() async throws -> String {
        if let stored = try await read() { return stored }
        let fresh = SentConfigurationRecord.newSalt()
        do {
            _ = try await s3.putObject(
                bucket: location.bucket, key: location.key, data: try JSONEncoder().encode(Record(key: fresh)),
                contentType: "application/json", condition: .noObject)
            return fresh
        } catch let error as AWSError where error.isPreconditionFailed {
            guard let stored = try await read() else { throw error }
            return stored
        }
    }

    private func read() async throws -> String? {
        guard let object = try await s3.getObjectData(bucket: location.bucket, key: location.key) else { return nil }
        guard let record = try? JSONDecoder().decode(Record.self, from: object.data), !record.key.isEmpty else {
            throw ActionableError(
                "\(location) is not a client-token key of agentcore-gitops",
                fix: "delete it: the next deploy makes a new one (a rerun of a deploy interrupted before then may add one more version)")
        }
        return record.key
    }
}

extension AgentRuntimeConfiguration {
    /// The configuration with each environment variable value replaced by its HMAC-SHA256 under
    /// `key`, normalized: what a client token hashes, so a token tells nothing about the values
    /// to whoever lacks the key, and still changes when one of them does.
    func keyedDigests(key: String) -> AgentRuntimeConfiguration {
        var copy = normalized
        copy.environmentVariables = copy.environmentVariables?.mapValues {
            "hmac-sha256:" + HMACSHA256.authenticate(Data($0.utf8), key: Data(key.utf8)).hexString
        }
        return copy
    }
}
