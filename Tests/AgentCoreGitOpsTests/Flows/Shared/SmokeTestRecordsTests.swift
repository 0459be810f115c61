import Foundation
import Testing
@testable import AgentCoreGitOps

/// The smoke-test records in the (in-memory) deploy bucket: a pass is final, a failure is
/// replaced by the next result, and a record brings back the result it was made from.
@Suite struct SmokeTestRecordsTests {
    static let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/prod-AbCdEfGhIj"
    let s3 = FakeS3()
    var records: DeploymentRecords { DeploymentRecords(s3: S3Client(client: s3), bucket: "bucket", runtimeName: "prod") }

    static func record(passed: Bool, reason: String? = nil, at seconds: TimeInterval = 0) -> SmokeTestRecord {
        SmokeTestRecord(
            SmokeTestResult(
                passed: passed, runtimeARN: arn, endpoint: "DEFAULT", latency: .milliseconds(1234),
                answer: ErrorExcerpt(text: "a haiku", truncated: true), reason: reason, expectation: "haiku", timeoutSeconds: 30),
            runtimeName: "prod", version: "3", commitSHA: String(repeating: "a", count: 40),
            testedAt: Date(timeIntervalSince1970: 1_800_000_000 + seconds))
    }

    @Test func aFailureIsReplacedByTheNextResultButAPassIsFinal() async throws {
        let failed = Self.record(passed: false, reason: "the agent failed")
        #expect(try await records.recordSmokeTest(failed, replacing: nil) == failed)
        #expect(try await records.smokeTest(runtimeID: "prod-AbCdEfGhIj", version: "3") == failed)
        #expect(s3.keys == ["bucket/prod/records/smoke-tests/prod-AbCdEfGhIj/v3.json"])

        let readBeforeThePass = try await records.storedSmokeTest(runtimeID: "prod-AbCdEfGhIj", version: "3")
        let passed = Self.record(passed: true, at: 60)
        #expect(try await records.recordSmokeTest(passed, replacing: readBeforeThePass) == passed)

        // Runs that read before the pass was written (the failure, or nothing yet) cannot overwrite it:
        // their writes are refused, and what they get back is the pass.
        let later = Self.record(passed: false, reason: "a flaky second look", at: 120)
        #expect(try await records.recordSmokeTest(later, replacing: readBeforeThePass) == passed)
        #expect(try await records.recordSmokeTest(later, replacing: nil) == passed)
        #expect(try await records.recordSmokeTest(later, replacing: try await records.storedSmokeTest(runtimeID: "prod-AbCdEfGhIj", version: "3")) == passed)
        #expect(try await records.smokeTest(runtimeID: "prod-AbCdEfGhIj", version: "3") == passed)
        #expect(try await records.smokeTest(runtimeID: "prod-AbCdEfGhIj", version: "4") == nil)
        #expect(s3.calls("PutObject").count == 4, "two writes, two refused; none after the pass was read")
    }

    @Test func aRecordBringsBackTheResultItWasMadeFrom() {
        let result = Self.record(passed: false, reason: "slow").result(runtimeARN: Self.arn)
        #expect(result == SmokeTestResult(
            passed: false, runtimeARN: Self.arn, endpoint: "DEFAULT", latency: .milliseconds(1234),
            answer: ErrorExcerpt(text: "a haiku", truncated: true), reason: "slow", expectation: "haiku", timeoutSeconds: 30))
        #expect(result.markdown.contains("failed in 1.23 s") && result.markdown.contains("The answer's first lines:"))
    }

    @Test func somethingElseAtTheKeyIsAnErrorThatSaysWhatToDo() async throws {
        _ = try await S3Client(client: s3).putObject(
            bucket: "bucket", key: "prod/records/smoke-tests/prod-AbCdEfGhIj/v3.json", data: Data("passed".utf8),
            contentType: "text/plain")
        let error = await #expect(throws: ActionableError.self) {
            try await records.smokeTest(runtimeID: "prod-AbCdEfGhIj", version: "3")
        }
        #expect(error?.problem == "s3://bucket/prod/records/smoke-tests/prod-AbCdEfGhIj/v3.json is not a smoke-test record of agentcore-gitops")
        #expect(error?.fix.contains("run the deploy job again") == true)
    }
}

/// The smoke-test part of a deployment issue: found and replaced between its markers, put back
/// before the metadata when someone edited the markers away, and never carrying what the
/// agent said unescaped.
@Suite struct DeploymentIssueSmokeTestTests {
    static func outcome(passed: Bool, answer: String = "Code sleeps in the zip") -> SmokeTestOutcome {
        SmokeTestOutcome(
            version: "2",
            verdict: .tested(SmokeTestResult(
                passed: passed, runtimeARN: SmokeTestRecordsTests.arn, endpoint: "DEFAULT", latency: .milliseconds(500),
                answer: ErrorExcerpt(text: answer, truncated: false), reason: passed ? nil : "the agent failed")))
    }

    static let body = "## heading\n\nintro\n\n| | |\n|---|---|\n| Version | 2 (new) |\n\n<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: prod-AbCdEfGhIj\nVERSION: 2\nPR_RUNTIME_ID: NONE\n-->"

    @Test func theFailureIsReplacedByThePassInPlace() {
        let failed = Self.body.replacingOccurrences(
            of: "intro\n", with: "intro\n" + DeploymentIssue.smokeTestSection(Self.outcome(passed: false), runtimeName: "prod"))
        #expect(failed.contains("**`prod` version 2 failed its smoke test, so prod-promote refuses to promote it.**"))
        #expect(!DeploymentIssue.showsSmokeTestPassed(failed))

        let passed = DeploymentIssue.replacingSmokeTest(in: failed, with: Self.outcome(passed: true), runtimeName: "prod")
        #expect(DeploymentIssue.showsSmokeTestPassed(passed) && !passed.contains("failed its smoke test"))
        #expect(passed.components(separatedBy: DeploymentIssue.smokeTestStart).count == 2)
        #expect(passed.hasPrefix("## heading\n\nintro\n\n" + DeploymentIssue.smokeTestStart))
        #expect(passed.hasSuffix(Self.body.components(separatedBy: "intro\n").last ?? "-"), "the rest is as it was")
    }

    @Test func withItsMarkersEditedAwayThePartGoesBackBeforeTheMetadata() throws {
        let replaced = DeploymentIssue.replacingSmokeTest(in: Self.body, with: Self.outcome(passed: true), runtimeName: "prod")
        let part = try #require(replaced.range(of: DeploymentIssue.smokeTestStart))
        let metadata = try #require(replaced.range(of: "<!-- DEPLOYMENT_METADATA"))
        #expect(part.lowerBound < metadata.lowerBound)
        #expect(try DeploymentMetadata.parse(replaced)?.version == "2", "the metadata still reads")
    }

    @Test func theAnswerCannotCloseThePartOrAddMarkers() {
        let answer = "\(DeploymentIssue.smokeTestEnd)\n<!-- DEPLOYMENT_METADATA\nRUNTIME_ID: evil-AbCdEfGhIj\n-->"
        let section = DeploymentIssue.smokeTestSection(Self.outcome(passed: true, answer: answer), runtimeName: "prod")
        #expect(section.components(separatedBy: DeploymentIssue.smokeTestEnd).count == 2)
        #expect(!section.contains("<!-- DEPLOYMENT_METADATA"))
    }
}
