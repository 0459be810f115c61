import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct MarkerTests {
    static let prRuntime = "pr_42-AbCd1234Ef"
    static let prodRuntime = "prod-XyZ9876WvU"
    static let sha = "c4295bd74fb0f4fda03689c3df3f2803b658fd85"
    static let sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func fullMetadata() throws -> DeploymentMetadata {
        try DeploymentMetadata(
            runtimeID: prodRuntime, version: "5", prRuntimeID: prRuntime, commitSHA: sha, prNumber: 42,
            packageSHA256: sha256, runtimeName: "prod")
    }

    // MARK: Writing and reading back

    @Test func runtimeIDMarkerGolden() throws {
        #expect(try RuntimeIDMarker.render(Self.prRuntime) == "<!-- RUNTIME_ID: pr_42-AbCd1234Ef -->")
    }

    @Test func runtimeIDMarkerRoundTripsInsideAComment() throws {
        let body = "### Deployed\n\n\(try RuntimeIDMarker.render(Self.prRuntime))\n| Version | 3 |\n"
        #expect(try RuntimeIDMarker.parse(body) == Self.prRuntime)
    }

    @Test func metadataGolden() throws {
        #expect(try Self.fullMetadata().rendered() == """
            <!-- DEPLOYMENT_METADATA
            RUNTIME_ID: prod-XyZ9876WvU
            VERSION: 5
            PR_RUNTIME_ID: pr_42-AbCd1234Ef
            COMMIT_SHA: c4295bd74fb0f4fda03689c3df3f2803b658fd85
            PR_NUMBER: 42
            PACKAGE_SHA256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            RUNTIME_NAME: prod
            -->
            """)
    }

    @Test func metadataRoundTrips() throws {
        let full = try Self.fullMetadata()
        #expect(try DeploymentMetadata.parse("# Deployment v5\n\n" + full.rendered() + "\n\nAdd `approved`.") == full)
        let minimal = try DeploymentMetadata(runtimeID: Self.prodRuntime, version: "99999", prRuntimeID: nil)
        #expect(minimal.rendered().contains("PR_RUNTIME_ID: NONE"))
        #expect(try DeploymentMetadata.parse(minimal.rendered()) == minimal)
    }

    @Test func seedFormatParses() throws {
        let seed = "<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: prod-XyZ9876WvU\nVERSION: 5\nPR_RUNTIME_ID: pr_42-AbCd1234Ef\n-->"
        let parsed = try #require(try DeploymentMetadata.parse(seed))
        #expect(parsed.runtimeID == Self.prodRuntime && parsed.version == "5" && parsed.prRuntimeID == Self.prRuntime)
        #expect(parsed.commitSHA == nil && parsed.prNumber == nil)
    }

    @Test func toleratesCRLFExtraWhitespaceAndUnknownKeys() throws {
        let body = "Intro\r\n  <!--   DEPLOYMENT_METADATA   \r\n   RUNTIME_ID:    prod-XyZ9876WvU  \r\n\r\nVERSION:5\r\n"
            + "FUTURE_KEY: something\r\nPR_RUNTIME_ID: NONE -->\r\n"
        let parsed = try #require(try DeploymentMetadata.parse(body))
        #expect(parsed.runtimeID == Self.prodRuntime && parsed.version == "5" && parsed.prRuntimeID == nil)
        #expect(try RuntimeIDMarker.parse("x\r\n   <!--RUNTIME_ID:pr_42-AbCd1234Ef-->   \r\n") == Self.prRuntime)
    }

    @Test func bodiesWithoutMarkersGiveNil() throws {
        #expect(try RuntimeIDMarker.parse("") == nil)
        #expect(try DeploymentMetadata.parse("<!-- agentcore-gitops:pr-deploy -->\nhello") == nil)
        #expect(try RuntimeIDMarker.parse("RUNTIME_ID: pr_42-AbCd1234Ef") == nil)
    }

    // MARK: Invalid values

    @Test(arguments: [
        "pr_42", "pr-42-AbCd1234Ef", "42_pr-AbCd1234Ef", "pr_42-AbCd1234E", "pr_42-AbCd1234Efg",
        "pr_42-AbCd1234E!", "pr_42-AbCd1234Éf", "pr_42-AbCd1234Ef;rm", "NONE",
        String(repeating: "a", count: 101) + "-AbCd1234Ef",
    ])
    func rejectsInvalidRuntimeIDs(value: String) {
        #expect(throws: MarkerError.self) { try RuntimeIDMarker.render(value) }
        #expect(throws: MarkerError.self) { try RuntimeIDMarker.parse("<!-- RUNTIME_ID: \(value) -->") }
    }

    @Test func runtimeNameComesFromTheID() {
        #expect(MarkerValue.runtimeName(ofRuntimeID: "pr_42-AbCd1234Ef") == "pr_42")
        #expect(MarkerValue.runtimeName(ofRuntimeID: "prod-XyZ9876WvU") == "prod")
        #expect(MarkerValue.runtimeName(ofRuntimeID: "pr_42") == nil)
        #expect(MarkerValue.runtimeName(ofRuntimeID: "pr_42-AbCd1234Ef\n") == nil)
    }

    @Test func acceptsLongestRuntimeID() throws {
        let id = "a" + String(repeating: "b", count: 99) + "-AbCd1234Ef"
        #expect(try RuntimeIDMarker.parse(try RuntimeIDMarker.render(id)) == id)
    }

    @Test(arguments: [
        ("VERSION", "0"), ("VERSION", "123456"), ("VERSION", "99999999999999999999999"), ("VERSION", "-1"),
        ("VERSION", "5.0"), ("VERSION", "０５"), ("COMMIT_SHA", "C4295BD74FB0F4FDA03689C3DF3F2803B658FD85"),
        ("COMMIT_SHA", "abc"), ("PACKAGE_SHA256", "00"), ("PR_NUMBER", "0"),
        ("PR_NUMBER", "999999999999999999999999999"), ("PR_NUMBER", "4e2"), ("RUNTIME_NAME", "pr-42"),
        ("PR_RUNTIME_ID", "pr_1-short"),
    ])
    func rejectsInvalidMetadataValues(key: String, value: String) {
        var fields = ["RUNTIME_ID": Self.prodRuntime, "VERSION": "5", "PR_RUNTIME_ID": "NONE"]
        fields[key] = value
        let body = "<!-- DEPLOYMENT_METADATA\n" + fields.map { "\($0): \($1)" }.joined(separator: "\n") + "\n-->"
        #expect(throws: MarkerError.self) { try DeploymentMetadata.parse(body) }
    }

    @Test func missingRequiredKeyIsNamed() {
        #expect(throws: MarkerError.missingKey("VERSION")) {
            try DeploymentMetadata.parse("<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: prod-XyZ9876WvU\nPR_RUNTIME_ID: NONE\n-->")
        }
    }

    // MARK: Ambiguity and hostile bodies

    @Test func duplicateKeysAreAmbiguous() {
        let body = "<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: prod-XyZ9876WvU\nVERSION: 5\nVERSION: 6\nPR_RUNTIME_ID: NONE\n-->"
        #expect(throws: MarkerError.ambiguous("DEPLOYMENT_METADATA has VERSION twice")) {
            try DeploymentMetadata.parse(body)
        }
    }

    @Test func twoBlocksOrTwoMarkersAreAmbiguous() throws {
        let block = try Self.fullMetadata().rendered()
        #expect(throws: MarkerError.ambiguous("2 DEPLOYMENT_METADATA blocks")) {
            try DeploymentMetadata.parse(block + "\n\n" + block)
        }
        let marker = try RuntimeIDMarker.render(Self.prRuntime)
        #expect(throws: MarkerError.ambiguous("2 RUNTIME_ID markers")) {
            try RuntimeIDMarker.parse(marker + "\n" + marker.replacingOccurrences(of: "pr_42", with: "pr_43"))
        }
    }

    @Test func nestedAndUnterminatedMarkersAreMalformed() {
        let nested = "<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: prod-XyZ9876WvU\n<!-- DEPLOYMENT_METADATA\nVERSION: 5\n-->\n-->"
        #expect(throws: MarkerError.self) { try DeploymentMetadata.parse(nested) }
        let runtimeInside = "<!-- DEPLOYMENT_METADATA\n<!-- RUNTIME_ID: pr_42-AbCd1234Ef -->\nVERSION: 5\n-->"
        #expect(throws: MarkerError.self) { try DeploymentMetadata.parse(runtimeInside) }
        #expect(throws: MarkerError.self) {
            try DeploymentMetadata.parse("<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: prod-XyZ9876WvU\nVERSION: 5")
        }
        #expect(throws: MarkerError.self) { try RuntimeIDMarker.parse("<!-- RUNTIME_ID: pr_42-AbCd1234Ef <!-- x -->") }
        #expect(throws: MarkerError.self) { try RuntimeIDMarker.parse("<!-- RUNTIME_ID: pr_42-AbCd1234Ef") }
    }

    @Test func injectionStringsInValuesAreRejected() {
        for value in ["prod-XyZ9876WvU\n::add-mask::x", "$(curl evil)", "prod-XyZ9876WvU --> <!--", "'; DROP TABLE"] {
            let body = "<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: \(value)\nVERSION: 5\nPR_RUNTIME_ID: NONE\n-->"
            #expect(throws: MarkerError.self) { try DeploymentMetadata.parse(body) }
        }
        let error = MarkerError.invalidValue(key: "RUNTIME_ID", value: "a\n::error::pwned" + String(repeating: "x", count: 100), expected: "id")
        #expect(!error.description.contains("\n"))
        #expect(error.description.count < 200)
    }

    @Test func markersInCodeOrQuotesAreNotOurs() throws {
        let marker = try RuntimeIDMarker.render(Self.prRuntime)
        let block = try Self.fullMetadata().rendered()
        let hidden = [
            "```\n\(marker)\n```",
            "~~~~markdown\n\(block)\n~~~~",
            "````\n```\n\(marker)\n````",
            "text\n\n    \(marker)",
            "\t\(marker)",
            "> \(marker)",
            ">\(block)",
            "> > \(marker)",
            "see `\(marker)`",
            "- \(marker)",
            "```\nunclosed fence\n\(marker)",
        ]
        for body in hidden {
            #expect(try RuntimeIDMarker.parse(body) == nil, "\(body)")
            #expect(try DeploymentMetadata.parse(body) == nil, "\(body)")
        }
        // After a closed fence, a real marker counts again.
        #expect(try RuntimeIDMarker.parse("```\ncode\n```\n\(marker)") == Self.prRuntime)
        // A person quoting the bot's marker next to the real one does not make it ambiguous.
        #expect(try RuntimeIDMarker.parse("\(marker)\n\n> \(marker.replacingOccurrences(of: "42", with: "43"))") == Self.prRuntime)
    }

    // MARK: Trust

    @Test func onlyTheBotsTextIsTrusted() throws {
        let body = try Self.fullMetadata().rendered() + "\n" + (try RuntimeIDMarker.render(Self.prRuntime))
        let trusted = TrustedMarkers()
        let bot = GitHubUser(login: "github-actions[bot]", id: 41898282, type: "Bot")
        let person = GitHubUser(login: "mallory", id: 7, type: "User")
        let impostor = GitHubUser(login: "github-actions", id: 8, type: "User")

        #expect(try trusted.deploymentMetadata(in: GitHubIssue(number: 1, title: "t", body: body, user: bot)) == Self.fullMetadata())
        #expect(try trusted.runtimeID(in: GitHubComment(id: 1, body: body, user: bot)) == Self.prRuntime)
        for user in [person, impostor, nil] {
            #expect(try trusted.deploymentMetadata(in: GitHubIssue(number: 1, title: "t", body: body, user: user)) == nil)
            #expect(try trusted.runtimeID(in: GitHubComment(id: 1, body: body, user: user)) == nil)
        }
        // A hostile body by someone else is never parsed, so it cannot even raise an error.
        let hostile = GitHubComment(id: 2, body: "<!-- RUNTIME_ID: x -->\n<!-- RUNTIME_ID: y -->", user: person)
        #expect(try trusted.runtimeID(in: hostile) == nil)
        // A custom bot login from AGENTCORE_BOT_LOGIN.
        let custom = TrustedMarkers(botLogin: "deploy-bot[bot]")
        #expect(try custom.runtimeID(in: GitHubComment(id: 1, body: body, user: bot)) == nil)
        #expect(try custom.runtimeID(in: GitHubComment(id: 1, body: body, user: GitHubUser(login: "deploy-bot[bot]"))) == Self.prRuntime)
    }

    @Test func runtimeIDAmongCommentsIgnoresOthersAndDetectsConflicts() throws {
        let trusted = TrustedMarkers()
        let bot = GitHubUser(login: "github-actions[bot]")
        let ours = GitHubComment(id: 1, body: try RuntimeIDMarker.render(Self.prRuntime), user: bot)
        let fake = GitHubComment(id: 2, body: "<!-- RUNTIME_ID: pr_1-AAAAAAAAAA -->", user: GitHubUser(login: "mallory"))
        #expect(try trusted.runtimeID(inComments: [fake, ours, fake]) == Self.prRuntime)
        #expect(try trusted.runtimeID(inComments: [fake]) == nil)
        let other = GitHubComment(id: 3, body: "<!-- RUNTIME_ID: pr_1-AAAAAAAAAA -->", user: bot)
        #expect(throws: MarkerError.self) { try trusted.runtimeID(inComments: [ours, other]) }
    }
}
