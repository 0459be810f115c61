import Foundation
import Testing
@testable import AgentCoreGitOps

/// `SmokeTest` over a fake invoker and a manual clock: what passes and fails, what the result
/// shows (escaped and redacted), and how `smokeTest` settings are checked.
@Suite struct SmokeTestTests {
    static let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/pr_7-AbCdEfGhIj"
    static let redactor = SecretRedactor(secrets: ["s3cr3t-value-123"])

    static func settings(_ json: String) throws -> SmokeTestSettings {
        try JSONDecoder().decode(SmokeTestSettings.self, from: Data(json.utf8))
    }

    static func run(
        _ settings: SmokeTestSettings = .minimal, endpoint: String = "DEFAULT", clock: ManualClock = ManualClock(),
        answer: @escaping @Sendable (AgentInvocation) async throws -> AgentAnswer
    ) async -> (SmokeTestResult, FakeInvoker) {
        let invoker = FakeInvoker(answer)
        let result = await SmokeTest(settings: settings, redactor: redactor)
            .run(invoker: invoker, runtimeARN: arn, endpoint: endpoint, clock: clock)
        return (result, invoker)
    }

    // MARK: Passing and failing

    @Test func withoutSettingsTheDefaultPayloadMustGetAnAnswer() async throws {
        let clock = ManualClock()
        let (result, invoker) = await Self.run(clock: clock) { _ in
            clock.advance(by: .milliseconds(840))
            return FakeInvoker.answer(#"{"result": "I told my computer a joke about UDP."}"#)
        }

        #expect(result.passed && result.reason == nil)
        #expect(result.latency == .milliseconds(840))
        let invocation = try #require(invoker.invocations.first)
        #expect(invocation.payload == Data(#"{"prompt":"Hello"}"#.utf8) && invocation.endpoint == "DEFAULT")
        #expect(invocation.runtimeARN == Self.arn)
        #expect(result.answer?.text == #"{"result": "I told my computer a joke about UDP."}"#)
        #expect(result.commitState == .success)
        #expect(result.statusDescription == "Endpoint DEFAULT answered in 0.84 s")
        #expect(result.markdown.hasPrefix("#### Smoke test: passed\n"))
        #expect(result.markdown.contains("Invoked endpoint <code>DEFAULT</code> of <code>pr_7-AbCdEfGhIj</code>: answered in 0.84 s."))
        #expect(result.tableRow == "| Smoke test | passed in 0.84 s on endpoint <code>DEFAULT</code> |")
    }

    @Test func theAnswerMustMatchExpectWhenGiven() async throws {
        let settings = try Self.settings(#"{"payload": {"prompt": "a joke", "n": 2}, "expect": "joke|pun", "timeoutSeconds": 30}"#)
        let (passed, invoker) = await Self.run(settings, endpoint: "live") { _ in FakeInvoker.answer(#"{"result": "a pun"}"#) }
        #expect(passed.passed && passed.expectation == "joke|pun" && passed.statusDescription.hasSuffix(", matching expect"))
        #expect(invoker.invocations.first?.payload == Data(#"{"n":2,"prompt":"a joke"}"#.utf8))
        #expect(invoker.invocations.first?.endpoint == "live")

        let (failed, _) = await Self.run(settings) { _ in FakeInvoker.answer(#"{"result": "a haiku"}"#) }
        #expect(!failed.passed && failed.commitState == .failure)
        #expect(failed.reason == "the answer does not match `expect` (joke|pun)")
        #expect(failed.markdown.contains("#### Smoke test: failed") && failed.markdown.contains("a haiku"))
    }

    @Test func anEventStreamIsMatchedOnItsEventsData() async throws {
        let settings = try Self.settings(#"{"expect": "(?m)^second$"}"#)
        let (result, _) = await Self.run(settings) { _ in
            FakeInvoker.answer("data: first\n\ndata: second\n\n", contentType: "text/event-stream")
        }
        #expect(result.passed, "\(result.reason ?? "")")
        #expect(result.answer?.text == "first\nsecond")
    }

    @Test func aFailedInvocationFailsWithItsReason() async throws {
        let (result, _) = await Self.run { invocation in
            throw AgentInvocationError(
                kind: .agentFailed, invocation, problem: "the agent failed: RuntimeClientError (HTTP 424)", fix: "look at its logs")
        }
        #expect(!result.passed && result.answer == nil)
        #expect(result.reason == "InvokeAgentRuntime on runtime pr_7 (pr_7-AbCdEfGhIj), endpoint DEFAULT: "
            + "the agent failed: RuntimeClientError (HTTP 424) — look at its logs")
        #expect(result.statusDescription.hasPrefix("Failed on endpoint DEFAULT: InvokeAgentRuntime on runtime pr_7"))
        #expect(result.statusDescription.unicodeScalars.count <= GitHubCommitStatus.maxDescriptionLength)
        #expect(result.tableRow == "| Smoke test | **failed** in 0.00 s on endpoint <code>DEFAULT</code> |")
    }

    @Test func anAnswerThatTakesLongerThanTheTimeoutFails() async throws {
        let clock = ManualClock()
        let settings = try Self.settings(#"{"timeoutSeconds": 60}"#)
        async let outcome = Self.run(settings, clock: clock) { _ in
            try await clock.sleep(for: .seconds(3600))  // an agent that never finishes
            return FakeInvoker.answer("{}")
        }
        await clock.waitForSleepers(2)  // the agent and the timeout
        clock.advance(by: .seconds(61))
        let (result, _) = await outcome

        #expect(!result.passed)
        #expect(result.reason == "no complete answer within 60 s")
        #expect(result.latency == .seconds(61))
    }

    @Test func whatTheAgentSaysIsRedactedAndEscaped() async throws {
        let answer = """
            {"result": "<!-- RUNTIME_ID: evil-AbCdEfGhIj --> </pre><img src=x> @octocat [x](http://evil) \
            key AKIAABCDEFGHIJKLMNOP and s3cr3t-value-123 \u{202E}reversed"}
            """
        let (result, _) = await Self.run { _ in FakeInvoker.answer(answer) }
        let markdown = result.markdown
        #expect(!markdown.contains("<!--") && !markdown.contains("</pre><img"))
        #expect(markdown.contains("&lt;!-- RUNTIME_ID") && markdown.contains("&lt;/pre&gt;&lt;img src=x&gt;"))
        #expect(!markdown.contains("AKIAABCDEFGHIJKLMNOP") && !markdown.contains("s3cr3t-value-123"))
        #expect(markdown.contains(SecretRedactor.placeholder))
        #expect(!markdown.contains("\u{202E}"), "direction overrides are dropped")
        #expect(markdown.contains("<pre>{&quot;result&quot;: &quot;&lt;!--"), "the answer sits inside <pre>")

        let settings = try Self.settings(#"{"expect": "<b>|a</pre>"}"#)
        let (failed, _) = await Self.run(settings) { _ in FakeInvoker.answer("nothing") }
        #expect(failed.markdown.contains("<code>&lt;b&gt;|a&lt;/pre&gt;</code>"))
        #expect(failed.markdown.contains("<pre>the answer does not match `expect` (&lt;b&gt;|a&lt;/pre&gt;)</pre>"))
    }

    @Test func anEmptyAnswerPassesAndSaysSo() async {
        let (result, _) = await Self.run { _ in FakeInvoker.answer("") }
        #expect(result.passed && result.answer == nil)
        #expect(result.markdown.hasSuffix("The answer was empty."))
    }

    @Test func aLongReasonIsCutToTheStatusDescriptionLimit() {
        let result = SmokeTestResult(
            passed: false, runtimeARN: Self.arn, endpoint: "DEFAULT", latency: .seconds(2),
            reason: String(repeating: "é", count: 300) + "\nsecond line")
        #expect(result.statusDescription.unicodeScalars.count == GitHubCommitStatus.maxDescriptionLength)
        #expect(result.statusDescription.hasSuffix("…") && !result.statusDescription.contains("\n"))
    }

    // MARK: Settings

    @Test func settingsDefaultWhatTheyLeaveOut() throws {
        #expect(try Self.settings("{}") == .minimal)
        #expect(SmokeTestSettings.minimal.payload == ["prompt": .string("Hello")])
        #expect(SmokeTestSettings.minimal.timeoutSeconds == 60 && SmokeTestSettings.minimal.expect == nil)
        let full = try Self.settings(#"{"payload": {"prompt": "x", "deep": {"list": [1, 2.5, true, null]}}, "expect": "x", "timeoutSeconds": 900}"#)
        #expect(full.payload["deep"] == .object(["list": .array([.integer(1), .number(2.5), .bool(true), .null])]))
        #expect(full.timeoutSeconds == 900 && full.expect == "x")
    }

    @Test func badSettingsNameTheFieldAndTheFix() {
        let cases: [(json: String, says: String)] = [
            (#"[]"#, "agentcore.json: smokeTest must be a JSON object"),
            (#"{"payload": ["prompt"]}"#, #"smokeTest.payload must be a JSON object, like {"prompt""#),
            (#"{"payload": "hello"}"#, "smokeTest.payload must be a JSON object"),
            (#"{"expect": "("}"#, "smokeTest.expect '(' is not a regular expression"),
            (#"{"expect": ""}"#, "smokeTest.expect is empty — leave it out"),
            (#"{"expect": 3}"#, "smokeTest.expect must be a string"),
            (#"{"timeoutSeconds": 0}"#, "smokeTest.timeoutSeconds is 0 — give a whole number of seconds from 1 to 900"),
            (#"{"timeoutSeconds": 901}"#, "smokeTest.timeoutSeconds is 901"),
            (#"{"timeoutSeconds": 1.5}"#, "smokeTest.timeoutSeconds must be a whole number"),
            (#"{"timeoutSeconds": "60"}"#, "smokeTest.timeoutSeconds must be a whole number"),
            (#"{"expected": "x"}"#, "smokeTest.expected is not a known setting (known: expect, payload, timeoutSeconds)"),
        ]
        for (json, says) in cases {
            let error = #expect(throws: RuntimeSettingsError.self, "\(json)") { try Self.settings(json) }
            #expect(error?.description.contains(says) == true, "\(json): \(String(describing: error))")
        }
    }
}
