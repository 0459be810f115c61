import Foundation
import Testing
@testable import AgentCoreGitOps

/// `S3Client` over a fake sender: the requests it builds and how it reads answers. The sandbox
/// tests cover the same calls over HTTP.
@Suite struct S3ClientTests {
    /// Answers every request with `respond`, after recording it.
    final class FakeSender: AWSRequestSending, @unchecked Sendable {
        private let lock = NSLock()
        private var sent: [AWSRequest] = []
        private let respond: @Sendable (AWSRequest) throws -> AWSResponse

        init(_ respond: @escaping @Sendable (AWSRequest) throws -> AWSResponse) { self.respond = respond }

        var requests: [AWSRequest] { lock.withLock { sent } }

        func send(_ request: AWSRequest) async throws -> AWSResponse {
            lock.withLock { sent.append(request) }
            return try respond(request)
        }
    }

    @Test func putObjectSendsTheFileWithItsHashesAndLength() async throws {
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("agent.zip")
        try Data("abc".utf8).write(to: file)
        let sender = FakeSender { _ in AWSResponse(status: 200, headers: ["etag": "\"e\"", "x-amz-version-id": "v1"], body: Data()) }

        let result = try await S3Client(client: sender).putObject(bucket: "b-1", key: "k/agent.zip", fileURL: file)

        let request = try #require(sender.requests.first)
        #expect(request.method == "PUT" && request.path == "/b-1/k/agent.zip" && request.service == .s3)
        #expect(request.headers["x-amz-content-sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(request.headers["x-amz-checksum-sha256"] == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
        #expect(request.headers["Content-Length"] == "3")
        guard case .file(let sentFile) = request.body else {
            Issue.record("expected the body to stream from the file")
            return
        }
        #expect(sentFile == file)
        #expect(result == S3PutResult(
            location: S3Location(bucket: "b-1", key: "k/agent.zip"), size: 3,
            sha256Hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            checksumSHA256: "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", etag: "\"e\"", versionID: "v1"))
    }

    @Test func headObjectReportsInfoOrNilWhenMissing() async throws {
        let sender = FakeSender { request in
            if request.path.hasSuffix("/missing") {
                throw AWSError(code: "NotFound", message: "Not Found", httpStatus: 404, operation: "HeadObject", service: "s3")
            }
            return AWSResponse(status: 200, headers: ["content-length": "42", "etag": "\"x\"", "x-amz-checksum-sha256": "c2hh"], body: Data())
        }
        let s3 = S3Client(client: sender)

        #expect(try await s3.headObject(bucket: "b-1", key: "missing") == nil)
        #expect(try await s3.headObject(bucket: "b-1", key: "there") == S3ObjectInfo(size: 42, etag: "\"x\"", checksumSHA256: "c2hh"))
        #expect(sender.requests.allSatisfy { $0.method == "HEAD" && $0.headers["x-amz-checksum-mode"] == "ENABLED" })
    }

    @Test func getObjectRemovesADownloadThatDoesNotMatchItsChecksum() async throws {
        let directory = try AWSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let destination = directory.appendingPathComponent("out.zip")
        let sender = FakeSender { request in
            try Data("corrupted".utf8).write(to: try #require(request.responseBodyFile))
            let checksumOfABC = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
            return AWSResponse(status: 200, headers: ["x-amz-checksum-sha256": checksumOfABC], body: Data())
        }

        let error = try await #require(throws: S3ChecksumMismatch.self) {
            try await S3Client(client: sender).getObject(bucket: "b-1", key: "k", to: destination)
        }

        #expect(error.description.contains("s3://b-1/k"))
        #expect(!FileManager.default.fileExists(atPath: destination.path))
    }
}

@Suite struct DownloadPlacementTests {
    @Test func aDownloadReplacesAnExistingFileAcrossDirectories() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("move-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("download.tmp")
        let destination = directory.appendingPathComponent("object.zip")
        try Data("new".utf8).write(to: source)
        try Data("old".utf8).write(to: destination)
        try URLSessionTransport.moveReplacing(source, to: destination)
        #expect(try String(contentsOf: destination, encoding: .utf8) == "new")
        #expect(!FileManager.default.fileExists(atPath: source.path))
    }
}
