import Foundation

extension DeploymentIssue {
    /// The smoke test's part of the issue body sits between these, so a re-test replaces it.
    /// They are for finding the part only: promotion reads the smoke-test record, never the text.
    static let smokeTestStart = "<!-- agentcore-gitops: smoke test -->"
    static let smokeTestEnd = "<!-- agentcore-gitops: end of smoke test -->"

    /// Below the heading: passed or failed, latency, the start of the answer; a failure says
    /// that the version cannot be promoted and how to test it again.
    static func smokeTestSection(_ outcome: SmokeTestOutcome, runtimeName: String) -> String {
        "\n" + smokeTestPart(outcome, runtimeName: runtimeName) + "\n"
    }

    /// `body` with its smoke-test part showing `outcome`. A body whose markers were edited away
    /// gets the part again before the hidden metadata.
    static func replacingSmokeTest(in body: String, with outcome: SmokeTestOutcome, runtimeName: String) -> String {
        let part = smokeTestPart(outcome, runtimeName: runtimeName)
        if let range = smokeTestRange(in: body) {
            return body.replacingCharacters(in: range, with: part)
        }
        if let metadata = body.range(of: "<!-- DEPLOYMENT_METADATA") {
            return body.replacingCharacters(in: metadata.lowerBound..<metadata.lowerBound, with: part + "\n\n")
        }
        return body + "\n\n" + part
    }

    /// Whether the body's smoke-test part reads as passed (for tidying the text only; what a
    /// promotion trusts is the record).
    static func showsSmokeTestPassed(_ body: String) -> Bool {
        guard let part = smokeTestRange(in: body) else { return false }
        return body[part].contains("#### Smoke test: passed")
    }

    private static func smokeTestRange(in body: String) -> Range<String.Index>? {
        guard let start = body.range(of: smokeTestStart),
              let end = body.range(of: smokeTestEnd, range: start.upperBound..<body.endIndex)
        else { return nil }
        return start.lowerBound..<end.upperBound
    }

    private static func smokeTestPart(_ outcome: SmokeTestOutcome, runtimeName: String) -> String {
        var lines = [smokeTestStart]
        switch outcome.verdict {
        case .tested(let result) where !result.passed:
            lines += [
                "**`\(runtimeName)` version \(outcome.version) failed its smoke test, so prod-promote refuses to promote it.** "
                    + "Re-run the prod-deploy job of this commit to test it again (a pass updates this issue), or merge a fix.",
                "",
            ]
        case .superseded(let newer):
            lines += [
                "**`\(runtimeName)` version \(outcome.version) was not smoke-tested, so prod-promote refuses to promote it.** "
                    + "Approve the deployment issue of version \(newer) instead.",
                "",
            ]
        case .tested, .passedBefore:
            break
        }
        lines += [outcome.markdown, smokeTestEnd]
        return lines.joined(separator: "\n")
    }
}
