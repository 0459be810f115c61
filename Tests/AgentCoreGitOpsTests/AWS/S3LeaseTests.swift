import Foundation
import Testing
@testable import AgentCoreGitOps

/// S3's conditional writes for one bucket, in memory: `If-None-Match: *` and `If-Match` answer
/// 412 as S3 does. `loseNextResponse` makes the next write succeed and its answer get lost, as a
/// dropped connection after S3 stored the object would.
final class ConditionalS3Transport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var objects: [String: (data: Data, etag: String)] = [:]
    private var writes = 0
    var loseNextResponse = false

    func send(_ request: HTTPRequest) async throws -> AWSResponse {
        let key = request.url.path
        let headers = Dictionary(uniqueKeysWithValues: request.headers.map { ($0.key.lowercased(), $0.value) })
        return try lock.withLock {
            switch request.method {
            case "GET":
                guard let object = objects[key] else { return Self.error(404, "NoSuchKey") }
                return AWSResponse(status: 200, headers: ["etag": object.etag], body: object.data)
            case "PUT":
                let current = objects[key]
                if headers["if-none-match"] == "*", current != nil { return Self.error(412, "PreconditionFailed") }
                if let wanted = headers["if-match"] {
                    guard let current else { return Self.error(404, "NoSuchKey") }
                    guard current.etag == wanted else { return Self.error(412, "PreconditionFailed") }
                }
                guard case .data(let data) = request.body else { return Self.error(400, "InvalidRequest") }
                writes += 1
                let etag = "\"etag-\(writes)\""
                objects[key] = (data, etag)
                if loseNextResponse {
                    loseNextResponse = false
                    throw URLError(.networkConnectionLost)
                }
                return AWSResponse(status: 200, headers: ["etag": etag], body: Data())
            default:
                return Self.error(405, "MethodNotAllowed")
            }
        }
    }

    func record(at key: String) -> S3Lease.Record? {
        guard let data = lock.withLock({ objects[key]?.data }) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(S3Lease.Record.self, from: data)
    }

    func store(_ text: String, at key: String) {
        lock.withLock { objects[key] = (Data(text.utf8), "\"manual\"") }
    }

    private static func error(_ status: Int, _ code: String) -> AWSResponse {
        AWSResponse(status: status, headers: [:], body: Data("<Error><Code>\(code)</Code><Message>\(code)</Message></Error>".utf8))
    }
}

/// Time that moves only when a test (or a lease's sleep) moves it.
final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    private(set) var slept: [Duration] = []
    var now: Date { lock.withLock { current } }
    func advance(_ duration: Duration) { lock.withLock { current = current.addingTimeInterval(duration.seconds) } }
    func sleep(_ duration: Duration) { lock.withLock { slept.append(duration); current = current.addingTimeInterval(duration.seconds) } }
}

@Suite struct S3LeaseTests {
    let transport = ConditionalS3Transport()
    let time = ManualTime()
    let location = S3Location(bucket: "deploy-bucket", key: "prod/_leases/prod.json")
    var objectPath: String { "/\(location.bucket)/\(location.key)" }

    func lease(_ key: String, logs: LogLines = LogLines()) -> S3Lease {
        let client = AWSClient(
            configuration: AWSFixtures.configuration(), transport: transport, random: { 0 }, clock: TestClock())
        var lease = S3Lease(s3: S3Client(client: client), location: location, holder: LeaseHolder(key: key, description: "run \(key)"))
        let time = time
        lease.now = { time.now }
        lease.sleep = { time.sleep($0) }
        lease.log = { logs.append($0) }
        lease.maxWait = .seconds(60)
        return lease
    }

    /// What the operation threw, described; a test fails when it throws nothing.
    func failure(_ operation: () async throws -> Void) async -> String {
        do {
            try await operation()
        } catch {
            return String(describing: error)
        }
        Issue.record("expected an error")
        return ""
    }

