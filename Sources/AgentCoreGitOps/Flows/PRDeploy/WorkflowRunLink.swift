import Foundation

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
