import Foundation
@testable import AgentCoreGitOps

/// Hands out a new key id on every call, so a test can see that each attempt is signed afresh.
final class CountingCredentials: AWSCredentialsProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    func credentials() async throws -> AWSCredentials {
        let n = lock.withLock { calls += 1; return calls }
        return AWSCredentials(accessKeyID: "AKID\(n)", secretAccessKey: "secret\(n)")
    }
}
