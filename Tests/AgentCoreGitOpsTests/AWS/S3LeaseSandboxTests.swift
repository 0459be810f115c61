import Foundation
import Testing
@testable import AgentCoreGitOps

/// The lease over the sandbox's S3, whose conditional writes decide the race.
extension S3LeaseTests {
    @Test(.heavy, .tags(.sandbox)) func racingHoldersOverRealHTTPGetOneLeaseAndTheNextWaitsForIt() async throws {
        let sandbox = try await Sandbox.shared()
        let s3 = S3Client(client: try AWSSandboxTests.client(sandbox))
        let location = S3Location(bucket: sandbox.info.s3Bucket, key: "lease-tests/\(UUID().uuidString).json")
        func lease(_ key: String) -> S3Lease {
            var lease = S3Lease(s3: s3, location: location, holder: LeaseHolder(key: key, description: "holder \(key)"))
            lease.maxWait = .zero  // give up at once: the test asks who got it, not how long others wait
            lease.sleep = { _ in }
            return lease
        }
        let winners = await withTaskGroup(of: S3Lease.Held?.self) { group in
            for key in ["a", "b", "c"] {
                let lease = lease(key)
                group.addTask { try? await lease.acquire() }
            }
            var held: [S3Lease.Held] = []
            for await result in group { if let result { held.append(result) } }
            return held
        }
        let winner = try #require(winners.first)
        #expect(winners.count == 1)

        // Released, it is free for the next holder at once.
        await lease(winner.record.holder.key).release(winner)
        let next = try await lease("d").acquire()
        #expect(next.record.holder.key == "d")
    }
}
