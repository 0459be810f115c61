import Foundation
import Testing
@testable import AgentCoreGitOps

/// What a pull request's comment may never show: the values `${NAME}` references read from the
/// job's environment, whatever quotes them (AWS's error, the agent's own answer).
@Suite("pr-deploy keeps referenced secrets out of the comment, in memory")
struct PRDeploySecretsDecisionTests {
    static let secret = "postgres://app:k9-Very-Secret-Pass@db.internal/app"
    let flows: InMemoryFlows

    init() throws {
        flows = try InMemoryFlows()
        // A name no credential heuristic catches: only the reference says it is secret.
        flows.environment["DB_CONNECTION"] = Self.secret
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt",
             "environmentVariables": {"LOG_LEVEL": "DEBUG"},
             "environments": {"pr": {"environmentVariables": {"DATABASE_URL": "${DB_CONNECTION}"}}}}
            """)
    }

    private func comment(_ number: Int) -> String { flows.github.comments(on: number).first?.body ?? "" }

    @Test("AWS's error quoting a resolved value: the failure comment redacts it")
    func aFailureQuotingTheValueIsRedacted() async throws {
        let number = flows.github.openPullRequest()
        flows.agentCore.failNext("CreateAgentRuntime", with: FakeAgentCore.error(
            "ValidationException", 400, "CreateAgentRuntime", "environmentVariables.DATABASE_URL '\(Self.secret)' is not valid"))

        await #expect(throws: AWSError.self) { try await flows.prDeploy("opened", number) }
        let body = comment(number)
        #expect(body.contains(": deploy failed") && body.contains("is not valid"), "\(body)")
        #expect(!body.contains(Self.secret) && !body.contains("k9-Very-Secret-Pass"), "\(body)")
    }

    @Test("an agent that answers with a resolved value: the smoke test's excerpt redacts it")
    func anAnswerQuotingTheValueIsRedacted() async throws {
        flows.invoker.answer { _ in FakeInvoker.answer(#"{"result": "connected to \#(Self.secret)"}"#) }
        let number = flows.github.openPullRequest()
        _ = try await flows.prDeploy("opened", number)
        let body = comment(number)
        #expect(body.contains("connected to"), "\(body)")
        #expect(!body.contains("k9-Very-Secret-Pass"), "\(body)")
    }

    /// However short a referenced value is, it was declared a secret: the shortest allowed one is
    /// redacted from the failure comment and from the smoke test's excerpt as a long one is.
    @Test("the shortest allowed value: redacted from the failure comment and the smoke test's excerpt")
    func aShortValueIsRedacted() async throws {
        let short = "Qz7k"
        #expect(short.count == EnvironmentSettings.minimumSecretLength)
        flows.environment["DB_CONNECTION"] = short
        let failing = flows.github.openPullRequest()
        flows.agentCore.failNext("CreateAgentRuntime", with: FakeAgentCore.error(
            "ValidationException", 400, "CreateAgentRuntime", "environmentVariables.DATABASE_URL '\(short)' is not valid"))
        await #expect(throws: AWSError.self) { try await flows.prDeploy("opened", failing) }
        let failure = comment(failing)
        #expect(failure.contains(": deploy failed") && failure.contains("DATABASE_URL &#39;[redacted]&#39; is not valid"), "\(failure)")
        #expect(!failure.contains(short), "\(failure)")

        flows.invoker.answer { _ in FakeInvoker.answer(#"{"result": "password is \#(short)"}"#) }
        let answered = flows.github.openPullRequest()
        _ = try await flows.prDeploy("opened", answered)
        let excerpt = comment(answered)
        #expect(excerpt.contains("password is [redacted]"), "\(excerpt)")
        #expect(!excerpt.contains(short), "\(excerpt)")
    }

    /// A one- or two-character value cannot be redacted without taking every such letter out of
    /// every text: it is refused before anything is packaged or sent, naming the variable.
    @Test("a value shorter than the minimum: refused before any AWS call, naming the variable and the fix")
    func aTooShortValueIsRefused() async throws {
        flows.environment["DB_CONNECTION"] = "k9"
        let number = flows.github.openPullRequest()
        let error = await #expect(throws: RuntimeSettingsError.self) { try await flows.prDeploy("opened", number) }
        let text = String(describing: error)
        #expect(error?.field == "environments.pr.environmentVariables", "\(text)")
        #expect(text.contains("${DB_CONNECTION}") && text.contains("use a value of at least 4 characters for DB_CONNECTION"), "\(text)")
        #expect(!text.contains("'k9'") && !text.contains(" k9 "), "the value itself stays out: \(text)")
        #expect(flows.agentCore.changes.isEmpty && flows.s3.keys.isEmpty, "\(flows.agentCore.calls)")
        #expect(!comment(number).contains("k9"), "\(comment(number))")
    }

    /// A refused value takes no part in redaction: every "e" of the refusal would read "[redacted]"
    /// and give the value away by where it is missing.
    @Test("a one-letter value: the refusal comment reads whole, with no letter redacted")
    func aRefusedValueLeavesTheCommentWhole() async throws {
        flows.environment["DB_CONNECTION"] = "e"
        let number = flows.github.openPullRequest()
        await #expect(throws: RuntimeSettingsError.self) { try await flows.prDeploy("opened", number) }
        let body = comment(number)
        #expect(body.contains("use a value of at least 4 characters for DB_CONNECTION"), "\(body)")
        #expect(!body.contains(SecretRedactor.placeholder), "\(body)")
    }

    /// A variable only prod references is not this job's to check: a short value of it here
    /// (the pull request job's own REGION=1) is no secret of this deploy and is left in the text.
    @Test("a short value of a variable only prod references: the excerpt is left as the agent wrote it")
    func aShortValueOnlyProdReferencesIsNotRedacted() async throws {
        try flows.checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt",
             "environmentVariables": {"LOG_LEVEL": "DEBUG"},
             "environments": {"pr": {"environmentVariables": {"DATABASE_URL": "${DB_CONNECTION}"}},
                              "prod": {"environmentVariables": {"SHARDS": "${SHARD_COUNT}"}}}}
            """)
        flows.environment["SHARD_COUNT"] = "1"
        flows.invoker.answer { _ in FakeInvoker.answer(#"{"result": "1+1=2"}"#) }
        let number = flows.github.openPullRequest()
        _ = try await flows.prDeploy("opened", number)
        #expect(comment(number).contains("1+1=2"), "\(comment(number))")
    }

    /// An agent that answers in JSON quotes a value as JSON does: `"` and `\` escaped, and with
    /// Python's default `ensure_ascii` every non-ASCII character as `\uXXXX`.
    @Test("an answer quoting the value JSON-escaped: the excerpt redacts that form too")
    func aJSONEscapedValueIsRedacted() async throws {
        flows.environment["DB_CONNECTION"] = #"k9"Very\Secret-Pässwörd"#
        flows.invoker.answer { _ in FakeInvoker.answer(#"{"result": "connected with k9\"Very\\Secret-P\u00e4ssw\u00f6rd"}"#) }
        let number = flows.github.openPullRequest()
        _ = try await flows.prDeploy("opened", number)
        let body = comment(number)
        #expect(body.contains("connected with"), "\(body)")
        #expect(!body.contains("Secret-P"), "\(body)")
    }
}
