import Foundation

extension PRDeploymentReport {
    /// The smoke test's lines in the sticky comment, between the table and "Try it"; a failure
    /// says that it fails the job and what to do.
    var smokeTestSection: String {
        guard let smokeTest else { return "" }
        var lines = ["", smokeTest.markdown, ""]
        if smokeTest.failed {
            lines += [
                "**This fails the pr-deploy job.** Version \(version) runs, but it does not answer as `smokeTest` in "
                    + "`agentcore.json` asks. Read the agent's logs, push a fix, or re-run the job to test it again.",
                "",
            ]
        }
        return lines.joined(separator: "\n")
    }
}
