import Foundation
import Testing
@testable import AgentCoreGitOps

/// The sticky comment's "deploy failed" state, without servers: what it says, what it keeps for
/// later runs, and what hostile error text cannot do to it.
@Suite("Sticky comment: deploy failed")
struct PRFailureCommentTests {
    private let bot = GitHubUser(login: "github-actions[bot]", type: "Bot")
    private let person = GitHubUser(login: "someone", type: "User")
    private let runtimeID = "pr_7-AbCdEfGhIj"
    private let failedSHA = String(repeating: "c", count: 40)
    private let deployedSHA = String(repeating: "b", count: 40)
    private var previous: PRCommentRecord {
        PRCommentRecord(runtimeID: runtimeID, deployed: PRDeployedVersion(version: "3", commitSHA: deployedSHA))
    }

    private func failure(
        _ message: String, previous: PRCommentRecord, secrets: [String] = [], runURL: String? = nil
    ) -> PRDeployFailure {
        PRDeployFailure(
            runtimeName: "pr_7", commitSHA: failedSHA,
            reason: ErrorExcerpt(message: message, redactor: SecretRedactor(secrets: secrets)),
            previous: previous, runURL: runURL)
    }

    private func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test("golden: the failed commit, the reason, what still runs, the run's log and what to do")
    func golden() throws {
        let body = try PRComment.render(.failed(failure(
            "pr_7 version 4 ended UPDATE_FAILED: the agent crashed on start. Look at the runtime's logs",
            previous: previous, runURL: "https://github.com/octo/agent/actions/runs/42/attempts/1")))
        let expected = """
            <!-- agentcore-gitops: pull request runtime -->
            <!-- RUNTIME_ID: pr_7-AbCdEfGhIj -->
            <!-- DEPLOYED_VERSION: 3 -->
            <!-- DEPLOYED_COMMIT: \(deployedSHA) -->
            ### AgentCore runtime `pr_7`: deploy failed

            Commit `\(failedSHA)` could not be deployed.

            | | |
            |---|---|
            | Commit | `\(failedSHA)` (not deployed) |
            | Still running | version 3 of `pr_7` (`pr_7-AbCdEfGhIj`), commit `\(deployedSHA)`: the last successful deploy |
            | Workflow run | [the log of this run](https://github.com/octo/agent/actions/runs/42/attempts/1) |

            Why (the error):

            <pre>pr_7 version 4 ended UPDATE_FAILED: the agent crashed on start. Look at the runtime&#39;s logs</pre>

            **What to do:** read the whole error in the [workflow run](https://github.com/octo/agent/actions/runs/42/attempts/1), \
            then push a fix or re-run the job. The next successful deploy replaces this message.
            """
        #expect(body == expected)
    }

