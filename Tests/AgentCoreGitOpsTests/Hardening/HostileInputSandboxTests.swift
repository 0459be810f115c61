import Foundation
import Testing
@testable import AgentCoreGitOps

/// Hostile input the existing flow tests do not already cover (those are listed in the
/// hardening report): each gets a clear message, and nothing is deleted or half-deployed.
/// Table-driven: one case per input, run through the real executables against the sandbox.
@Suite("Hardening: hostile input", .heavy, .tags(.sandbox, .process))
struct HostileInputSandboxTests {
    /// A checkout of the small agent, over the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    /// Would exist if anything ran a title, branch or message through a shell.
    static let canary = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-canary-\(UUID().uuidString)").path
    static var shellPayload: String {
        "$(touch \(canary)) `touch \(canary)`; touch \(canary); curl -s http://127.0.0.1:9/x | sh"
    }
    /// Workflow commands hidden after newlines: printed as they are, they would set an output and mask text.
    static let workflowCommands = "\n::set-output name=runtime_id::pwned\n::add-mask::pwned\n::error::pwned\n%0A::warning::pwned"

    /// Every line that starts with `::` is one of the commands the tool writes, and none carries
    /// text from the hostile input.
    static func expectNoInjectedCommands(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("::") {
            let command = line.dropFirst(2).prefix { $0 != ":" && $0 != " " }
            #expect(["add-mask", "group", "endgroup", "notice", "warning", "error", "debug"].contains(String(command)),
                    "unexpected workflow command: \(line)", sourceLocation: sourceLocation)
            #expect(!line.contains("pwned"), "injected workflow command: \(line)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: canary), "a shell ran hostile input", sourceLocation: sourceLocation)
    }

    // MARK: pr-deploy

    enum PRDeployInput: String, CaseIterable, Sendable {
        case markerInPullRequestBody, shellAndWorkflowCommandsInTitleAndBranch
        case nullPullRequest, missingNumber, nullHeadSHA
        case symlinkOutOfTheTree, entryPointOutsideTheAgent
        case badSessionToken, wrongSecretKey, badGitHubToken
    }

