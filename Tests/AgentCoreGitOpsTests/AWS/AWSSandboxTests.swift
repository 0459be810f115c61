import Foundation
import Testing
@testable import AgentCoreGitOps

/// `AWSClient` and `S3Client` over real HTTP against the sandbox, which checks every signature
/// and every S3 payload hash as AWS does. Tests that add fault rules start their own sandbox,
/// since rules apply to every request it serves.
@Suite(.heavy, .tags(.sandbox)) struct AWSSandboxTests {
    /// The shared sandbox, started by the first suite that needs it.
    let sandbox: Sandbox

    init() async throws { sandbox = try await Sandbox.shared() }

    /// A client for `sandbox` configured through the environment, as the executables are.
    static func client(
        _ sandbox: Sandbox, overriding extra: [String: String] = [:], log: (@Sendable (String) -> Void)? = nil
    ) throws -> AWSClient {
        var environment = sandbox.awsEnvironment.merging(extra) { $1 }
        environment["HOME"] = "/nonexistent-home"
        var configuration = try AWSConfiguration.resolve(environment: environment)
        configuration.retryPolicy.baseDelay = .milliseconds(20)
        configuration.retryPolicy.maxDelay = .milliseconds(100)
        return AWSClient(configuration: configuration, log: log)
    }

    /// A file of `size` bytes that are not all alike, so a corrupted byte would change the hash.
    static func makeFile(size: Int, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("payload-\(size).bin")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var written = 0
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        while written < size {
            let count = min(1 << 20, size - written)
            var chunk = [UInt8](repeating: 0, count: count)
            for index in 0..<count {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                chunk[index] = UInt8(truncatingIfNeeded: seed >> 33)
            }
            try handle.write(contentsOf: chunk)
            written += count
        }
        return url
    }

    // MARK: S3

    @Test func multiMegabyteFileRoundTripsThroughPutHeadAndGet() async throws {
        let s3 = S3Client(client: try Self.client(sandbox))
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.makeFile(size: 6 * 1024 * 1024 + 123, in: directory)
        let key = "aws-core/\(UUID().uuidString)/agent.zip"

        let put = try await s3.putObject(bucket: sandbox.info.s3Bucket, key: key, fileURL: file)
        let head = try #require(try await s3.headObject(bucket: sandbox.info.s3Bucket, key: key))
        let copy = directory.appendingPathComponent("copy.bin")
        let got = try await s3.getObject(bucket: sandbox.info.s3Bucket, key: key, to: copy)

        let expectedHash = try SHA256Hasher.hash(fileAt: file).hexString
        #expect(put.size == 6 * 1024 * 1024 + 123)
        #expect(put.sha256Hex == expectedHash)
        #expect(head.size == put.size)
        #expect(head.etag != nil && head.etag == put.etag)
        // moto leaves out x-amz-checksum-sha256 on HEAD even with checksum mode on; S3 sends it.
        #expect(head.checksumSHA256 == nil || head.checksumSHA256 == put.checksumSHA256)
        #expect(got.size == put.size)
        #expect(try SHA256Hasher.hash(fileAt: copy).hexString == expectedHash)

        // Downloading again over the existing file replaces it.
        try Data("stale".utf8).write(to: copy)
        _ = try await s3.getObject(bucket: sandbox.info.s3Bucket, key: key, to: copy)
        #expect(try SHA256Hasher.hash(fileAt: copy).hexString == expectedHash)
    }

    @Test func keysWithSpacesAndUnicodeAreSignedAsSent() async throws {
        let s3 = S3Client(client: try Self.client(sandbox))
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.makeFile(size: 1000, in: directory)
        let key = "aws-core/\(UUID().uuidString)/a b+c=d&é.zip"

        _ = try await s3.putObject(bucket: sandbox.info.s3Bucket, key: key, fileURL: file)

        #expect(try await s3.headObject(bucket: sandbox.info.s3Bucket, key: key)?.size == 1000)
    }

    @Test func headOfAMissingObjectIsNil() async throws {
        let s3 = S3Client(client: try Self.client(sandbox))
        #expect(try await s3.headObject(bucket: sandbox.info.s3Bucket, key: "aws-core/missing-\(UUID().uuidString)") == nil)
    }

    @Test func aPutWhoseChecksumDoesNotMatchTheBytesIsRejected() async throws {
        let client = try Self.client(sandbox)
        let body = Data("the bytes that were meant".utf8)
        let key = "aws-core/\(UUID().uuidString)/corrupt.zip"
        let wrongChecksum = Data(SHA256Hasher.hash(Data("other bytes".utf8))).base64EncodedString()
        let request = AWSRequest(
            service: .s3, operation: "PutObject", method: "PUT", path: "/\(sandbox.info.s3Bucket)/\(key)",
            headers: ["x-amz-checksum-sha256": wrongChecksum], body: .data(body))

        let error = try await #require(throws: AWSError.self) { try await client.send(request) }

        #expect(error.code == "BadDigest")
        #expect(error.httpStatus == 400)
        #expect(try await S3Client(client: client).headObject(bucket: sandbox.info.s3Bucket, key: key) == nil)
    }

    // MARK: AgentCore control plane

    @Test func signedGetWithQueryReachesAgentCoreAndDecodesItsError() async throws {
        let client = try Self.client(sandbox)

        let error = try await #require(throws: AWSError.self) {
            try await client.send(AWSRequest(
                service: .agentCoreControl, operation: "GetAgentRuntime", method: "GET",
                path: "/runtimes/missing_runtime-abcdefghij/", query: [URLQueryItem(name: "version", value: "1")]))
        }

        #expect(error.code == "ResourceNotFoundException")
        #expect(error.isNotFound)
        #expect(error.httpStatus == 404)
        #expect(!error.message.isEmpty)
    }

    // MARK: Credentials

    @Test func aWrongSecretGetsA403ThatSaysToCheckTheCredentials() async throws {
        let client = try Self.client(sandbox, overriding: ["AWS_SECRET_ACCESS_KEY": "not-the-secret"])

        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try await #require(throws: AWSError.self) {
            try await S3Client(client: client).getObject(
                bucket: sandbox.info.s3Bucket, key: "anything", to: directory.appendingPathComponent("out"))
        }

        #expect(error.httpStatus == 403)
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.description.contains("AWS rejected the credentials"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
        let agentCore = try await #require(throws: AWSError.self) {
            try await client.send(AWSRequest(service: .agentCoreControl, operation: "ListAgentRuntimes", method: "POST", path: "/runtimes/"))
        }
        #expect(agentCore.httpStatus == 403)
        #expect(agentCore.description.contains("Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"))
        #expect(!agentCore.description.contains("not-the-secret"))
    }

    @Test func webIdentityCredentialsFromTheSandboxSTSWorkAgainstS3() async throws {
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("oidc-token")
        try "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWYifQ.sig".write(to: tokenFile, atomically: true, encoding: .utf8)
        let client = try Self.client(sandbox, overriding: [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path, "AWS_ROLE_ARN": sandbox.info.roleArn,
            "AWS_ROLE_SESSION_NAME": "aws-core-test",
        ])
        guard case .webIdentity = client.configuration.credentialSource else {
            Issue.record("expected web identity credentials, got \(client.configuration.credentialSource)")
            return
        }
        let s3 = S3Client(client: client)
        let file = try Self.makeFile(size: 4096, in: directory)
        let key = "aws-core/\(UUID().uuidString)/web-identity.zip"

        let put = try await s3.putObject(bucket: sandbox.info.s3Bucket, key: key, fileURL: file)

        #expect(try await s3.headObject(bucket: sandbox.info.s3Bucket, key: key)?.size == put.size)
    }

    // MARK: Retries, each with a sandbox of its own

    @Test func aThrottledCreateIsRetriedWithTheSameClientToken() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let lines = LogLines()
        let client = try Self.client(sandbox, log: { lines.append($0) })
        try await sandbox.awsControl("POST", "/_sandbox/faults", json: [
            "service": "bedrock-agentcore", "operation": "CreateAgentRuntime", "fault": "throttle", "count": 2,
        ])
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")
        let clientToken = UUID().uuidString
        let body: [String: Any] = [
            "agentRuntimeName": "aws_core_retry",
            "agentRuntimeArtifact": ["codeConfiguration": [
                "code": ["s3": ["bucket": sandbox.info.s3Bucket, "prefix": "aws-core/agent.zip"]],
                "runtime": "PYTHON_3_12", "entryPoint": ["main.py"],
            ]],
            "roleArn": sandbox.info.roleArn,
            "networkConfiguration": ["networkMode": "PUBLIC"],
            "clientToken": clientToken,
        ]

        let response = try await client.send(AWSRequest(
            service: .agentCoreControl, operation: "CreateAgentRuntime", method: "PUT", path: "/runtimes/",
            headers: ["Content-Type": "application/json"], body: .data(try JSONSerialization.data(withJSONObject: body))))

        #expect(response.status == 202)
        let logged = try await Self.loggedRequests(sandbox).filter { $0.operation == "CreateAgentRuntime" }
        #expect(logged.map(\.status) == [429, 429, 202])
        #expect(logged.allSatisfy { $0.clientToken == clientToken })
        #expect(lines.all.count == 2)
        #expect(lines.all.allSatisfy { !$0.contains(sandbox.info.awsSecretAccessKey) && !$0.contains("Authorization") })
    }

    @Test func aDroppedConnectionIsRetried() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let s3 = S3Client(client: try Self.client(sandbox))
        try await sandbox.awsControl("POST", "/_sandbox/faults", json: ["service": "s3", "operation": "*", "fault": "drop", "count": 1])

        #expect(try await s3.headObject(bucket: sandbox.info.s3Bucket, key: "missing") == nil)

        let statuses = try await Self.loggedRequests(sandbox).filter { $0.service == "s3" }.map(\.status)
        #expect(statuses == [0, 404])
    }

    @Test func serverErrorsBeyondTheAttemptLimitAreReported() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let client = try Self.client(sandbox, overriding: ["AWS_MAX_ATTEMPTS": "2"])
        try await sandbox.awsControl("POST", "/_sandbox/faults", json: ["service": "*", "operation": "*", "fault": "error503", "count": 5])

        let error = try await #require(throws: AWSError.self) {
            try await client.send(AWSRequest(service: .agentCoreControl, operation: "ListAgentRuntimes", method: "POST", path: "/runtimes/"))
        }

        #expect(error.httpStatus == 503)
        #expect(try await Self.loggedRequests(sandbox).count == 2)
    }

    struct LoggedRequest: Decodable {
        let service: String
        let operation: String
        let status: Int?
        let clientToken: String?
    }

    static func loggedRequests(_ sandbox: Sandbox) async throws -> [LoggedRequest] {
        struct Log: Decodable { let requests: [LoggedRequest] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Log.self, from: try await sandbox.awsControl("GET", "/_sandbox/requests")).requests
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

extension AWSSandboxTests {
    @Test func aLargeUploadRejectedEarlyEndsWithTheError() async throws {
        let client = try Self.client(sandbox, overriding: ["AWS_SECRET_ACCESS_KEY": "not-the-secret"])
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.makeFile(size: 6 * 1024 * 1024, in: directory)

        let error = try await #require(throws: AWSError.self) {
            try await S3Client(client: client).putObject(bucket: sandbox.info.s3Bucket, key: "aws-core/rejected.zip", fileURL: file)
        }

        #expect(error.code == "SignatureDoesNotMatch")
    }
}
