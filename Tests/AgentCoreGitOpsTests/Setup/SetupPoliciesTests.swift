import Foundation
import Testing
@testable import AgentCoreGitOps

/// The generated policies on their own: docs/setup.md shows exactly them, the trust policies let
/// in exactly the workflow jobs that need each role, and bad settings are refused with the fix.
@Suite struct SetupPoliciesTests {
    static let parameters = SetupParameters(
        account: "123456789012", region: "eu-central-1", bucket: "agent-code",
        repository: RepositoryIdentity(owner: "octo-org", name: "agent", ownerID: "1111", repositoryID: "2222"))

    static func documents(_ policies: SetupPolicies) -> [(name: String, policy: PolicyDocument)] {
        [
            ("execution role trust", policies.execution.trustPolicy), ("execution role permissions", policies.execution.permissionsPolicy),
            ("deploy role trust", policies.deploy.trustPolicy), ("deploy role permissions", policies.deploy.permissionsPolicy),
            ("pull-request role trust", policies.pullRequest.trustPolicy),
            ("pull-request role permissions", policies.pullRequest.permissionsPolicy),
        ]
    }

    @Test func docsShowExactlyTheGeneratedPoliciesForThePlaceholders() throws {
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/setup.md"), encoding: .utf8)
        let documented = try jsonBlocks(in: text).map { try JSONDecoder().decode(PolicyDocument.self, from: Data($0.utf8)) }
        let expected = Self.documents(SetupPolicies(.placeholders))
        #expect(documented == expected.map(\.policy), """
            docs/setup.md's ```json blocks must be, in this order: \(expected.map(\.name).joined(separator: ", ")); \
            `agentcore setup policies` prints them. Expected:
            \(expected.map { "\($0.name):\n\($0.policy.text)" }.joined(separator: "\n\n"))
            """)
        // And written the way the tool prints them.
        #expect(jsonBlocks(in: text) == expected.map(\.policy.text))
        let namesTheCommands = text.contains("agentcore setup policies") && text.contains("agentcore setup check")
        #expect(namesTheCommands, "docs/setup.md must say how to print the policies and check them")
    }

    @Test func docsExplainEveryGrantNoCallUses() throws {
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/setup.md"), encoding: .utf8)
        let policies = SetupPolicies(Self.parameters)
        for rationale in SetupPolicies.grantsNoDeploymentCallUses {
            let roles = ["deploy": policies.deploy, "pull-request": policies.pullRequest, "execution": policies.execution]
            let role = try #require(roles[rationale.role], "no role \(rationale.role)")
            for action in rationale.actions {
                #expect(role.permissionsPolicy.allowedActions.contains(action), "\(action) is explained but not granted")
                let explained = text.contains("`\(action)`")
                #expect(explained, "docs/setup.md does not explain \(action)")
            }
        }
    }

    // MARK: Trust

    /// The `sub` claims of this repository's jobs (iam.md §3), and the role each may assume.
    struct Job: Sendable, CustomTestStringConvertible {
        var name: String
        var subject: String
        var deploy: Bool
        var pullRequest: Bool
        var testDescription: String { name }
    }

    static let jobs: [Job] = {
        let named = "repo:octo-org/agent", immutable = "repo:octo-org@1111/agent@2222"
        var jobs: [Job] = []
        for (form, prefix) in [("name-only", named), ("immutable", immutable)] {
            jobs += [
                // prod-deploy (push), prod-promote (issues, workflow_dispatch), the sweep (schedule) run on main.
                Job(name: "\(form): a run on main", subject: "\(prefix):ref:refs/heads/main", deploy: true, pullRequest: false),
                Job(name: "\(form): a job in the production environment", subject: "\(prefix):environment:agentcore-production",
                    deploy: true, pullRequest: false),
                Job(name: "\(form): pr-deploy", subject: "\(prefix):pull_request", deploy: false, pullRequest: true),
                Job(name: "\(form): a run on another branch", subject: "\(prefix):ref:refs/heads/feature", deploy: false, pullRequest: false),
                Job(name: "\(form): another environment", subject: "\(prefix):environment:staging", deploy: false, pullRequest: false),
                Job(name: "\(form): a tag", subject: "\(prefix):ref:refs/tags/v1", deploy: false, pullRequest: false),
            ]
        }
        jobs += [
            Job(name: "another repository", subject: "repo:octo-org/other:ref:refs/heads/main", deploy: false, pullRequest: false),
            Job(name: "a recycled name has other ids", subject: "repo:octo-org@1111/agent@9999:pull_request", deploy: false, pullRequest: false),
            Job(name: "a prefix of the name", subject: "repo:octo-org/agent-fork:pull_request", deploy: false, pullRequest: false),
        ]
        return jobs
    }()

    static func assume(_ role: GeneratedRole, subject: String, audience: String = SetupPolicies.oidcAudience,
                       account: String = "123456789012") throws -> Bool {
        try PolicyEvaluator.evaluate(AuthorizationRequest(
            action: "sts:AssumeRoleWithWebIdentity", resource: role.arn,
            principal: .init(kind: "Federated", id: "arn:aws:iam::\(account):oidc-provider/token.actions.githubusercontent.com"),
            context: ["token.actions.githubusercontent.com:sub": [subject], "token.actions.githubusercontent.com:aud": [audience]]),
            policy: role.trustPolicy).isAllowed
    }

    @Test(arguments: jobs)
    func eachJobMayAssumeOnlyItsRole(_ job: Job) throws {
        let policies = SetupPolicies(Self.parameters)
        #expect(try Self.assume(policies.deploy, subject: job.subject) == job.deploy)
        #expect(try Self.assume(policies.pullRequest, subject: job.subject) == job.pullRequest)
        #expect(try !Self.assume(policies.execution, subject: job.subject))
    }

    @Test func anotherAudienceOrAnotherAccountsProviderIsRefused() throws {
        let policies = SetupPolicies(Self.parameters)
        #expect(try !Self.assume(policies.deploy, subject: "repo:octo-org/agent:ref:refs/heads/main", audience: "https://github.com/octo-org"))
        #expect(try !Self.assume(policies.deploy, subject: "repo:octo-org/agent:ref:refs/heads/main", account: "999999999999"))
    }

    @Test func immutableOnlyTrustsTheIdsNotTheName() throws {
        var parameters = Self.parameters
        parameters.subjectForms = .immutable
        let policies = SetupPolicies(parameters)
        #expect(try Self.assume(policies.pullRequest, subject: "repo:octo-org@1111/agent@2222:pull_request"))
        #expect(try !Self.assume(policies.pullRequest, subject: "repo:octo-org/agent:pull_request"))
        parameters.subjectForms = .name
        #expect(try !Self.assume(SetupPolicies(parameters).deploy, subject: "repo:octo-org@1111/agent@2222:ref:refs/heads/main"))
    }

    @Test func aColonInTheEnvironmentNameIsSentEncoded() throws {
        var parameters = Self.parameters
        parameters.productionEnvironment = "prod:eu"
        #expect(try Self.assume(SetupPolicies(parameters).deploy, subject: "repo:octo-org/agent:environment:prod%3Aeu"))
    }

    @Test func agentCoreMayAssumeTheExecutionRoleOnlyForThisAccountAndRegion() throws {
        let role = SetupPolicies(Self.parameters).execution
        func assume(account: String, sourceArn: String, service: String = SetupPolicies.agentCoreService) throws -> Bool {
            try PolicyEvaluator.evaluate(AuthorizationRequest(
                action: "sts:AssumeRole", resource: role.arn, principal: .init(kind: "Service", id: service),
                context: ["aws:SourceAccount": [account], "aws:SourceArn": [sourceArn]]), policy: role.trustPolicy).isAllowed
        }
        let runtime = "arn:aws:bedrock-agentcore:eu-central-1:123456789012:runtime/prod-AbCdEfGhIj"
        #expect(try assume(account: "123456789012", sourceArn: runtime))
        #expect(try !assume(account: "999999999999", sourceArn: runtime.replacingOccurrences(of: "123456789012", with: "999999999999")))
        #expect(try !assume(account: "123456789012", sourceArn: runtime.replacingOccurrences(of: "eu-central-1", with: "us-east-1")))
        #expect(try !assume(account: "123456789012", sourceArn: runtime, service: "bedrock.amazonaws.com"))
    }

    // MARK: Permissions

    @Test("the pull-request role may read prod for its plan, and change nothing of it")
    func thePullRequestRoleCannotTouchProd() throws {
        let names = ResourceNames(Self.parameters)
        let policy = SetupPolicies(Self.parameters).pullRequest.permissionsPolicy
        func allowed(_ action: String, _ resource: String) throws -> Bool {
            try PolicyEvaluator.evaluate(.init(action: action, resource: resource), policy: policy).isAllowed
        }
        for action in ["UpdateAgentRuntime", "DeleteAgentRuntime", "CreateAgentRuntimeEndpoint", "DeleteAgentRuntimeEndpoint"] {
            #expect(try !allowed("bedrock-agentcore:\(action)", names.runtime("prod-AbCdEfGhIj")), "\(action)")
        }
        #expect(try !allowed("bedrock-agentcore:UpdateAgentRuntimeEndpoint", names.endpoint(runtime: "prod-AbCdEfGhIj", name: "prod")))
        #expect(try !allowed("s3:PutObject", names.object("prod/v3/code.zip")))
        // The plan reads prod's endpoint, the records of what git declared and its packages' manifests:
        // never prod's configuration (GetAgentRuntime shows its secrets resolved), nothing else of prod.
        #expect(try !allowed("bedrock-agentcore:GetAgentRuntime", names.runtime("prod-AbCdEfGhIj")))
        #expect(try allowed("bedrock-agentcore:GetAgentRuntimeEndpoint", names.endpoint(runtime: "prod-AbCdEfGhIj", name: "prod")))
        #expect(try allowed("s3:GetObject", names.object("prod/packages/\(String(repeating: "a", count: 64)).manifest.json")))
        #expect(try allowed("s3:GetObject", names.object("prod/deployed/versions/3.json")))
        for key in ["prod/packages/\(String(repeating: "a", count: 64)).zip", "prod/v3/code.zip", "prod/records/versions/3.json",
                    "prod/deployed/configuration.json", "prod/leases/endpoint-prod.json"] {
            #expect(try !allowed("s3:GetObject", names.object(key)), "\(key)")
        }
        // Only the runtime called prod: another name that starts with it is not readable.
        #expect(try !allowed("bedrock-agentcore:GetAgentRuntimeEndpoint", names.endpoint(runtime: "prod_v2-AbCdEfGhIj", name: "prod")))
        var renamed = Self.parameters
        renamed.prodRuntime = "live_agent"
        let named = SetupPolicies(renamed).pullRequest.permissionsPolicy
        #expect(try PolicyEvaluator.evaluate(
            .init(action: "bedrock-agentcore:GetAgentRuntimeEndpoint", resource: names.endpoint(runtime: "live_agent-AbCdEfGhIj", name: "prod")),
            policy: named).isAllowed)
        #expect(try !PolicyEvaluator.evaluate(
            .init(action: "bedrock-agentcore:GetAgentRuntimeEndpoint", resource: names.endpoint(runtime: "prod-AbCdEfGhIj", name: "prod")),
            policy: named).isAllowed)
        // Creating pr_<n> authorizes its DEFAULT endpoint on the new runtime: allowed.
        let create = AWSCall(service: "bedrock-agentcore", operation: "CreateAgentRuntime", resources: {
            var resources = AWSCall.Resources()
            resources.runtimeId = "pr_7-AbCdEfGhIj"
            resources.roleArn = names.executionRole
            resources.codeBucket = Self.parameters.bucket
            resources.codeKey = "pr_7/packages/abc.zip"
            return resources
        }())
        for request in try IAMCallMapping(names: names).requests(for: create) {
            #expect(try PolicyEvaluator.evaluate(request, policy: policy).isAllowed, "\(request)")
        }
    }

    /// The smoke test invokes a runtime through an endpoint: IAM checks both ARNs. The
    /// pull-request role may invoke `pr_*` runtimes only; the deploy role any of the account's.
    @Test func eachRoleMayInvokeOnlyTheRuntimesItDeploys() throws {
        let names = ResourceNames(Self.parameters)
        let mapping = IAMCallMapping(names: names)
        func invoke(_ runtimeID: String, endpoint: String?) -> AWSCall {
            var resources = AWSCall.Resources()
            resources.runtimeId = runtimeID
            resources.endpointName = endpoint
            return AWSCall(service: "bedrock-agentcore", operation: "InvokeAgentRuntime", resources: resources)
        }
        let requests = try mapping.requests(for: invoke("pr_7-AbCdEfGhIj", endpoint: nil))
        #expect(requests.map(\.resource) == [names.runtime("pr_7-AbCdEfGhIj"), names.endpoint(runtime: "pr_7-AbCdEfGhIj", name: "DEFAULT")])
        #expect(Set(requests.map(\.action)) == ["bedrock-agentcore:InvokeAgentRuntime"])

        let policies = SetupPolicies(Self.parameters)
        func allowed(_ call: AWSCall, _ policy: PolicyDocument) throws -> Bool {
            try mapping.requests(for: call).allSatisfy { try PolicyEvaluator.evaluate($0, policy: policy).isAllowed }
        }
        #expect(try allowed(invoke("pr_7-AbCdEfGhIj", endpoint: "DEFAULT"), policies.pullRequest.permissionsPolicy))
        #expect(try !allowed(invoke("prod-AbCdEfGhIj", endpoint: "DEFAULT"), policies.pullRequest.permissionsPolicy))
        #expect(try !allowed(invoke("prod-AbCdEfGhIj", endpoint: "prod"), policies.pullRequest.permissionsPolicy))
        #expect(try allowed(invoke("prod-AbCdEfGhIj", endpoint: "DEFAULT"), policies.deploy.permissionsPolicy))
        #expect(try allowed(invoke("prod-AbCdEfGhIj", endpoint: "prod"), policies.deploy.permissionsPolicy))
        #expect(!policies.execution.permissionsPolicy.allowedActions.contains("bedrock-agentcore:InvokeAgentRuntime"))
    }

    @Test func passRoleIsOnlyForTheExecutionRoleAndOnlyToAgentCore() throws {
        let names = ResourceNames(Self.parameters)
        let policy = SetupPolicies(Self.parameters).deploy.permissionsPolicy
        let toAgentCore = ["iam:PassedToService": [SetupPolicies.agentCoreService]]
        #expect(try PolicyEvaluator.evaluate(.init(action: "iam:PassRole", resource: names.executionRole, context: toAgentCore), policy: policy).isAllowed)
        #expect(try !PolicyEvaluator.evaluate(.init(action: "iam:PassRole", resource: names.executionRole,
                                                    context: ["iam:PassedToService": ["lambda.amazonaws.com"]]), policy: policy).isAllowed)
        #expect(try !PolicyEvaluator.evaluate(.init(action: "iam:PassRole", resource: "arn:aws:iam::123456789012:role/Admin",
                                                    context: toAgentCore), policy: policy).isAllowed)
    }

    @Test func theMappingNamesWhatAnUnknownCallLacks() throws {
        let mapping = IAMCallMapping(names: ResourceNames(Self.parameters))
        let error = #expect(throws: IAMCallMappingError.self) {
            try mapping.requests(for: AWSCall(service: "bedrock-agentcore", operation: "CreateGateway"))
        }
        #expect(error?.description.contains("unknown AgentCore operation") == true)
        #expect(throws: IAMCallMappingError.self) { try mapping.requests(for: AWSCall(service: "bedrock-agentcore", operation: "GetAgentRuntime")) }
    }

    // MARK: Settings

    @Test(arguments: [
        ("account", "12345", "not 12 digits"), ("region", "us_east_1", "not an AWS region name"),
        ("bucket", "Agent_Code", "lower-case letters"), ("bucket", "ab", "3 to 63"), ("bucket", "192.168.1.1", "IP address"),
        ("bucket", "a..b", "two dots"), ("bucket", "xn--agent", "must not start with xn--"), ("role", "has/slash", "not an IAM role name"),
        ("environment", "", "not a GitHub environment name"), ("prod", "prod-v2", "not the name of a long-lived"),
        ("prod", "pr_7", "not the name of a long-lived"),
        // The pull-request role may touch every pr_* runtime and key: such a prod would be its to read and change.
        ("prod", "pr_prod", "not the name of a long-lived"), ("prod", "pr_", "not the name of a long-lived"),
    ])
    func badSettingsAreRefusedWithTheFix(_ field: String, _ value: String, _ problem: String) {
        var parameters = Self.parameters
        switch field {
        case "account": parameters.account = value
        case "region": parameters.region = value
        case "bucket": parameters.bucket = value
        case "role": parameters.deployRole = value
        case "prod": parameters.prodRuntime = value
        default: parameters.productionEnvironment = value
        }
        let problems = parameters.problems()
        #expect(problems.count == 1 && problems[0].problem.contains(problem), "\(problems)")
        #expect(problems.first?.fix.isEmpty == false)
    }

    @Test func goodSettingsHaveNoProblems() {
        #expect(Self.parameters.problems().isEmpty)
        var china = Self.parameters
        china.region = "cn-north-1"
        #expect(china.problems().isEmpty && SetupPolicies(china).deploy.arn.hasPrefix("arn:aws-cn:iam::"))
    }

    @Test func aDefaultBranchOtherThanMainFailsTheCheck() {
        var repository = Self.parameters.repository
        #expect(SetupCheck.defaultBranchResult(repository).status == .passed)
        repository.defaultBranch = "trunk"
        let result = SetupCheck.defaultBranchResult(repository)
        #expect(result.status == .failed && result.detail.contains("trunk") && result.fix?.contains("rename the default branch to main") == true)
    }
}
