import Foundation
import Testing
@testable import AgentCoreGitOps

/// The in-memory S3 answers the real S3Client as S3 would.
@Suite struct FakeS3Tests {
    @Test func storedObjectsHeadCopyAndDownloadWithTheirChecksums() async throws {
        let fake = FakeS3()
        let s3 = S3Client(client: fake)
        let tree = try TempTree()
        let file = try tree.file("code.zip", "bytes of a package")

        #expect(try await s3.headObject(bucket: "b", key: "p/code.zip") == nil)
        let put = try await s3.putObject(bucket: "b", key: "p/code.zip", fileURL: file)
        let head = try #require(try await s3.headObject(bucket: "b", key: "p/code.zip"))
        #expect(head.checksumSHA256 == put.checksumSHA256 && head.size == 18)

        let copied = try await s3.copyObject(from: S3Location(bucket: "b", key: "p/code.zip"), to: S3Location(bucket: "b", key: "p/v1/code.zip"))
        #expect(copied == put.checksumSHA256)
        let downloaded = tree.url("down.zip")
        _ = try await s3.getObject(bucket: "b", key: "p/v1/code.zip", to: downloaded)
        #expect(try String(contentsOf: downloaded, encoding: .utf8) == "bytes of a package")
        #expect(fake.calls == ["HeadObject b/p/code.zip", "PutObject b/p/code.zip", "HeadObject b/p/code.zip",
                               "CopyObject b/p/v1/code.zip", "GetObject b/p/v1/code.zip"])
    }
}
