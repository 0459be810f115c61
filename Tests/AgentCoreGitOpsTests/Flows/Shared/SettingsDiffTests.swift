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

    /// A cell must show what a table cell cannot hold (a line break, a backtick) in a way of its
    /// own: two values that differ only there showed the same cell and read as no change.
    @Test("values that differ only in a line break, a backtick or a backslash show different cells")
    func valuesThatDifferOnlyInWhatACellCannotHoldShowDifferently() {
        let pairs: [(String, String)] = [
            ("a b", "a\nb"), ("a\r\nb", "a\nb"), ("it's", "it`s"), ("a\\nb", "a\nb"), ("x|y", "x\\|y"),
            ("a\u{2028}b", "a b"), ("<!-- x -->", "<\\!-- x --\\>"),
            // Markdown trims a space at both ends of a code span; these do not show, or show alike.
            (" prod ", "prod"), ("a\u{200B}b", "ab"), ("a\tb", "a b"), ("a\u{A0}b", "a b"), ("\u{202E}ab", "ab"),
            ("\u{0}", "\u{FFFD}"),
        ]
        for (old, new) in pairs {
            let (oldCell, newCell) = DeploymentPlan.cells(old, new)
            #expect(oldCell != newCell, "\(old.debugDescription) and \(new.debugDescription) both show \(oldCell)")
            for cell in [oldCell, newCell] {
                #expect(!cell.contains(where: \.isNewline) && !cell.contains("<!--") && !cell.contains("-->"), "\(cell)")
                #expect(cell.dropFirst().dropLast().allSatisfy { $0 != "`" }, "\(cell)")
                // What Markdown would trim or not show: spaces at both ends, invisible characters.
                #expect(!(cell.hasPrefix("` ") && cell.hasSuffix(" `")), "\(cell)")
                #expect(cell.unicodeScalars.allSatisfy { scalar in
                    switch scalar.properties.generalCategory {
                    case .control, .format, .unassigned, .privateUse: false
                    case .spaceSeparator: scalar == " "
                    default: true
                    }
                }, "\(cell.debugDescription)")
            }
        }
        #expect(DeploymentPlan.inlineCode("say \"hi\"\n|`") == #"`say "hi"\n\|\u{60}`"#)
    }

    /// A cell shows at most 200 characters. Two long values that part after that must not both
    /// show the same start and read as no change: the cells say they are cut and show where the
    /// values differ.
    @Test("long values that differ past what a cell shows: cut, saying so, the difference in view")
    func longValuesShowTheirDifference() throws {
        let shared = String(repeating: "The joke bot answers in haiku. ", count: 10)  // 310 characters
        let old = shared + "Model v1, temperature 0.2."
        let new = shared + "Model v2, temperature 0.2."
        func row(_ change: SettingChange) throws -> [Substring] {
            let sha = String(repeating: "a", count: 64)
            let plan = DeploymentPlan(
                runtimeName: "prod", endpointName: "prod", liveVersion: "3", oldPackageSHA256: sha, newPackageSHA256: sha,
                dependencyChanges: [], settingChanges: [change], warnings: [])
            let line = try #require(plan.markdown.split(separator: "\n").first { $0.hasPrefix("| `\(change.path)`") })
            return line.split(separator: " | ")
        }

        let cells = try row(SettingChange(path: "description", old: old, new: new))
        #expect(cells.count == 3)
        #expect(cells[1] != cells[2], "\(cells)")
        #expect(cells[1].contains("Model v1") && cells[2].contains("Model v2"), "\(cells)")
        #expect(cells[1].hasPrefix("`…") && cells[1].hasSuffix("*(cut: \(old.count) characters, shown from character \(old.count - 199))*"), "\(cells)")
        #expect(cells[2].contains("*(cut: \(new.count) characters"), "\(cells)")

        // A difference in the middle: the cell starts a little before it and is cut at both ends.
        let middle = try row(SettingChange(path: "description", old: old + shared, new: new + shared))
        #expect(middle[1].contains("…` *(cut: \(old.count + shared.count) characters, shown from character 278)*"), "\(middle)")
        #expect(middle[1].contains("Model v1") && middle[2].contains("Model v2"), "\(middle)")

        // One value the other's start: the longer one shows where it goes on.
        let longer = try row(SettingChange(path: "description", old: shared, new: shared + "Now with limericks."))
        #expect(longer[1] != longer[2] && longer[2].contains("Now with limericks."), "\(longer)")

        // A difference the start shows: the start; a short value: whole, with no note.
        let early = try row(SettingChange(path: "description", old: "A" + shared, new: "B" + shared))
        #expect(early[1].hasPrefix("`AThe joke") && early[2].hasPrefix("`BThe joke") && early[1].contains("…` *(cut: 311 characters)*"), "\(early)")
        #expect(try row(SettingChange(path: "platformVersion", old: "V1", new: "V2")) == ["| `platformVersion`", "`V1`", "`V2` |"])
    }
}
