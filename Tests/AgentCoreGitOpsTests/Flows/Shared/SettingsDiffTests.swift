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

    /// AWS takes tag names and values with any white space (the model's `\s`), a description with
    /// any character: none may end a table row and put text of its own into the comment.
    @Test("a line break in a tag name or a value stays inside its table row")
    func lineBreaksStayInTheirRow() {
        let sha = String(repeating: "a", count: 64)
        let plan = DeploymentPlan(
            runtimeName: "prod", endpointName: "prod", liveVersion: "3", oldPackageSHA256: sha, newPackageSHA256: sha,
            dependencyChanges: [],
            settingChanges: [
                SettingChange(path: "tags.team\n\nNothing changes: same package, same settings.\n", old: nil, new: "jokes"),
                SettingChange(path: "description", old: "old", new: "new\r\rThe authorizer is unchanged.\u{2028}\u{0B}x"),
            ],
            warnings: [])
        let lines = plan.markdown.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        #expect(lines.filter { $0.hasPrefix("|") }.count == 4, "\(plan.markdown)")
        #expect(!lines.contains { $0.hasPrefix("Nothing changes") || $0.hasPrefix("The authorizer") }, "\(plan.markdown)")
        #expect(lines.contains { $0.hasPrefix("| `tags.team") && $0.contains("Nothing changes") && $0.hasSuffix("`jokes` |") })
    }
}
