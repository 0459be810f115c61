import Foundation
import Testing
@testable import AgentCoreGitOps
@testable import agentcore

@Suite struct AgentCoreControlValidationTests {
    @Test(arguments: ["pr_42", "prod", "a", "A_b_9", String(repeating: "x", count: 48)])
    func acceptsValidNames(_ name: String) throws {
        try AgentCoreValidation.checkName(name)
    }

    @Test func aDashedNameIsToldToUseUnderscores() {
        #expect(throws: ActionableError.self) { try AgentCoreValidation.checkName("pr-42") }
        do {
            try AgentCoreValidation.checkName("pr-42")
        } catch {
            #expect(error.problem.contains("'pr-42' contains '-'"))
            #expect(error.fix == "use underscores: pr_42")
        }
    }

    @Test(arguments: [
        ("42pr", "put a letter first, e.g. r_42pr"),
        ("_x", "put a letter first, e.g. r__x"),
        ("my agent", "use underscores: my_agent"),
        (String(repeating: "x", count: 49), "shorten it, e.g. " + String(repeating: "x", count: 48)),
        ("", "give a name such as pr_42"),
    ])
    func rejectsInvalidNamesWithAFix(_ name: String, fix: String) {
        do {
            try AgentCoreValidation.checkName(name)
            Issue.record("'\(name)' was accepted")
        } catch {
            #expect(error.fix == fix)
        }
    }

    @Test func versionsAreDecimalNumbersFromOne() throws {
        for version in ["1", "9", "10", "99999"] { try InputChecks.version(version) }
        let fixes: [String: String] = [
            "v3": "use the number alone: 3",
            "0": "versions count from 1 without leading zeros",
            "03": "versions count from 1 without leading zeros",
            "100000": "versions have at most 5 digits",
            "latest": "give a version number such as 3 (list them with `agentcore runtime versions <runtime>`)",
            "": "give a version number such as 3 (list them with `agentcore runtime versions <runtime>`)",
        ]
        for (version, fix) in fixes {
            do {
                try InputChecks.version(version)
                Issue.record("version '\(version)' was accepted")
            } catch {
                #expect(error.fix == fix, "version '\(version)'")
            }
        }
    }

    @Test func tellsIdsFromNames() throws {
        #expect(try AgentCoreValidation.runtimeReference("pr_42-AbCdEfGhIj") == .id("pr_42-AbCdEfGhIj"))
        #expect(try AgentCoreValidation.runtimeReference("a0123456789-abcdef0123") == .id("a0123456789-abcdef0123"))
        #expect(try AgentCoreValidation.runtimeReference("pr_42") == .name("pr_42"))
        #expect(!AgentCoreValidation.isRuntimeID("pr_42-short"))
        #expect(!AgentCoreValidation.isRuntimeID("-AbCdEfGhIj"))
        #expect(!AgentCoreValidation.isRuntimeID("pr/42-AbCdEfGhIj"))
        do {
            _ = try AgentCoreValidation.runtimeReference("pr-42")
            Issue.record("pr-42 was accepted")
        } catch {
            #expect(error.fix == "if you meant a name, use underscores: pr_42")
        }
    }
}
