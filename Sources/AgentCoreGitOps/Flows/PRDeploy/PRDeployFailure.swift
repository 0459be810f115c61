import Foundation

/// A push that was not deployed, for the sticky comment: which commit, why (the error's first
/// lines, secrets removed), what still runs, and what to do.
public struct PRDeployFailure: Sendable, Equatable {
    public var runtimeName: String
    public var commitSHA: String
    public var reason: ErrorExcerpt
    /// What the sticky comment recorded before this run.
    public var previous: PRCommentRecord
    /// The workflow run whose log has the whole error, when the environment names it.
    public var runURL: String?

    public var markdown: String {
        let commit = Self.code(commitSHA)
        var rows = [("Commit", "\(commit) (not deployed)"), ("Still running", stillRunning)]
        if let runURL { rows.append(("Workflow run", "[the log of this run](\(runURL))")) }
        let table = rows.map { "| \($0.0) | \($0.1) |" }.joined(separator: "\n")
        let log = runURL.map { "the [workflow run](\($0))" } ?? "the workflow run of this push"
        return """
            ### AgentCore runtime `\(runtimeName)`: deploy failed

            Commit \(commit) could not be deployed.

            | | |
            |---|---|
            \(table)

            Why (\(reason.truncated ? "the first lines of the error" : "the error")):

            <pre>\(HTMLText.escaped(reason.text))</pre>

            **What to do:** read the whole error in \(log), then push a fix or re-run the job. \
            The next successful deploy replaces this message.
            """
    }

    private var stillRunning: String {
        guard let runtimeID = previous.runtimeID else {
            return "nothing: no version of this pull request has been deployed yet"
        }
        let runtime = "`\(runtimeName)` (`\(runtimeID)`)"
        guard let deployed = previous.deployed else {
            return "\(runtime): whatever version its `DEFAULT` endpoint serves, if any"
        }
        let commit = deployed.commitSHA.map { ", commit \(Self.code($0))" } ?? ""
        return "version \(deployed.version) of \(runtime)\(commit): the last successful deploy"
    }

    /// A commit id as inline code; anything that is not hex is not shown as it is.
    private static func code(_ sha: String) -> String {
        MarkerValue.matches(sha, "[0-9a-f]{7,64}") ? "`\(sha)`" : "(an unrecognised commit id)"
    }
}
