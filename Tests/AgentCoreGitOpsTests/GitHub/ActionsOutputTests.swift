import Foundation
import Testing
@testable import AgentCoreGitOps

/// Collects what a reporter writes to stdout.
final class GitHubOutputRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    var lines: [String] { lock.withLock { stored } }

    func record(_ line: String) {
        lock.withLock { stored.append(line) }
    }
}

@Suite struct ActionsOutputTests {
    static func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("actions-\(UUID().uuidString)")
    }

    // MARK: Escaping

    @Test func dataEscaping() {
        #expect(WorkflowCommand.escapeData("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b")
        #expect(WorkflowCommand.escapeData("%0A") == "%250A")
    }

    @Test func propertyEscaping() {
        #expect(WorkflowCommand.escapeProperty("a:b,c%\n") == "a%3Ab%2Cc%25%0A")
    }

    @Test func commandGolden() {
        let line = WorkflowCommand.format(
            "error", properties: ["file": "agent/main.py", "line": "3", "title": "Deploy: failed, badly"],
            message: "line one\nline two 50%")
        #expect(line == "::error file=agent/main.py,line=3,title=Deploy%3A failed%2C badly::line one%0Aline two 50%25")
        #expect(WorkflowCommand.format("warning", message: "w") == "::warning::w")
    }

    @Test func injectedCommandsStayOnOneLine() {
        let reporter = ActionsReporter(environment: ["GITHUB_ACTIONS": "true"], write: { line in
            #expect(!line.contains("\n") && !line.contains("\r"))
        })
        reporter.error("title\n::add-mask::oops\r::endgroup::", title: "x\ny")
        reporter.notice("n\n::stop-commands::t")
    }

    // MARK: Commands in Actions and plain output elsewhere

    @Test func inActionsWritesWorkflowCommands() async {
        let recorder = GitHubOutputRecorder()
        let reporter = ActionsReporter(environment: ["GITHUB_ACTIONS": "true"], write: recorder.record)
        await reporter.group("Deploy pr_42") { reporter.info("uploading") }
        reporter.warning("slow", title: "S3")
        reporter.notice("done")
        reporter.mask("s3cr:et")
        reporter.error("boom", file: "a.py", line: 7)
        #expect(recorder.lines == [
            "::group::Deploy pr_42", "uploading", "::endgroup::", "::warning title=S3::slow", "::notice::done",
            "::add-mask::s3cr:et", "::error file=a.py,line=7::boom",
        ])
    }

    @Test func outsideActionsWritesPlainLines() async {
        let recorder = GitHubOutputRecorder()
        let reporter = ActionsReporter(environment: ["GITHUB_ACTIONS": "false"], write: recorder.record)
        await reporter.group("Deploy pr_42") { reporter.info("uploading") }
        reporter.warning("slow", title: "S3")
        reporter.mask("secret")
        reporter.error("boom", file: "a.py", line: 7, title: "Packaging")
        #expect(recorder.lines == ["== Deploy pr_42", "uploading", "warning: S3: slow", "error: a.py:7: Packaging: boom"])
    }

    @Test func groupEndsWhenBodyThrows() async {
        let recorder = GitHubOutputRecorder()
        let reporter = ActionsReporter(environment: ["GITHUB_ACTIONS": "true"], write: recorder.record)
        await #expect(throws: CancellationError.self) {
            try await reporter.group("g") { throw CancellationError() }
        }
        #expect(recorder.lines == ["::group::g", "::endgroup::"])
    }

    // MARK: Files

    @Test func outputsAppendToFile() throws {
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("existing=1\n".utf8).write(to: file)
        let reporter = ActionsReporter(
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": file.path], write: { _ in },
            makeDelimiter: { "EOF_1234" })
        try reporter.setOutput("runtime_id", "pr_42-AbCd1234Ef")
        try reporter.setOutput("body", "line 1\nline 2")
        let written = try String(contentsOf: file, encoding: .utf8)
        #expect(written == "existing=1\nruntime_id=pr_42-AbCd1234Ef\nbody<<EOF_1234\nline 1\nline 2\nEOF_1234\n")
    }

    @Test func delimiterNeverOccursInValue() throws {
        var candidates = ["EOF", "EOF", "SAFE"].makeIterator()
        let record = try ActionsReporter.outputRecord(name: "x", value: "a\nEOF\nb", makeDelimiter: { candidates.next()! })
        #expect(record == "x<<SAFE\na\nEOF\nb\nSAFE\n")
        #expect(throws: ActionsOutputError.noSafeDelimiter("x")) {
            try ActionsReporter.outputRecord(name: "x", value: "a\nEOF", makeDelimiter: { "EOF" })
        }
        // The default delimiter is random.
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let reporter = ActionsReporter(environment: ["GITHUB_OUTPUT": file.path])
        try reporter.setOutput("a", "1\n2")
        try reporter.setOutput("b", "1\n2")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines[0].hasPrefix("a<<ghadelimiter_") && lines[4].hasPrefix("b<<ghadelimiter_"))
        #expect(lines[0].dropFirst(3) != lines[4].dropFirst(3))
    }

    @Test func invalidOutputNamesAreRejected() {
        let reporter = ActionsReporter(environment: [:], write: { _ in })
        for name in ["", "a b", "x=y", "a\nb", "1abc"] {
            #expect(throws: ActionsOutputError.invalidOutputName(name)) { try reporter.setOutput(name, "v") }
        }
    }

    @Test func summaryAppendsMarkdown() throws {
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let reporter = ActionsReporter(environment: ["GITHUB_STEP_SUMMARY": file.path], write: { _ in })
        try reporter.appendSummary("## Deployed")
        try reporter.appendSummary("| a | b |\n")
        #expect(try String(contentsOf: file, encoding: .utf8) == "## Deployed\n| a | b |\n")
    }

    @Test func withoutFilesOutputsArePrinted() throws {
        let recorder = GitHubOutputRecorder()
        let reporter = ActionsReporter(environment: [:], write: recorder.record)
        try reporter.setOutput("version", "5")
        try reporter.appendSummary("## Done")
        #expect(recorder.lines == ["output version: 5", "## Done"])
    }

    @Test func unwritableFileGivesClearError() {
        let reporter = ActionsReporter(environment: ["GITHUB_OUTPUT": "/nonexistent-dir/out"], write: { _ in })
        #expect(throws: ActionsOutputError.self) { try reporter.setOutput("a", "b") }
    }
}
