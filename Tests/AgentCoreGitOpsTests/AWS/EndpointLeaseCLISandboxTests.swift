import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore endpoint update` on the prod runtime moves the endpoint under the prod lease, like
/// approvals and rollbacks; other runtimes' endpoints move without it.
@Suite(.heavy, .tags(.sandbox, .process)) struct EndpointLeaseCLISandboxTests {
    @Test func movingAProdEndpointTakesAndReleasesTheLease() async throws {
        let sandbox = try await Sandbox.shared()
        let cli = AgentCoreCLI(sandbox: sandbox)
        let (name, code) = try await sandbox.newRuntimeCode("prod")
        #expect(try await cli.run(["runtime", "create", name, "--code", code.uri] + cli.quick).status == 0)
        #expect(try await cli.run(["runtime", "update", name, "--code", code.uri, "--env", "A=1"] + cli.quick).status == 0)
        #expect(try await cli.run(["endpoint", "create", name, "1", "live"] + cli.quick).status == 0)
        var environment = sandbox.awsEnvironment
        environment["AGENTCORE_PROD_RUNTIME"] = name

        var withoutBucket = environment
        withoutBucket["AGENTCORE_S3_BUCKET"] = nil
        let refused = try await cli.run(["endpoint", "update", name, "live", "2"] + cli.quick, environment: withoutBucket)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("only under the prod lease") && refused.stderr.contains("AGENTCORE_S3_BUCKET"))

        let moved = try await cli.run(["endpoint", "update", name, "live", "2"] + cli.quick, environment: environment)
        #expect(moved.status == 0, "\(moved.output)")
        let location = ProdLease.location(bucket: sandbox.info.s3Bucket, runtimeName: name, endpointName: "live")
        let s3 = S3Client(client: try sandbox.awsClient())
        let stored = try #require(try await s3.getObjectData(bucket: location.bucket, key: location.key))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let record = try decoder.decode(S3Lease.Record.self, from: stored.data)
        #expect(record.holder.description.contains("agentcore endpoint update"))
        #expect(record.expiresAt < Date(), "released")
        #expect(try await cli.run(["cleanup", name, "--yes"] + cli.quick).status == 0)
    }
}