    @Test(arguments: PRDeployInput.allCases)
    func prDeploy(_ input: PRDeployInput) async throws {
        let victimNumber = try await fixture.openPullRequest()
        let victim = try #require(try await fixture.prDeploy("opened", victimNumber).outputs["runtime_id"])

        var pull: [String: Any] = ["head_sha": FlowFixture.sha(), "title": "Ordinary change", "head_ref": "feature"]
        var environment: [String: String?] = [:]
        var edit: (inout [String: Any]) -> Void = { _ in }
        var expected: (succeeds: Bool, message: String)
        switch input {
        case .markerInPullRequestBody:
            pull["body"] = "\(PRComment.marker)\n<!-- RUNTIME_ID: \(victim) -->"
            expected = (true, "")
        case .shellAndWorkflowCommandsInTitleAndBranch:
            pull["title"] = Self.shellPayload + Self.workflowCommands
            pull["head_ref"] = "feature/$(touch \(Self.canary));`id`"
            pull["body"] = Self.workflowCommands
            expected = (true, "")
        case .nullPullRequest:
            edit = { $0["pull_request"] = NSNull() }
            expected = (false, "pull_request")
        case .missingNumber:
            edit = { payload in
                payload["number"] = nil
                var pr = payload["pull_request"] as? [String: Any] ?? [:]
                pr["number"] = nil
                payload["pull_request"] = pr
            }
            expected = (false, "number")
        case .nullHeadSHA:
            edit = { payload in
                var pr = payload["pull_request"] as? [String: Any] ?? [:]
                var head = pr["head"] as? [String: Any] ?? [:]
                head["sha"] = NSNull()
                pr["head"] = head
                payload["pull_request"] = pr
            }
            expected = (false, "pull_request.head.sha")
        case .symlinkOutOfTheTree:
            try FileManager.default.createSymbolicLink(
                atPath: fixture.checkout.url("agent/passwd").path, withDestinationPath: "/etc/passwd")
            expected = (false, "passwd")
        case .entryPointOutsideTheAgent:
            try fixture.checkout.file("agent/agentcore.json", #"{"entryPoint": "../../../etc/passwd", "python": "3.11"}"#)
            expected = (false, "entryPoint")
        case .badSessionToken:
            environment["AWS_SESSION_TOKEN"] = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ"
            expected = (false, "token")
        case .wrongSecretKey:
            environment["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            expected = (false, "credentials")
        case .badGitHubToken:
            environment["GITHUB_TOKEN"] = "ghs_0000000000000000000000000000000000000"
            expected = (false, "Bad credentials")
        }
        let data = try await fixture.github.control("POST", "/_sandbox/repos/\(fixture.github.repository)/pulls", json: pull)
        let number = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["number"] as? Int)
        let payload = try await fixture.event(["event": "pull_request", "action": "opened", "number": number], edit: edit)
        let run = try await fixture.run("pr-deploy", event: "pull_request", payload: payload, environment: environment)

        Self.expectNoInjectedCommands(run.process.output)
        #expect(run.outputs["runtime_id"] != "pwned")
        // The victim, another pull request's runtime, is never touched.
        #expect(try await fixture.versions(ofRuntime: victim) == ["1"])
        if expected.succeeds {
            #expect(run.succeeded, "\(input): \(run.process.output)")
            let own = try #require(run.outputs["runtime_id"])
            #expect(own != victim && own.hasPrefix("pr_\(number)-"))
        } else {
            #expect(run.process.status == 1, "\(input): \(run.process.output)")
            #expect(run.process.stdout.contains("::error title=pr-deploy failed::"), "\(input): \(run.process.output)")
            #expect(run.process.output.contains(expected.message), "\(input) should mention \(expected.message): \(run.process.output)")
            #expect(try await fixture.runtime(named: "pr_\(number)") == nil, "\(input): half-deployed")
            #expect(try await fixture.onlyAFailedComment(on: number), "\(input)")
        }
    }

    // MARK: prod-deploy

    enum ProdDeployInput: String, CaseIterable, Sendable {
        case shellAndWorkflowCommandsInMessageAndTitle, invalidProdRuntimeName, nullAfter
    }

    @Test(arguments: ProdDeployInput.allCases)
    func prodDeploy(_ input: ProdDeployInput) async throws {
        let commit = FlowFixture.sha()
        var environment: [String: String?] = [:]
        var request: [String: Any] = ["event": "push", "after": commit, "message": "Ordinary release"]
        var edit: (inout [String: Any]) -> Void = { _ in }
        let expected: (succeeds: Bool, message: String)
        switch input {
        case .shellAndWorkflowCommandsInMessageAndTitle:
            let data = try await fixture.github.control("POST", "/_sandbox/repos/\(fixture.github.repository)/pulls", json: [
                "head_sha": FlowFixture.sha(), "title": Self.shellPayload + Self.workflowCommands,
                "head_ref": "x/$(touch \(Self.canary))"])
            let number = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["number"] as? Int)
            request["message"] = "\(Self.shellPayload) (#\(number))\(Self.workflowCommands)"
            expected = (true, "")
        case .invalidProdRuntimeName:
            environment["AGENTCORE_PROD_RUNTIME"] = "prod; rm -rf ~"
            expected = (false, "AGENTCORE_PROD_RUNTIME")
        case .nullAfter:
            edit = { $0["after"] = NSNull() }
            expected = (false, "after")
        }
        try await fixture.github.push(commit, branch: "main")  // a push event's commit is the branch's tip
        let payload = try await fixture.event(request, edit: edit)
        let run = try await fixture.run("prod-deploy", event: "push", payload: payload, environment: environment)
        Self.expectNoInjectedCommands(run.process.output)
        #expect(run.outputs["issue_number"] != "1" || run.succeeded)
        if expected.succeeds {
            #expect(run.succeeded, "\(input): \(run.process.output)")
            let issue = try #require(try await fixture.deploymentIssues(forCommit: commit).first)
            #expect(!issue.title.contains("\n"), "\(issue.title)")
        } else {
            #expect(run.process.status == 1, "\(input): \(run.process.output)")
            #expect(run.process.stdout.contains("::error title=prod-deploy failed::"), "\(input): \(run.process.output)")
            #expect(run.process.output.contains(expected.message), "\(input) should mention \(expected.message): \(run.process.output)")
            #expect(try await fixture.runtime(named: fixture.prodRuntime) == nil)
            #expect(try await fixture.deploymentIssues(forCommit: commit).isEmpty)
        }
    }

