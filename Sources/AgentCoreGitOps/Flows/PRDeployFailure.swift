import Foundation

/// The version a successful deploy left running, recorded in the sticky comment as
/// `<!-- DEPLOYED_VERSION: 3 -->` and `<!-- DEPLOYED_COMMIT: <sha> -->` so that a later failed
/// deploy can say what still runs without asking AWS (which may be what failed).
/// Informational only: a value that is not well formed is left out, never trusted.
public struct PRDeployedVersion: Sendable, Equatable {
    public var version: String
    public var commitSHA: String?

    public init(version: String, commitSHA: String?) {
        self.version = version
        self.commitSHA = commitSHA
    }

    /// The hidden lines; none when the version is not a version number.
    public var markers: [String] {
        guard MarkerValue.matches(version, MarkerValue.versionPattern) else { return [] }
        var lines = ["<!-- DEPLOYED_VERSION: \(version) -->"]
        if let commitSHA, MarkerValue.matches(commitSHA, MarkerValue.commitSHAPattern) {
            lines.append("<!-- DEPLOYED_COMMIT: \(commitSHA) -->")
        }
        return lines
    }

    /// The recorded version in `text`, nil when there is none or it is not exactly one valid one.
    public static func parse(_ text: String) -> PRDeployedVersion? {
        guard let found = try? MarkerScanner.scan(text).lineMarkers,
              let versions = found["DEPLOYED_VERSION"], versions.count == 1,
              MarkerValue.matches(versions[0], MarkerValue.versionPattern)
        else { return nil }
        let commits = found["DEPLOYED_COMMIT"] ?? []
        let commit = commits.count == 1 && MarkerValue.matches(commits[0], MarkerValue.commitSHAPattern) ? commits[0] : nil
        return PRDeployedVersion(version: versions[0], commitSHA: commit)
    }
}

/// What the bot's sticky comment records, from its hidden markers: the pull request's runtime and
/// the version last deployed to it. A failed deploy writes the same record back, so the runtime
/// stays findable and the comment keeps saying what still runs, however many runs fail.
public struct PRCommentRecord: Sendable, Equatable {
    public var runtimeID: String?
    /// Only with a runtime id: a version means nothing without its runtime.
    public var deployed: PRDeployedVersion?

    public init(runtimeID: String?, deployed: PRDeployedVersion?) {
        self.runtimeID = runtimeID
        self.deployed = runtimeID == nil ? nil : deployed
    }

    public static let empty = PRCommentRecord(runtimeID: nil, deployed: nil)

    /// The hidden lines that carry the record; throws for a runtime id that is not one.
    public func markers() throws -> [String] {
        guard let runtimeID else { return [] }
        return [try RuntimeIDMarker.render(runtimeID)] + (deployed?.markers ?? [])
    }
}

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

    public init(runtimeName: String, commitSHA: String, reason: ErrorExcerpt, previous: PRCommentRecord, runURL: String?) {
        self.runtimeName = runtimeName
        self.commitSHA = commitSHA
        self.reason = reason
        self.previous = previous
        self.runURL = runURL
    }

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

/// The address of the workflow run, from the variables every Actions step gets:
/// `GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID[/attempts/GITHUB_RUN_ATTEMPT]`.
/// Nil when one is missing or not what GitHub sets, so no odd value reaches a Markdown link.
public enum WorkflowRunLink {
    public static func url(environment: [String: String]) -> String? {
        guard var server = environment["GITHUB_SERVER_URL"], let repository = environment["GITHUB_REPOSITORY"],
              let runID = environment["GITHUB_RUN_ID"]
        else { return nil }
        while server.hasSuffix("/") { server.removeLast() }
        guard MarkerValue.matches(server, "https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*"),
              MarkerValue.matches(repository, "[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}"),
              MarkerValue.matches(runID, "[0-9]{1,20}")
        else { return nil }
        var url = "\(server)/\(repository)/actions/runs/\(runID)"
        if let attempt = environment["GITHUB_RUN_ATTEMPT"], MarkerValue.matches(attempt, "[1-9][0-9]{0,4}") {
            url += "/attempts/\(attempt)"
        }
        return url
    }
}

/// Text shown literally inside HTML in a comment (`<pre>`): with `<`, `>` and `&` escaped it
/// cannot end the element, open a tag or an HTML comment (so no hidden marker), and Markdown
/// inside an HTML block is not interpreted.
enum HTMLText {
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
