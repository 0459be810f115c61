import Foundation
import Testing
@testable import AgentCoreGitOps

/// The plan's field-by-field settings table never prints an environment variable's value: the old
/// side comes from prod, where a value that was a `${NAME}` secret is stored resolved.
@Suite struct SettingsDiffTests {
    private func configuration(_ variables: [String: String]) -> AgentRuntimeConfiguration {
        AgentRuntimeConfiguration(
            agentRuntimeArtifact: .code(S3CodeLocation(bucket: "b", prefix: "prod/abc/code.zip"), runtime: "PYTHON_3_11", entryPoint: ["agent.py"]),
            roleArn: "arn:aws:iam::123456789012:role/AgentRuntime", environmentVariables: variables)
    }

    @Test func aRemovedOrRenamedProdSecretIsNeverShown() throws {
        let prod = configuration(["DB_URL": "postgres://app:hunter2@db.internal/app", "LOG_LEVEL": "INFO"])
        let proposed = configuration(["DATABASE": "postgres://app@db.internal/app", "LOG_LEVEL": "DEBUG"])
        let changes = SettingsDiff().changes(from: prod, to: proposed)
        #expect(changes.map(\.path) == ["environmentVariables.DATABASE", "environmentVariables.DB_URL", "environmentVariables.LOG_LEVEL"])
        let shown = changes.flatMap { [$0.old, $0.new] }.compactMap { $0 }
        #expect(!shown.contains { $0.contains("hunter2") || $0.contains("postgres") || $0.contains("INFO") || $0.contains("DEBUG") })
        #expect(changes.first { $0.path == "environmentVariables.DB_URL" }?.new == nil)
    }
}