    @Test func aFreeLeaseIsTakenAndReleased() async throws {
        let held = try await lease("a").acquire()
        #expect(transport.record(at: objectPath)?.holder.key == "a")
        await lease("a").release(held)
        let record = try #require(transport.record(at: objectPath))
        #expect(record.expiresAt <= time.now)
        // Released means free: another holder takes it at once, without waiting.
        _ = try await lease("b").acquire()
        #expect(transport.record(at: objectPath)?.holder.key == "b")
        #expect(time.slept.isEmpty)
    }

    @Test func aHeldLeaseMakesOthersWaitThenGiveUpNamingTheHolder() async throws {
        _ = try await lease("a").acquire()
        let logs = LogLines()
        let text = await failure { _ = try await lease("b", logs: logs).acquire() }
        #expect(text.contains("run a") && text.contains("holds the lease") && text.contains("wait for that change"))
        #expect(transport.record(at: objectPath)?.holder.key == "a")
        #expect(time.slept.count == 12)  // 60 s in 5 s polls
        #expect(logs.all.filter { $0.contains("Waiting for run a") }.count == 1)
    }

    @Test func aDeadHoldersLeaseIsTakenOverOnceItExpires() async throws {
        _ = try await lease("crashed").acquire()  // never released
        time.advance(.seconds(15 * 60 - 30))
        let held = try await lease("b").acquire()  // waits the last 30 s, then takes over
        #expect(held.record.holder.key == "b")
        #expect(transport.record(at: objectPath)?.holder.key == "b")
        #expect(time.slept.count == 6)
    }

    @Test func aRerunOfTheSameRunTakesItsLeaseBack() async throws {
        _ = try await lease("run-7").acquire()
        let logs = LogLines()
        let held = try await lease("run-7", logs: logs).acquire()
        #expect(held.record.holder.key == "run-7")
        #expect(time.slept.isEmpty)
        #expect(logs.all.contains { $0.contains("Taking back") })
    }

    @Test func aLateReleaseNeverFreesSomeoneElsesLease() async throws {
        let old = try await lease("slow").acquire()
        time.advance(.seconds(16 * 60))
        _ = try await lease("b").acquire()
        await lease("slow").release(old)
        let record = try #require(transport.record(at: objectPath))
        #expect(record.holder.key == "b")
        #expect(record.expiresAt > time.now)
    }

    @Test func aWriteWhoseAnswerWasLostStillCountsAsOurs() async throws {
        transport.loseNextResponse = true
        let held = try await lease("a").acquire()
        #expect(transport.record(at: objectPath)?.token == held.record.token)
        #expect(time.slept.isEmpty)
    }

    @Test func twoRacingTakersGetOneLeaseBetweenThem() async throws {
        let results = await withTaskGroup(of: String?.self) { group in
            for key in ["a", "b", "c", "d"] {
                let lease = lease(key)
                group.addTask { (try? await lease.acquire()).map { _ in key } }
            }
            var winners: [String] = []
            for await result in group { if let result { winners.append(result) } }
            return winners
        }
        // The losers wait out the 60 s and give up; exactly one holds it.
        #expect(results.count == 1)
        #expect(transport.record(at: objectPath)?.holder.key == results.first)
    }

    @Test func aForeignObjectAtTheLeaseKeyIsAnErrorNotOverwritten() async throws {
        transport.store("not a lease", at: objectPath)
        #expect(await failure { _ = try await lease("a").acquire() }.contains("not a lease record"))
    }

    @Test func withLeaseReleasesWhenTheBodyThrows() async throws {
        struct Boom: Error {}
        #expect(await failure { try await lease("a").withLease { throw Boom() } } == String(describing: Boom()))
        #expect(try #require(transport.record(at: objectPath)).expiresAt <= time.now)
    }
}

/// The same lease against the sandbox's S3, whose conditional writes behave as S3's do.
@Suite struct S3LeaseSandboxTests {
}
