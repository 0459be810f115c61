import Foundation

/// Who holds a lease: a stable key (the same for a rerun of the same workflow run, so a rerun
/// after a crash takes its own lease back) and words for people.
public struct LeaseHolder: Sendable, Equatable, Codable {
    public var key: String
    public var description: String

    /// A workflow run (`GITHUB_RUN_ID`), or a person running the CLI on this machine.
    public static func current(environment: [String: String], purpose: String) -> LeaseHolder {
        if let runID = environment["GITHUB_RUN_ID"], !runID.isEmpty {
            let workflow = environment["GITHUB_WORKFLOW"].map { " (\($0))" } ?? ""
            let actor = environment["GITHUB_TRIGGERING_ACTOR"] ?? environment["GITHUB_ACTOR"]
            return LeaseHolder(
                key: "github-run:\(environment["GITHUB_REPOSITORY"] ?? "")/\(runID)",
                description: "\(purpose), workflow run \(runID)\(workflow)" + (actor.map { " started by @\($0)" } ?? ""))
        }
        let host = ProcessInfo.processInfo.hostName
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "someone"
        let pid = ProcessInfo.processInfo.processIdentifier
        return LeaseHolder(key: "cli:\(user)@\(host):\(pid)", description: "\(purpose), by \(user) on \(host) (process \(pid))")
    }
}

/// One holder at a time for a change that must not overlap another, across workflows, their
/// reruns and hand-run CLI commands: an object in S3 written only with conditional writes.
///
/// Taking the lease is `PutObject If-None-Match: *` (or `If-Match` on an expired or released
/// record), so of two takers S3 lets exactly one through. A holder that dies leaves a record that
/// expires after `duration`; anyone may take it after that. Releasing overwrites our own record
/// (If-Match on its ETag) with an expired one, so a late release never frees someone else's lease.
public struct S3Lease: Sendable {
    /// What the lease object holds.
    public struct Record: Sendable, Equatable, Codable {
        public var holder: LeaseHolder
        /// New for every acquisition: tells our own record from a later one by the same holder.
        public var token: String
        public var acquiredAt: Date
        public var expiresAt: Date
    }

    public let s3: S3Client
    public let location: S3Location
    public let holder: LeaseHolder
    /// How long a record stays valid when its holder never releases it.
    public var duration: Duration = .seconds(15 * 60)
    /// How long to wait for another holder before giving up.
    public var maxWait: Duration = .seconds(30 * 60)
    public var pollInterval: Duration = .seconds(5)
    public var now: @Sendable () -> Date = { Date() }
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    public var log: @Sendable (String) -> Void = { _ in }

    public init(s3: S3Client, location: S3Location, holder: LeaseHolder) {
        self.s3 = s3
        self.location = location
        self.holder = holder
    }

    /// Runs `body` while holding the lease, and releases it afterwards, also when `body` throws.
    public func withLease<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let held = try await acquire()
        do {
            let result = try await body()
            await release(held)
            return result
        } catch {
            await release(held)
            throw error
        }
    }

    /// A lease this process holds: its record and the ETag S3 gave it.
    public struct Held: Sendable, Equatable {
        public var record: Record
        public var etag: String?
    }

    public func acquire() async throws -> Held {
        let start = now()
        var announced: String?
        while true {
            let record = Record(
                holder: holder, token: UUID().uuidString, acquiredAt: now(),
                expiresAt: now().addingTimeInterval(duration.seconds))
            if let etag = try await write(record, condition: .noObject) { return Held(record: record, etag: etag) }

            guard let (current, etag) = try await read() else { continue }  // released and deleted meanwhile
            if current.expiresAt <= now() || current.holder.key == holder.key {
                if current.holder.key == holder.key, current.expiresAt > now() {
                    log("Taking back the lease \(location) that this run held before (\(current.holder.description))")
                }
                if let newETag = try await write(record, condition: .etag(etag)) { return Held(record: record, etag: newETag) }
                continue
            }
            let waited = now().timeIntervalSince(start)
            guard waited < maxWait.seconds else {
                throw ActionableLeaseError(
                    problem: "\(current.holder.description) has been changing this since \(Self.format(current.acquiredAt)) "
                        + "and holds the lease \(location) until \(Self.format(current.expiresAt))",
                    fix: "wait for that change to finish and run again; if its run died, the lease frees itself at "
                        + "\(Self.format(current.expiresAt)), or delete \(location) once you are sure nothing else is changing it")
            }
            if announced != current.token {
                log("Waiting for \(current.holder.description), which holds the lease until \(Self.format(current.expiresAt))")
                announced = current.token
            }
            try await sleep(pollInterval)
        }
    }

    /// Marks our record expired. Never throws: a lease we cannot release frees itself at its expiry.
    public func release(_ held: Held) async {
        guard let etag = held.etag else { return }
        var released = held.record
        released.expiresAt = Date(timeIntervalSince1970: 0)
        do {
            if try await write(released, condition: .etag(etag)) == nil {
                log("The lease \(location) was taken over after it expired; nothing to release")
            }
        } catch {
            log("Could not release the lease \(location) (\(error)); it frees itself at \(Self.format(held.record.expiresAt))")
        }
    }

    // MARK: S3

    /// The new ETag, or nil when the condition did not hold (someone else wrote first).
    private func write(_ record: Record, condition: S3WriteCondition) async throws -> String? {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        do {
            let result = try await s3.putObject(
                bucket: location.bucket, key: location.key, data: try encoder.encode(record),
                contentType: "application/json", condition: condition)
            return result.etag ?? ""
        } catch let error as AWSError where error.isPreconditionFailed {
            // A retried put whose first attempt went through fails its condition on our own
            // record: the token says it is ours.
            if let (current, etag) = try await read(), current.token == record.token { return etag }
            return nil
        }
    }

    private func read() async throws -> (Record, String)? {
        guard let object = try await s3.getObjectData(bucket: location.bucket, key: location.key) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(Record.self, from: object.data) else {
            throw ActionableLeaseError(
                problem: "\(location) holds something that is not a lease record of agentcore-gitops",
                fix: "delete that object if no change of the prod endpoint is running, then run again")
        }
        return (record, object.etag ?? "")
    }

    private static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// Why a lease could not be taken, and what to do about it.
public struct ActionableLeaseError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public var problem: String
    public var fix: String
    public var description: String { "\(problem) — \(fix)" }
    public var errorDescription: String? { description }
}
