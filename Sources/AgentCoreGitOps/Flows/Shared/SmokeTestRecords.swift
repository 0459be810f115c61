import Foundation

/// What the smoke test of one runtime version found, as the deploying run recorded it.
public struct SmokeTestRecord: Sendable, Equatable, Codable {
    public var runtimeName: String
    public var runtimeID: String
    public var version: String
    /// The commit whose deploy ran the test.
    public var commitSHA: String
    public var passed: Bool
    public var endpoint: String
    public var latencyMicroseconds: Int64
    /// The start of the answer, secrets removed (as the comment and the issue show it).
    public var answer: String?
    public var answerTruncated: Bool
    public var reason: String?
    public var expectation: String?
    public var timeoutSeconds: Int
    public var testedAt: Date

    public init(_ result: SmokeTestResult, runtimeName: String, version: String, commitSHA: String, testedAt: Date) {
        self.runtimeName = runtimeName
        runtimeID = AgentRuntimeARN(result.runtimeARN)?.runtimeID ?? result.runtimeARN
        self.version = version
        self.commitSHA = commitSHA
        passed = result.passed
        endpoint = result.endpoint
        latencyMicroseconds = result.latency.components.seconds * 1_000_000 + result.latency.components.attoseconds / 1_000_000_000_000
        answer = result.answer?.text
        answerTruncated = result.answer?.truncated ?? false
        reason = result.reason
        expectation = result.expectation
        timeoutSeconds = result.timeoutSeconds
        self.testedAt = testedAt
    }

    /// The result again, for the comment and the issue; `runtimeARN` is the version's runtime.
    public func result(runtimeARN: String) -> SmokeTestResult {
        SmokeTestResult(
            passed: passed, runtimeARN: runtimeARN, endpoint: endpoint, latency: .microseconds(latencyMicroseconds),
            answer: answer.map { ErrorExcerpt(text: $0, truncated: answerTruncated) }, reason: reason,
            expectation: expectation, timeoutSeconds: timeoutSeconds)
    }
}

/// A smoke-test record as read, with the ETag a write over it is conditional on.
public struct StoredSmokeTestRecord: Sendable, Equatable {
    public var record: SmokeTestRecord
    public var etag: String?
}

/// The smoke-test records of a runtime's versions, beside its other records in the deploy
/// bucket: `<runtime name>/records/smoke-tests/<runtime id>/v<n>.json`. They decide whether a
/// version may be promoted; people who can edit an issue cannot write them (that takes a deploy
/// role). A pass is final: it is never overwritten. A failure is replaced by the next test's
/// result, so re-running the deploy job re-tests the version. Keyed by runtime id, since a
/// runtime deleted and created again under its name numbers its versions from 1 again.
extension DeploymentRecords {
    public func smokeTest(runtimeID: String, version: String) async throws -> SmokeTestRecord? {
        try await storedSmokeTest(runtimeID: runtimeID, version: version)?.record
    }

    public func storedSmokeTest(runtimeID: String, version: String) async throws -> StoredSmokeTestRecord? {
        try await readSmokeTest(smokeTestKey(runtimeID: runtimeID, version: version))
    }

    /// Stores `record` over `stored` (what the caller read before; nil for nothing) unless a pass
    /// is stored, and returns what is stored now. Each write is conditional on what was read, so a
    /// racing run's pass is never overwritten by a failure.
    @discardableResult
    public func recordSmokeTest(_ record: SmokeTestRecord, replacing stored: StoredSmokeTestRecord?) async throws -> SmokeTestRecord {
        let key = smokeTestKey(runtimeID: record.runtimeID, version: record.version)
        let data = try RecordJSON.encoder.encode(record)
        var existing = stored
        for _ in 0..<3 {
            if let existing, existing.record.passed { return existing.record }
            do {
                _ = try await s3.putObject(
                    bucket: bucket, key: key, data: data, contentType: "application/json",
                    condition: existing.map { .etag($0.etag ?? "") } ?? .noObject)
                return record
            } catch let error as AWSError where error.isPreconditionFailed {
                existing = try await readSmokeTest(key)  // another run wrote it since it was read: look again
            }
        }
        throw ActionableError(
            "the smoke-test record s3://\(bucket)/\(key) kept changing while it was written",
            fix: "another run is testing the same version; run this job again once it has finished")
    }

    private func smokeTestKey(runtimeID: String, version: String) -> String {
        "\(runtimeName)/records/smoke-tests/\(runtimeID)/v\(version).json"
    }

    private func readSmokeTest(_ key: String) async throws -> StoredSmokeTestRecord? {
        guard let object = try await s3.getObjectData(bucket: bucket, key: key) else { return nil }
        do {
            return StoredSmokeTestRecord(
                record: try RecordJSON.decoder.decode(SmokeTestRecord.self, from: object.data), etag: object.etag)
        } catch {
            throw ActionableError(
                "s3://\(bucket)/\(key) is not a smoke-test record of agentcore-gitops",
                fix: "delete it and run the deploy job again, which tests the version again")
        }
    }
}