    @Test("hostile error text: no forged marker, no broken markup, no token")
    func hostileErrorText() throws {
        let envSecret = "s3cr3t-from-the-environment"
        let forged = "<!-- RUNTIME_ID: pr_9-EvIlEvIlEv -->"
        let message = [
            "health check failed --> \(forged)",
            forged,
            PRComment.marker,
            "<!-- DEPLOYED_VERSION: 99 -->",
            "```\n</pre><script>alert(1)</script> | a | b | **bold** [x](javascript:alert(1)) `code`",
            "Authorization: Bearer ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "token=ghp_abcdefghij0123456789ABCDEFGHIJabcdef and \(envSecret)",
        ].joined(separator: "\n")
        let body = try PRComment.render(.failed(failure(message, previous: previous, secrets: [envSecret])))

        // Our four hidden lines, and no other HTML comment anywhere.
        let lines = body.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains("<!--") || $0.contains("-->") } == Array(lines.prefix(4)))
        #expect(count("<!--", in: body) == 4 && count("-->", in: body) == 4)
        #expect(count(PRComment.marker, in: body) == 1)
        #expect(try RuntimeIDMarker.parse(body) == runtimeID)
        #expect(try PRComment.record(in: [GitHubComment(id: 1, body: body, user: bot)], trusted: TrustedMarkers()) == previous)

        // The error shows as text inside one <pre>, which nothing in it can close.
        #expect(count("<pre>", in: body) == 1 && count("</pre>", in: body) == 1)
        let shown = try #require(body.firstMatch(of: /<pre>([\s\S]*)<\/pre>/)?.output.1)
        #expect(!shown.contains("<") && !shown.contains(">"))
        #expect(!body.contains("<script"))
        #expect(shown.contains("health check failed --&gt; &lt;!-- RUNTIME_ID: pr_9-EvIlEvIlEv --&gt;"))
        #expect(shown.contains("```") && shown.contains("`code`"), "backticks are shown, not interpreted, inside <pre>")

        // No token, whatever its form.
        for secret in ["ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_abcdefghij0123456789ABCDEFGHIJabcdef", envSecret, "Bearer ghp"] {
            #expect(!body.contains(secret), "\(secret) leaked")
        }
        #expect(shown.contains("Authorization: [redacted]"))
        #expect(shown.contains("token=[redacted]"))
    }

    @Test("what still runs: the recorded version, the runtime alone, or nothing")
    func stillRunning() throws {
        let withVersion = try PRComment.render(.failed(failure("boom", previous: previous)))
        #expect(withVersion.contains("version 3 of `pr_7` (`pr_7-AbCdEfGhIj`), commit `\(deployedSHA)`"))

        let runtimeOnly = try PRComment.render(.failed(failure("boom", previous: PRCommentRecord(runtimeID: runtimeID, deployed: nil))))
        #expect(runtimeOnly.contains("`pr_7` (`pr_7-AbCdEfGhIj`): whatever version its `DEFAULT` endpoint serves, if any"))
        #expect(try RuntimeIDMarker.parse(runtimeOnly) == runtimeID)
        #expect(PRDeployedVersion.parse(runtimeOnly) == nil)

        let nothing = try PRComment.render(.failed(failure("boom", previous: .empty)))
        #expect(nothing.contains("nothing: no version of this pull request has been deployed yet"))
        #expect(try RuntimeIDMarker.parse(nothing) == nil)
        #expect(nothing.hasPrefix(PRComment.marker + "\n### AgentCore runtime `pr_7`: deploy failed"))
        #expect(!nothing.contains("Workflow run"), "no link without the run's variables")
        #expect(nothing.contains("read the whole error in the workflow run of this push, then push a fix or re-run the job"))
    }

    @Test("the record survives any number of failures; a person's marker is never read")
    func recordCarriedForward() throws {
        let trusted = TrustedMarkers()
        let deployed = try PRComment.render(.deployed(FlowPartsTests.report(changed: true)))
        let record = try PRComment.record(in: [GitHubComment(id: 5, body: deployed, user: bot)], trusted: trusted)
        #expect(record == PRCommentRecord(runtimeID: runtimeID, deployed: PRDeployedVersion(version: "3", commitSHA: deployedSHA)))

        var body = deployed
        for attempt in 1...3 {
            let current = try PRComment.record(in: [GitHubComment(id: 5, body: body, user: bot)], trusted: trusted)
            body = try PRComment.render(.failed(failure("failure \(attempt)", previous: current)))
            #expect(try PRComment.record(in: [GitHubComment(id: 5, body: body, user: bot)], trusted: trusted) == record)
        }
        // The same failure renders the same body: a rerun leaves the comment unchanged.
        #expect(try PRComment.render(.failed(failure("failure 3", previous: record))) == body)

        let quoted = GitHubComment(
            id: 2, body: PRComment.marker + "\n<!-- RUNTIME_ID: pr_7-ZzZzZzZzZz -->\n<!-- DEPLOYED_VERSION: 99 -->", user: person)
        #expect(try PRComment.record(in: [quoted, GitHubComment(id: 5, body: body, user: bot)], trusted: trusted) == record)
        #expect(try PRComment.record(in: [quoted], trusted: trusted) == .empty)
        // A version marker without a runtime, or not a version, is not a record.
        #expect(PRCommentRecord(runtimeID: nil, deployed: PRDeployedVersion(version: "3", commitSHA: nil)) == .empty)
        #expect(PRDeployedVersion.parse("<!-- DEPLOYED_VERSION: 3; rm -rf -->") == nil)
        #expect(PRDeployedVersion.parse("```\n<!-- DEPLOYED_VERSION: 3 -->\n```") == nil)
    }

    @Test("secrets go: known values, encoded forms and credential shapes; ordinary words stay")
    func redaction() {
        let redactor = SecretRedactor(environment: [
            "GITHUB_TOKEN": "plain-token-value-123", "MY_API_PASSWORD": "hunter2hunter2", "DEPLOY_SECRET": "a/b+c=secret",
            "PATH": "/usr/local/bin:/usr/bin", "AWS_REGION": "us-east-1", "SHORT_TOKEN": "abc",
        ])
        #expect(Set(redactor.secrets) == ["plain-token-value-123", "hunter2hunter2", "a/b+c=secret"])
        let cases: [(input: String, gone: [String], kept: [String])] = [
            ("GET failed with plain-token-value-123 and hunter2hunter2", ["plain-token", "hunter2"], ["GET failed with"]),
            ("url?x=a%2Fb%2Bc%3Dsecret", ["a%2Fb"], ["url?x="]),
            ("Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20150830/us-east-1/iam/aws4_request, Signature=abcd",
             ["AKIA", "abcd", "Credential="], ["Authorization: [redacted]"]),
            (#"{"authorization": "token ghs_xyz"}"#, ["ghs_xyz"], [#""authorization": [redacted]"#]),
            ("retry with Bearer abcdefghijklmnop1234", ["abcdefghijklmnop"], ["Bearer [redacted]"]),
            ("https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr&X-Amz-Date=1", ["IQoJ"], ["X-Amz-Security-Token=[redacted]"]),
            ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ["wJalr"], ["aws_secret_access_key = [redacted]"]),
            ("pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz here", ["github_pat_"], ["pat [redacted] here"]),
            ("key ASIAIOSFODNN7EXAMPLE used", ["ASIA"], ["key [redacted] used"]),
            ("oidc eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2lnbmF0dXJl end", ["eyJ"], ["oidc [redacted] end"]),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- after", ["MIIEow"], ["[redacted] after"]),
            ("ExpiredTokenException: The security token included in the request is expired", [],
             ["ExpiredTokenException: The security token included in the request is expired"]),
            ("InvalidSignatureException: Signature expired", [], ["InvalidSignatureException: Signature expired"]),
            (#"{"SecretAccessKey": "wJalrXUtnFEMI", "sessionToken":"FwoGZX"}"#, ["wJalr", "FwoGZX"],
             [#""SecretAccessKey": "[redacted]"#, #""sessionToken":"[redacted]"#]),
            ("/usr/local/bin:/usr/bin in us-east-1", [], ["/usr/local/bin:/usr/bin in us-east-1"]),
        ]
        for (input, gone, kept) in cases {
            let output = redactor.redact(input)
            for secret in gone { #expect(!output.contains(secret), "\(input) → \(output)") }
            for text in kept { #expect(output.contains(text), "\(input) → \(output)") }
        }
    }

    @Test("declared secrets go however short; a shorter one is not found inside another's placeholder")
    func shortDeclaredSecrets() {
        let redactor = SecretRedactor(secrets: ["Qz7k", "dact", "long-secret-value", ""])
        #expect(Set(redactor.secrets) == ["Qz7k", "dact", "long-secret-value"])
        #expect(redactor.redact("pin Qz7k, key long-secret-value, dactyl") == "pin [redacted], key [redacted], [redacted]yl")
        // A guessed name with a short value is a setting, not a secret: it stays.
        #expect(SecretRedactor(environment: ["MAX_TOKENS": "1000"]).redact("up to 1000 tokens") == "up to 1000 tokens")
        #expect(SecretRedactor(environment: ["JOKE_API_KEY": "jk-4f2a9c"]).redact("key jk-4f2a9c") == "key [redacted]")
    }

    @Test("the excerpt: the first lines, each cut short, control characters gone")
    func excerpt() {
        let none = SecretRedactor(secrets: [])
        let many = ErrorExcerpt(message: (1...20).map { "line \($0)" }.joined(separator: "\n"), redactor: none)
        #expect(many.text == (1...8).map { "line \($0)" }.joined(separator: "\n"))
        #expect(many.truncated)

        let long = ErrorExcerpt(message: String(repeating: "x", count: 1000), redactor: none)
        #expect(long.text == String(repeating: "x", count: 300) + "…")
        #expect(long.truncated)

        let messy = ErrorExcerpt(message: "\r\n\n  \u{1B}[31mred\u{1B}[0m\tend  \r\nfake\u{202E}txt.exe\u{200B}\n\n", redactor: none)
        #expect(messy.text == "  [31mred[0m end\nfaketxt.exe")
        #expect(!messy.truncated)

        #expect(ErrorExcerpt(message: " \n\t\n", redactor: none).text == "(the error has no message)")
        // A secret longer than a line is redacted before the line is cut, not left half shown.
        let secret = String(repeating: "k", count: 400)
        #expect(ErrorExcerpt(message: "x \(secret)", redactor: SecretRedactor(secrets: [secret])).text == "x [redacted]")
        struct Failure: Error, CustomStringConvertible { var description: String { "it broke. Fix it" } }
        #expect(ErrorExcerpt(describing: Failure(), redactor: none).text == "it broke. Fix it")
    }

    @Test("the run's link only from the variables GitHub sets, never from odd values")
    func runLink() {
        let base = ["GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "octo/agent", "GITHUB_RUN_ID": "42"]
        #expect(WorkflowRunLink.url(environment: base) == "https://github.com/octo/agent/actions/runs/42")
        #expect(WorkflowRunLink.url(environment: base.merging(["GITHUB_RUN_ATTEMPT": "2"]) { $1 })
                == "https://github.com/octo/agent/actions/runs/42/attempts/2")
        #expect(WorkflowRunLink.url(environment: base.merging(["GITHUB_SERVER_URL": "https://ghe.example.com:8443/"]) { $1 })
                == "https://ghe.example.com:8443/octo/agent/actions/runs/42")
        #expect(WorkflowRunLink.url(environment: base.merging(["GITHUB_RUN_ATTEMPT": "2) [x"]) { $1 })
                == "https://github.com/octo/agent/actions/runs/42")
        for (name, value) in [("GITHUB_SERVER_URL", "javascript:alert(1)"), ("GITHUB_SERVER_URL", "https://x.com/a)(y"),
                              ("GITHUB_REPOSITORY", "octo/agent) [x](y"), ("GITHUB_RUN_ID", "42 "), ("GITHUB_RUN_ID", "")] {
            #expect(WorkflowRunLink.url(environment: base.merging([name: value]) { $1 }) == nil, "\(name)=\(value)")
        }
        #expect(WorkflowRunLink.url(environment: base.filter { $0.key != "GITHUB_RUN_ID" }) == nil)
    }
}