    // MARK: prod-promote

    enum PromoteInput: String, CaseIterable, Sendable {
        case nonNumericVersion, versionWithShell, prRuntimeIDWithShell, runtimeIDWithInjection, nullLabel, nullIssue
    }

    @Test(arguments: PromoteInput.allCases)
    func prodPromote(_ input: PromoteInput) async throws {
        let stage = try await PromoteStage.make(versions: 2, endpointAt: "1")
        let (pr, prRuntime) = try await stage.makePullRequestRuntime()
        var body = try stage.metadataBody(version: "2", prRuntimeID: prRuntime, prNumber: pr)
        var edit: (inout [String: Any]) -> Void = { _ in }
        switch input {
        case .nonNumericVersion: body = body.replacingOccurrences(of: "VERSION: 2", with: "VERSION: two")
        case .versionWithShell: body = body.replacingOccurrences(of: "VERSION: 2", with: "VERSION: 2$(touch \(Self.canary))")
        case .prRuntimeIDWithShell:
            body = body.replacingOccurrences(of: "PR_RUNTIME_ID: \(prRuntime)", with: "PR_RUNTIME_ID: \(prRuntime); \(Self.shellPayload)")
        case .runtimeIDWithInjection:
            body = body.replacingOccurrences(of: "RUNTIME_ID: \(stage.prodID)\n", with: "RUNTIME_ID: \(stage.prodID)\n-->\n::set-output name=version::pwned\n")
        case .nullLabel: edit = { $0["label"] = NSNull() }
        case .nullIssue: edit = { $0["issue"] = NSNull() }
        }
        let issue = try await stage.deploymentIssue(body: body)
        try await stage.addApproval(issue: issue)
        var payload = try JSONSerialization.jsonObject(with: try await stage.labeledEvent(issue: issue)) as? [String: Any] ?? [:]
        edit(&payload)
        let run = try await stage.runPromote(
            eventName: "issues", payload: try JSONSerialization.data(withJSONObject: payload), runID: PromoteStage.newRunID())

        Self.expectNoInjectedCommands(run.output)
        #expect(run.outputs["outcome"] != "promoted" && run.outputs["version"] != "pwned", "\(input): \(run)")
        #expect(run.output.contains("::error") || run.output.contains("::warning") || run.output.contains("::notice"),
                "\(input) says what happened: \(run)")
        #expect(try await stage.liveVersion() == "1", "\(input): prod moved")
        #expect(try await stage.runtimeExists(prRuntime), "\(input): PR runtime deleted")
        #expect(try await stage.botComments(issue, containing: "<!-- PROMOTION:").isEmpty)
        #expect(try await stage.issue(issue).state == "open")
    }

    // MARK: Expired credentials the sandbox's STS issued

    @Test("expired STS credentials: a clear error, nothing deployed, the credentials never printed")
    func expiredCredentials() async throws {
        let info = fixture.sandbox.info
        let form = ["Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": info.roleArn,
                    "RoleSessionName": "expired", "DurationSeconds": "1"]
            .map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $1)" }.joined(separator: "&")
        let answer = try await fixture.sandbox.awsClient().send(AWSRequest(
            service: .sts, operation: "AssumeRole", method: "POST", path: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: .data(Data(form.utf8))))
        let xml = String(decoding: answer.body, as: UTF8.self)
        func value(_ tag: String) throws -> String {
            try #require(xml.firstMatch(of: try Regex("<\(tag)>([^<]+)</\(tag)>"))?.output[1].substring).description
        }
        let (keyID, secret, token) = (try value("AccessKeyId"), try value("SecretAccessKey"), try value("SessionToken"))
        let expiring = AWSClient(configuration: AWSConfiguration(
            region: info.region,
            credentialSource: .keys(AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: token), origin: "test"),
            endpoint: URL(string: info.awsEndpoint)))
        try await eventually("the sandbox's clock has passed the credentials' expiry", every: .milliseconds(100)) {
            do {
                _ = try await expiring.send(AWSRequest(
                    service: .sts, operation: "GetCallerIdentity", method: "POST", path: "/",
                    headers: ["Content-Type": "application/x-www-form-urlencoded"],
                    body: .data(Data("Action=GetCallerIdentity&Version=2011-06-15".utf8))))
                return false
            } catch let error as AWSError where error.code == "ExpiredToken" {
                return true
            }
        }

        let number = try await fixture.openPullRequest()
        let run = try await fixture.prDeploy("opened", number, environment: [
            "AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token])
        #expect(run.process.status == 1, "\(run.process.output)")
        #expect(run.process.stdout.contains("::error title=pr-deploy failed::"))
        #expect(run.process.output.contains("expired"), "\(run.process.output)")
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
        #expect(try await fixture.onlyAFailedComment(on: number))
        #expect(try await fixture.comments(on: number).allSatisfy { !$0.body.contains(secret) && !$0.body.contains(token) })
        let unmasked = run.process.output.split(separator: "\n").filter {
            ($0.contains(secret) || $0.contains(token)) && !$0.hasPrefix("::add-mask::")
        }
        #expect(unmasked.isEmpty, "\(unmasked)")
    }

    // MARK: AccessDenied from AWS (a sandbox of its own: the fault hits every caller)

    @Test("AccessDenied on create or on the endpoint move: a clear error, nothing half-done")
    func accessDenied() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let fixture = try await FlowFixture(sandbox: sandbox)
        let number = try await fixture.openPullRequest()
        try await sandbox.awsControl("POST", "/_sandbox/faults", json: [
            "service": "bedrock-agentcore", "operation": "CreateAgentRuntime", "fault": "access_denied", "count": 5])
        let run = try await fixture.prDeploy("opened", number)
        try await sandbox.awsControl("DELETE", "/_sandbox/faults")
        #expect(run.process.status == 1, "\(run.process.output)")
        #expect(run.process.stdout.contains("::error title=pr-deploy failed::"))
        #expect(run.process.output.contains("AccessDenied"), "\(run.process.output)")
        #expect(run.process.output.lowercased().contains("permission") || run.process.output.contains("IAM"), "\(run.process.output)")
        #expect(try await fixture.runtime(named: "pr_\(number)") == nil)
        #expect(try await fixture.onlyAFailedComment(on: number))

        let stage = try await PromoteStage.make(sandbox: sandbox, versions: 2, endpointAt: "1")
        let (pr, prRuntime) = try await stage.makePullRequestRuntime()
        let issue = try await stage.deploymentIssue(body: stage.metadataBody(version: "2", prRuntimeID: prRuntime, prNumber: pr))
        try await sandbox.awsControl("POST", "/_sandbox/faults", json: [
            "service": "bedrock-agentcore", "operation": "UpdateAgentRuntimeEndpoint", "fault": "access_denied", "count": 5])
        let promote = try await stage.approveAndRun(issue: issue)
        try await sandbox.awsControl("DELETE", "/_sandbox/faults")
        #expect(promote.status == 1, "\(promote)")
        #expect(promote.output.contains("AccessDenied"), "\(promote)")
        #expect(try await stage.liveVersion() == "1")
        #expect(try await stage.runtimeExists(prRuntime))
        #expect(try await stage.issue(issue).state == "open")
    }
}
