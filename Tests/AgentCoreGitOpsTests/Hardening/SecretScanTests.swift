import Foundation
import Testing
@testable import AgentCoreGitOps

/// The leak scan that SecretLeakSandboxTests runs over every output, checked on its own.
@Suite("Hardening: the secret scan")
struct SecretScanTests {
    typealias Scan = SecretLeakSandboxTests

    @Test("the scan finds a secret printed outside a mask line")
    func scanFindsLeaks() {
        let secrets = ["key": "s3cr3t/+value"]
        #expect(Scan.leaks(in: Scan.Captured(label: "a", output: "::add-mask::s3cr3t/+value", actionsMode: true), secrets: secrets).isEmpty)
        #expect(Scan.leaks(in: Scan.Captured(label: "b", output: "::add-mask::s3cr3t/+value", actionsMode: false), secrets: secrets).count == 1)
        #expect(Scan.leaks(in: Scan.Captured(label: "c", output: "token=s3cr3t%2F%2Bvalue", actionsMode: true), secrets: secrets).count == 1)
        #expect(Scan.leaks(in: Scan.Captured(label: "d", output: "Authorization: s3cr3t/+value", actionsMode: true), secrets: secrets).count == 1)
    }
}
