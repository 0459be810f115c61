import Foundation
import Testing
@testable import AgentCoreGitOps

/// Secrets never reach logs. Every executable (and `agentcore` commands) runs with the sandbox's
/// real keys and tokens, on success and failure paths (a wrong secret key, a bad session token,
/// 401 and 403 from GitHub); stdout, stderr and the sandbox's own log must not contain any of
/// the secret values, as they are or URL-encoded.
///
/// The one allowed occurrence: in Actions mode (`GITHUB_ACTIONS=true`) the tool asks the runner
/// to mask a secret with the line `::add-mask::<value>`. GitHub's runner consumes that line and
/// never shows it (it is how masking works: the value must be sent to be masked). It counts only
/// as that whole line, and only in Actions mode; outside Actions not even that is printed.
@Suite("Hardening: secrets in output", .heavy, .tags(.sandbox, .process))
struct SecretLeakSandboxTests {
    /// A checkout of the small agent, over the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    struct Captured {
        let label: String
        let output: String
        let actionsMode: Bool
    }

    /// Every occurrence of a secret that is not an allowed mask line.
    static func leaks(in captured: Captured, secrets: [String: String]) -> [String] {
        var found: [String] = []
        for line in captured.output.split(separator: "\n", omittingEmptySubsequences: false) {
            for (name, secret) in secrets where !secret.isEmpty {
                let forms = Set([secret, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret])
                guard forms.contains(where: { line.contains($0) }) else { continue }
                if captured.actionsMode, line == "::add-mask::\(secret)" { continue }
                found.append("\(captured.label): \(name) in line \(line.prefix(40))…")
            }
        }
        return found
    }

    @Test("no run prints a secret, on success or failure; nor does the sandbox log")
    func noSecretInAnyOutput() async throws {
        let info = fixture.sandbox.info
        let tokens = try #require(info.tokens)
        let wrongSecret = "Wr0ngSecretKeyWr0ngSecretKeyWr0ngSecretK"
        let badSessionToken = "FwoGZXIvYXdzEBadSessionTokenValue0123456789abcdef"
        let badGitHubToken = "ghs_BadTokenBadTokenBadTokenBadToken0123"
        var secrets = ["AWS secret key": info.awsSecretAccessKey, "wrong secret key": wrongSecret,
                       "bad session token": badSessionToken, "bad GitHub token": badGitHubToken]
        for (identity, token) in tokens { secrets["GitHub token of \(identity)"] = token }

        var captured: [Captured] = []
        func record(_ label: String, _ result: ProcessResult, actions: Bool = true) {
            captured.append(Captured(label: label, output: result.stdout + "\n" + result.stderr, actionsMode: actions))
        }

        // pr-deploy: success, then each failure path.
        let number = try await fixture.openPullRequest()
        let opened = try await fixture.prDeploy("opened", number)
        #expect(opened.succeeded, "\(opened.process.output)")
        record("pr-deploy opened", opened.process)
        #expect(opened.process.stdout.contains("::add-mask::\(tokens["bot"] ?? "-")"), "the token is masked in Actions")
        record("pr-deploy, wrong secret key",
               try await fixture.prDeploy("opened", try await fixture.openPullRequest(), environment: ["AWS_SECRET_ACCESS_KEY": wrongSecret]).process)
        record("pr-deploy, bad session token",
               try await fixture.prDeploy("opened", try await fixture.openPullRequest(), environment: ["AWS_SESSION_TOKEN": badSessionToken]).process)
        record("pr-deploy, 401 from GitHub",
               try await fixture.prDeploy("opened", try await fixture.openPullRequest(), environment: ["GITHUB_TOKEN": badGitHubToken]).process)
        record("pr-deploy, 403 from GitHub (outsider token)",
               try await fixture.prDeploy("opened", try await fixture.openPullRequest(), environment: ["GITHUB_TOKEN": tokens["outsider"]]).process)
        let plain = try await fixture.prDeploy("synchronize", number, before: FlowFixture.sha(), environment: ["GITHUB_ACTIONS": nil])
        record("pr-deploy outside Actions", plain.process, actions: false)

        // prod-deploy and prod-promote, then a promotion refused for a triager's token.
        let merge = try await fixture.merge(number)
        let deployed = try await fixture.prodDeploy(after: merge)
        record("prod-deploy", deployed.process)
        let issue = try #require(deployed.outputs["issue_number"].flatMap(Int.init))
        _ = try await fixture.github.client("maintainer").addLabels(issue: issue, labels: ["approved"])
        let labeled = try await fixture.event(["event": "issues", "action": "labeled", "number": issue, "label": "approved"])
        record("prod-promote, triage token", try await fixture.run("prod-promote", event: "issues", payload: labeled,
                                                                   environment: ["GITHUB_TOKEN": tokens["triage"]]).process)
        record("prod-promote, maintainer token", try await fixture.run("prod-promote", event: "issues", payload: labeled,
                                                                       environment: ["GITHUB_TOKEN": tokens["maintainer"]]).process)
        record("prod-promote", try await fixture.run("prod-promote", event: "issues", payload: labeled).process)
        record("prod-promote, wrong secret key", try await fixture.run(
            "prod-promote", event: "issues", payload: labeled, environment: ["AWS_SECRET_ACCESS_KEY": wrongSecret]).process)

        // agentcore by hand: not Actions, so not even mask lines.
        let agentcore = RepositoryPaths.executable("agentcore")
        var cli = fixture.sandbox.awsEnvironment
        cli["GITHUB_REPOSITORY"] = fixture.github.repository
        cli["GITHUB_API_URL"] = fixture.github.apiURL
        cli["GITHUB_TOKEN"] = tokens["bot"]
        let commands: [(String, [String], [String: String])] = [
            ("agentcore runtime list", ["runtime", "list"], [:]),
            ("agentcore runtime list --json", ["runtime", "list", "--json"], [:]),
            ("agentcore runtime get (missing)", ["runtime", "get", "pr_999999999"], [:]),
            ("agentcore runtime list, wrong secret key", ["runtime", "list"], ["AWS_SECRET_ACCESS_KEY": wrongSecret]),
            ("agentcore runtime list, bad session token", ["runtime", "list"], ["AWS_SESSION_TOKEN": badSessionToken]),
            ("agentcore sweep --dry-run, 401", ["sweep", "--dry-run"], ["GITHUB_TOKEN": badGitHubToken]),
            ("agentcore sweep --dry-run, wrong secret key", ["sweep", "--dry-run"], ["AWS_SECRET_ACCESS_KEY": wrongSecret]),
        ]
        for (label, arguments, overrides) in commands {
            record(label, try await runProcess(agentcore, arguments, environment: cli.merging(overrides) { $1 }), actions: false)
        }
        // The failure paths did fail (so their messages were exercised).
        #expect(captured.filter { $0.output.contains("::error") || $0.output.contains("error:") }.count >= 8)

        // What the failed runs wrote on their pull requests ("deploy failed" comments quote the error).
        let comments = try await fixture.gitHubState().comments.filter { $0.repository == fixture.github.repository }
        #expect(comments.contains { $0.body.contains(": deploy failed") }, "the failure paths commented")
        captured.append(Captured(label: "comments on GitHub", output: comments.map(\.body).joined(separator: "\n"), actionsMode: false))

        let log = (try? String(contentsOf: fixture.sandbox.logURL, encoding: .utf8)) ?? ""
        captured.append(Captured(label: "sandbox log", output: log, actionsMode: false))
        let leaks = captured.flatMap { Self.leaks(in: $0, secrets: secrets) }
        #expect(leaks.isEmpty, "\(leaks.joined(separator: "\n"))")
        print("secret-scan: \(captured.count) outputs scanned for \(secrets.count) secret values; \(leaks.count) leaks")
    }

}
