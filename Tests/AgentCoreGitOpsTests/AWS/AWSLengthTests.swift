import Foundation
import Testing
@testable import AgentCoreGitOps
@testable import agentcore

/// Limits are checked as AWS counts: in code points. 5,000 "e\u{301}" pairs are 5,000 characters
/// to Swift and 10,000 code points to AWS, so a 5,000 limit refuses them.
@Suite struct AWSLengthTests {
    static let accented = String(repeating: "e\u{301}", count: 5_000)
    static let half = String(repeating: "e\u{301}", count: 2_500)

    @Test func countsCodePoints() {
        #expect(Self.accented.count == 5_000)
        #expect(Self.accented.awsLength == 10_000)
    }

    @Test("agentcore.json: an environment value of 10,000 code points is refused, 5,000 accepted")
    func settingsFile() throws {
        func parse(_ value: String) throws -> RuntimeSettings {
            try RuntimeSettings.parse(Data(#"{"environmentVariables": {"GREETING": "\#(value)"}}"#.utf8))
        }
        let error = #expect(throws: RuntimeSettingsError.self) { try parse(Self.accented) }
        #expect(error?.description.contains("environmentVariables.GREETING is 10000 characters long — AgentCore takes at most 5,000") == true,
                "\(String(describing: error))")
        #expect(try parse(Self.half).base.environmentVariables["GREETING"] == Self.half)
    }

    @Test("agentcore runtime --env: a value of 10,000 code points is refused, 5,000 accepted")
    func cliOption() throws {
        func arguments(_ value: String) -> [String] { ["--code", "s3://bucket-1/code.zip", "--env", "GREETING=\(value)"] }
        do {
            _ = try RuntimeSettingsOptions.parse(arguments(Self.accented))
            Issue.record("a value of 10,000 code points was accepted")
        } catch {
            #expect(RuntimeSettingsOptions.message(for: error).contains("--env GREETING… is too long"), "\(error)")
        }
        #expect(try RuntimeSettingsOptions.parse(arguments(Self.half)).environmentVariables == ["GREETING": Self.half])
    }

    @Test("a name with a combining accent is refused, not counted as one character")
    func names() {
        #expect(throws: ActionableError.self) { try AgentCoreValidation.checkName("caf" + "e\u{301}") }
        #expect(throws: (any Error).self) { try RuntimeSettings.parse(Data(#"{"environmentVariables": {"E\#u{301}": "x"}}"#.utf8)) }
    }
}
