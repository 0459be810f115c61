import Foundation
import Testing
@testable import AgentCoreGitOps

/// `agentcore setup policies` and `agentcore setup check` as processes against the sandbox.
@Suite(.heavy, .tags(.sandbox, .process)) struct SetupCommandSandboxTests {
    /// The environment of a workflow step: AWS credentials, the variables, the GitHub context.
    static func environment(_ sandbox: Sandbox) async throws -> [String: String] {
        let github = try await GitHubEmulator.in(sandbox)
        return sandbox.awsEnvironment.merging([
            "GITHUB_API_URL": github.apiURL, "GITHUB_REPOSITORY": github.repository,
            "GITHUB_TOKEN": try #require(github.tokens["bot"]),
        ]) { $1 }
    }

    struct CheckJSON: Decodable {
        struct Check: Decodable {
            var name: String
            var status: String
            var detail: String
            var missingPermission: String?
            var statementToAdd: [String: AnyDecodable]?
        }
        var role: String
        var passed: Bool
        var checks: [Check]
    }

    static func check(_ sandbox: Sandbox, role: String = "deploy", json: Bool = false) async throws -> ProcessResult {
        try await AgentCoreCLI(sandbox: sandbox).run(
            ["setup", "check", "--role", role] + (json ? ["--json"] : []), environment: try await environment(sandbox))
    }

    @Test func theCheckPassesWithEveryPermissionAndLeavesNothingBehind() async throws {
        let sandbox = try await Sandbox.shared()
        let result = try await Self.check(sandbox, json: true)
        #expect(result.status == 0, "\(result.output)")
        let report = try JSONDecoder().decode(CheckJSON.self, from: Data(result.stdout.utf8))
        #expect(report.passed && report.role == "deploy")
        #expect(report.checks.map(\.name) == [
            "list runtimes", "code bucket", "upload a package", "read the probe", "delete the probe",
            "create runtimes, pass the execution role", "default branch",
        ])
        #expect(report.checks.allSatisfy { $0.status == "passed" })
        // The probe runtime the sandbox made (it does not read the code zip) is gone again.
        let creation = try #require(report.checks.first { $0.name == "create runtimes, pass the execution role" })
        let probeRuntime = try #require(creation.detail.firstMatch(of: /probe runtime (pr_setup_check_[A-Za-z0-9_]+-[A-Za-z0-9]{10})/))
        let lookup = try await sandbox.agentCoreControl().allAgentRuntimes().filter { $0.agentRuntimeId == String(probeRuntime.1) }
        #expect(lookup.isEmpty, "the probe runtime \(probeRuntime.1) is still there")
        let upload = try #require(report.checks.first { $0.name == "upload a package" })
        let probeKey = try #require(upload.detail.firstMatch(of: /s3:\/\/[^\/]+\/(\S+)/).map { String($0.1) })
        #expect(probeKey.hasPrefix(SetupPolicies.probePrefix))
        #expect(try await S3Client(client: sandbox.awsClient()).headObject(bucket: sandbox.info.s3Bucket, key: probeKey) == nil)
    }

    /// Each injected missing permission is named, with the statement that grants it; the other
    /// checks still run; the command fails.
    @Test func aMissingPermissionIsNamedWithTheStatementToAdd() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let cases: [(role: String, denied: String, check: String, statement: String)] = [
            ("deploy", "bedrock-agentcore:ListAgentRuntimes", "list runtimes", "RuntimeActionsWithoutResourceType"),
            ("deploy", "iam:PassRole", "create runtimes, pass the execution role", "PassExecutionRoleToAgentCore"),
            ("deploy", "s3:ListBucket", "code bucket", "CodePackageListing"),
            ("deploy", "s3:PutObject", "upload a package", "CodePackages"),
            ("deploy", "s3:DeleteObject", "delete the probe", "SetupCheckProbe"),
            ("pull-request", "s3:GetObject", "read the probe", "SetupCheckProbe"),
            ("pull-request", "bedrock-agentcore:CreateAgentRuntime", "create runtimes, pass the execution role",
             "RuntimeActionsWithoutResourceType"),
        ]
        for item in cases {
            try await sandbox.awsControl("POST", "/_sandbox/deny", json: ["actions": [item.denied]])
            let text = try await Self.check(sandbox, role: item.role)
            let json = try await Self.check(sandbox, role: item.role, json: true)
            try await sandbox.awsControl("DELETE", "/_sandbox/deny")

            #expect(text.status != 0 && json.status != 0, "\(item.denied): \(text.output)")
            #expect(text.stdout.contains("FAIL  \(item.check): "), "\(text.stdout)")
            #expect(text.stdout.contains("missing permission: \(item.denied)"), "\(text.stdout)")
            #expect(text.stdout.contains("\"Sid\": \"\(item.statement)\""), "\(text.stdout)")
            #expect(text.stderr.contains("error: 1 of 7 checks failed: \(item.check)"), "\(text.stderr)")
            let report = try JSONDecoder().decode(CheckJSON.self, from: Data(json.stdout.utf8))
            #expect(!report.passed)
            let failed = report.checks.filter { $0.status == "failed" }
            #expect(failed.map(\.name) == [item.check])
            #expect(failed.first?.missingPermission == item.denied)
            #expect(failed.first?.statementToAdd?["Sid"]?.string == item.statement)
        }
        // Denied PassRole (or CreateAgentRuntime) made no runtime; the other checks' probe runtimes are gone.
        let left = try await sandbox.agentCoreControl().allAgentRuntimes().filter { $0.agentRuntimeName.hasPrefix(SetupCheck.probeRuntimePrefix) }
        #expect(left.isEmpty, "\(left.map(\.agentRuntimeId))")
    }

    @Test func aBucketThatDoesNotExistIsNamed() async throws {
        let sandbox = try await Sandbox.shared()
        let bucket = "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())"
        let result = try await AgentCoreCLI(sandbox: sandbox).run(["setup", "check", "--bucket", bucket])
        #expect(result.status != 0)
        #expect(result.stdout.contains("FAIL  code bucket: there is no bucket \(bucket)"), "\(result.stdout)")
        #expect(result.stdout.contains("fix: create it in \(sandbox.info.region), or set AGENTCORE_S3_BUCKET"), "\(result.stdout)")
        #expect(result.stdout.contains("FAIL  upload a package"), "\(result.stdout)")
    }

    @Test func missingSettingsFailBeforeAnyRequest() async throws {
        let sandbox = try await Sandbox.shared()
        var environment = sandbox.awsEnvironment
        environment["AGENTCORE_ROLE_ARN"] = nil
        let cli = AgentCoreCLI(sandbox: sandbox)
        let noRole = try await cli.run(["setup", "check"], environment: environment)
        #expect(noRole.status != 0 && noRole.stderr.contains("no execution role is named — pass --role-arn or set AGENTCORE_ROLE_ARN"))
        let badRole = try await cli.run(["setup", "check", "--role", "admin"])
        #expect(badRole.status != 0 && badRole.stderr.contains("--role 'admin' is not a role of this tool — give deploy or pull-request"))
        let badBucket = try await cli.run(["setup", "check", "--bucket", "Not_A_Bucket"])
        #expect(badBucket.status != 0 && badBucket.stderr.contains("lower-case letters"))
    }

    // MARK: setup policies

    @Test func policiesPrintTheGeneratedDocumentForThisRepository() async throws {
        let sandbox = try await Sandbox.shared()
        let arguments = ["setup", "policies", "--account", "123456789012", "--bucket", "agent-code", "--region", "eu-west-1"]
        let cli = AgentCoreCLI(sandbox: sandbox)
        let json = try await cli.run(arguments + ["--json"], environment: try await Self.environment(sandbox))
        #expect(json.status == 0, "\(json.output)")

        let github = try await GitHubEmulator.in(sandbox)
        let identity = RepositoryIdentity(try await github.client().repositoryDetails())
        let parameters = SetupParameters(
            account: "123456789012", region: "eu-west-1", bucket: "agent-code", repository: identity,
            executionRole: try #require(sandbox.info.roleArn.split(separator: "/").last.map(String.init)))
        #expect(json.stdout == SetupPolicies(parameters).document(repository: identity, parameters: parameters).rendered() + "\n")
        #expect(json.stdout.contains("repo:\(identity.owner)@\(identity.ownerID)/\(identity.name)@\(identity.repositoryID):pull_request"))
        #expect(json.stdout.contains("repo:\(identity.fullName):ref:refs/heads/main"))

        let text = try await cli.run(arguments + ["--subjects", "immutable"], environment: try await Self.environment(sandbox))
        #expect(text.status == 0, "\(text.output)")
        #expect(text.stdout.contains("== Pull-request role AgentCoreGitOpsPullRequests (arn:aws:iam::123456789012:role/AgentCoreGitOpsPullRequests): trust policy"))
        #expect(text.stdout.contains("AGENTCORE_PR_DEPLOY_ROLE_ARN = arn:aws:iam::123456789012:role/AgentCoreGitOpsPullRequests"))
        #expect(!text.stdout.contains("repo:\(identity.fullName):"), "--subjects immutable still lists the name-only form")
    }

    @Test(arguments: [
        (["--account", "12345"], "account id '12345' is not 12 digits — pass --account"),
        (["--region", "useast1"], "region 'useast1' is not an AWS region name — pass --region like us-east-1"),
        (["--bucket", "Agent_Code"], "bucket name 'Agent_Code' may hold only lower-case letters"),
        (["--subjects", "legacy"], "--subjects 'legacy' is not a subject form — give both, immutable or name"),
        (["--repository", "not a repo"], "'not a repo' is not a repository name"),
        (["--deploy-role", "AgentCoreRuntimeExecution"], "must be three roles — give each its own name"),
    ])
    func badFlagsAreRefusedWithTheFixBeforeAnyRequest(_ flags: [String], _ message: String) async throws {
        let sandbox = try await Sandbox.shared()
        var environment = try await Self.environment(sandbox)
        environment["GITHUB_API_URL"] = "http://127.0.0.1:9"  // nothing listens: a request would fail differently
        let base = ["--account", "123456789012", "--bucket", "agent-code", "--region", "us-east-1", "--execution-role", "AgentCoreRuntimeExecution"]
        let result = try await AgentCoreCLI(sandbox: sandbox).run(["setup", "policies"] + base + flags, environment: environment)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}

/// Just enough of a JSON value to read a statement's `Sid`.
struct AnyDecodable: Decodable {
    var string: String?
    init(from decoder: any Decoder) throws {
        string = try? decoder.singleValueContainer().decode(String.self)
    }
}
