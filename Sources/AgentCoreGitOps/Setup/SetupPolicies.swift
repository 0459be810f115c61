import Foundation

/// One IAM role: its name and ARN, who may assume it, and what it may do.
public struct GeneratedRole: Sendable, Hashable {
    public var name: String
    public var arn: String
    public var trustPolicy: PolicyDocument
    public var permissionsPolicy: PolicyDocument
}

/// The three roles a repository needs, generated from `SetupParameters`: the deploy role (prod
/// deploy, promote, rollback, sweep, the CLI), the pull-request role (pr-deploy, scoped to
/// `pr_*`), and the execution role AgentCore runs the agent as. The actions and resources follow
/// `../shared/reference/iam.md`; the policy test replays every AWS call of the whole story
/// against them.
public struct SetupPolicies: Sendable, Hashable {
    public var deploy: GeneratedRole
    public var pullRequest: GeneratedRole
    public var execution: GeneratedRole

    public static let oidcAudience = "sts.amazonaws.com"
    public static let oidcProvider = "token.actions.githubusercontent.com"
    public static let agentCoreService = "bedrock-agentcore.amazonaws.com"
    public static let runtimeIdentityService = "runtime-identity.bedrock-agentcore.amazonaws.com"
    public static let runtimeIdentityRole = "AWSServiceRoleForBedrockAgentCoreRuntimeIdentity"
    /// Where `agentcore setup check` writes (and removes) its probe object.
    public static let probePrefix = "_agentcore-setup-check/"

    public init(_ parameters: SetupParameters) {
        let arns = ResourceNames(parameters)
        let subjects = SubjectClaims(parameters)
        deploy = GeneratedRole(
            name: parameters.deployRole, arn: parameters.roleArn(parameters.deployRole),
            trustPolicy: Self.githubTrust(
                sid: "GitHubActionsOnMainAndProductionEnvironment", provider: arns.oidcProvider,
                subjects: subjects.mainBranch + subjects.productionEnvironment),
            permissionsPolicy: Self.permissions(arns, Self.deployScope))
        pullRequest = GeneratedRole(
            name: parameters.pullRequestRole, arn: parameters.roleArn(parameters.pullRequestRole),
            trustPolicy: Self.githubTrust(sid: "GitHubActionsPullRequests", provider: arns.oidcProvider, subjects: subjects.pullRequest),
            permissionsPolicy: Self.permissions(arns, Self.pullRequestScope, readsForThePlan: parameters.prodRuntime))
        execution = GeneratedRole(
            name: parameters.executionRole, arn: parameters.roleArn(parameters.executionRole),
            trustPolicy: Self.executionTrust(parameters), permissionsPolicy: Self.executionPermissions(parameters))
    }

    public var roles: [GeneratedRole] { [deploy, pullRequest, execution] }

    // MARK: Trust

    static func githubTrust(sid: String, provider: String, subjects: [String]) -> PolicyDocument {
        PolicyDocument([PolicyStatement(
            sid: sid, principal: .identified(["Federated": PolicyValues([provider])]),
            action: "sts:AssumeRoleWithWebIdentity",
            condition: ["StringEquals": [
                "\(oidcProvider):aud": PolicyValues([oidcAudience]),
                "\(oidcProvider):sub": PolicyValues(subjects),
            ]])])
    }

    /// The conditions stop other accounts' runtimes from using the role (the confused deputy).
    static func executionTrust(_ p: SetupParameters) -> PolicyDocument {
        PolicyDocument([PolicyStatement(
            sid: "AgentCoreRuntimeAssumesRole", principal: .identified(["Service": PolicyValues([agentCoreService])]),
            action: "sts:AssumeRole",
            condition: [
                "StringEquals": ["aws:SourceAccount": PolicyValues([p.account])],
                "ArnLike": ["aws:SourceArn": PolicyValues(["arn:\(p.partition):bedrock-agentcore:\(p.region):\(p.account):*"])],
            ])])
    }

    // MARK: Permissions

    /// Actions the Service Authorization Reference gives no resource type: IAM allows them only
    /// on `"Resource": "*"`.
    static let actionsWithoutResourceType = [
        "bedrock-agentcore:CreateAgentRuntime",
        "bedrock-agentcore:ListAgentRuntimes",
        "bedrock-agentcore:ListAgentRuntimeVersions",
        "bedrock-agentcore:ListAgentRuntimeEndpoints",
    ]

    /// Actions on an existing runtime or endpoint: scoped to their ARNs.
    static let runtimeAndEndpointActions = [
        "bedrock-agentcore:GetAgentRuntime",
        "bedrock-agentcore:UpdateAgentRuntime",
        "bedrock-agentcore:DeleteAgentRuntime",
        "bedrock-agentcore:CreateAgentRuntimeEndpoint",
        "bedrock-agentcore:GetAgentRuntimeEndpoint",
        "bedrock-agentcore:UpdateAgentRuntimeEndpoint",
        "bedrock-agentcore:DeleteAgentRuntimeEndpoint",
        // The smoke test after each deploy, through the DEFAULT endpoint of the version deployed.
        "bedrock-agentcore:InvokeAgentRuntime",
    ]

    /// What the deploy role and the pull-request role differ in; the rest of their policies is
    /// the same.
    struct Scope {
        var listActions: [String]
        var runtimeStatement: String
        var runtimeActions: [String]
        /// The runtime ids (and workload identity names) it may touch: `*`, or `pr_*`.
        var runtimes: String
        var codeActions: [String]
        /// The package keys it may touch: `*`, or `pr_*`.
        var codeKeys: String
        /// What `setup check` needs on its probe beyond `codeActions` on `codeKeys`.
        var probeActions: [String]
    }

    static let deployScope = Scope(
        listActions: actionsWithoutResourceType, runtimeStatement: "RuntimesAndEndpoints",
        runtimeActions: runtimeAndEndpointActions, runtimes: "*",
        // GetObjectVersion: the CLI pins a versioned bucket's version id, which AgentCore then reads.
        codeActions: ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"], codeKeys: "*",
        probeActions: ["s3:DeleteObject"])

    /// Narrowed to what `pr-deploy` uses, on runtimes whose ids start with `pr_` (an id starts
    /// with its runtime's name, so a prod runtime, which may not start with `pr_`, cannot match) and on keys under `pr_`.
    static let pullRequestScope = Scope(
        listActions: actionsWithoutResourceType.filter { $0 != "bedrock-agentcore:ListAgentRuntimeVersions" },
        runtimeStatement: "PullRequestRuntimes",
        // pr-deploy never moves an endpoint.
        runtimeActions: runtimeAndEndpointActions.filter { $0 != "bedrock-agentcore:UpdateAgentRuntimeEndpoint" },
        runtimes: DeploymentSettings.pullRequestPrefix + "*", codeActions: ["s3:PutObject", "s3:GetObject"],
        codeKeys: DeploymentSettings.pullRequestPrefix + "*",
        probeActions: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"])

    /// `readsForThePlan`: the prod runtime whose endpoint, settings records and package manifests
    /// the role may read (never change), so a pull request's comment can say what merging would do to prod.
    static func permissions(_ arns: ResourceNames, _ scope: Scope, readsForThePlan prod: String? = nil) -> PolicyDocument {
        var statements = [
            PolicyStatement(sid: "RuntimeActionsWithoutResourceType", action: PolicyValues(scope.listActions), resource: "*"),
            PolicyStatement(
                sid: scope.runtimeStatement, action: PolicyValues(scope.runtimeActions),
                resource: PolicyValues([arns.runtime(scope.runtimes), arns.endpoint(runtime: scope.runtimes)])),
            workloadIdentity(arns, runtimes: scope.runtimes),
            serviceLinkedRole(arns),
            passExecutionRole(arns),
            PolicyStatement(sid: "CodePackages", action: PolicyValues(scope.codeActions), resource: PolicyValues([arns.object(scope.codeKeys)])),
            // Without it S3 answers a missing key with 403 instead of 404.
            PolicyStatement(sid: "CodePackageListing", action: "s3:ListBucket", resource: PolicyValues([arns.bucket])),
            PolicyStatement(
                sid: "SetupCheckProbe", action: PolicyValues(scope.probeActions), resource: PolicyValues([arns.object(probePrefix + "*")])),
        ]
        if let prod { statements += prodReadForThePlan(arns, prod: prod) }
        return PolicyDocument(statements)
    }

    /// Read-only access to the prod endpoint (which version it serves; on runtime ids starting
    /// with prod's name and a hyphen, which no other runtime name can), to the record of what git
    /// declared for each prod version and to the manifests stored beside prod's packages. Never
    /// GetAgentRuntime: prod's configuration holds its secrets resolved, and a pull request's
    /// code runs in this role's job. Never prod's code or its other records.
    static func prodReadForThePlan(_ arns: ResourceNames, prod: String) -> [PolicyStatement] {
        [
            PolicyStatement(
                sid: "ProdEndpointReadOnlyForThePlan", action: "bedrock-agentcore:GetAgentRuntimeEndpoint",
                // IAM checks the runtime and the endpoint both; the action reads the endpoint only.
                resource: PolicyValues([arns.runtime("\(prod)-*"), arns.endpoint(runtime: "\(prod)-*")])),
            PolicyStatement(
                sid: "ProdSettingsRecordsForThePlan", action: "s3:GetObject",
                resource: PolicyValues([
                    arns.object("\(prod)/deployed/versions/*.json"), arns.object("\(prod)/packages/*.manifest.json"),
                ])),
        ]
    }

    /// AgentCore makes a workload identity for each runtime it creates (named after the runtime)
    /// and deletes it with the runtime, under the caller's permissions.
    static func workloadIdentity(_ arns: ResourceNames, runtimes: String) -> PolicyStatement {
        PolicyStatement(
            sid: "WorkloadIdentityOfEachRuntime",
            action: ["bedrock-agentcore:CreateWorkloadIdentity", "bedrock-agentcore:DeleteWorkloadIdentity"],
            resource: PolicyValues([arns.workloadIdentityDirectory, arns.workloadIdentity(runtimes)]))
    }

    /// The first runtime created or updated in an account makes AgentCore's runtime-identity
    /// service-linked role, as the caller.
    static func serviceLinkedRole(_ arns: ResourceNames) -> PolicyStatement {
        PolicyStatement(
            sid: "RuntimeIdentityServiceLinkedRole", action: "iam:CreateServiceLinkedRole",
            resource: PolicyValues([arns.runtimeIdentityServiceLinkedRole]),
            condition: ["StringEquals": ["iam:AWSServiceName": PolicyValues([runtimeIdentityService])]])
    }

    static func passExecutionRole(_ arns: ResourceNames) -> PolicyStatement {
        PolicyStatement(
            sid: "PassExecutionRoleToAgentCore", action: "iam:PassRole", resource: PolicyValues([arns.executionRole]),
            condition: ["StringEquals": ["iam:PassedToService": PolicyValues([agentCoreService])]])
    }

    /// The AgentCore developer guide's execution role for code-zip runtimes (no ECR statements).
    static func executionPermissions(_ p: SetupParameters) -> PolicyDocument {
        let logs = "arn:\(p.partition):logs:\(p.region):\(p.account):log-group"
        let agentCore = "arn:\(p.partition):bedrock-agentcore:\(p.region):\(p.account)"
        return PolicyDocument([
            PolicyStatement(
                sid: "RuntimeLogGroups", action: ["logs:DescribeLogStreams", "logs:CreateLogGroup"],
                resource: PolicyValues(["\(logs):/aws/bedrock-agentcore/runtimes/*"])),
            PolicyStatement(sid: "DescribeLogGroups", action: "logs:DescribeLogGroups", resource: PolicyValues(["\(logs):*"])),
            PolicyStatement(
                sid: "RuntimeLogStreams", action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                resource: PolicyValues(["\(logs):/aws/bedrock-agentcore/runtimes/*:log-stream:*"])),
            PolicyStatement(
                sid: "Tracing",
                action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
                resource: "*"),
            PolicyStatement(
                sid: "Metrics", action: "cloudwatch:PutMetricData", resource: "*",
                condition: ["StringEquals": ["cloudwatch:namespace": "bedrock-agentcore"]]),
            PolicyStatement(
                sid: "WorkloadAccessTokens",
                action: [
                    "bedrock-agentcore:GetWorkloadAccessToken",
                    "bedrock-agentcore:GetWorkloadAccessTokenForJWT",
                    "bedrock-agentcore:GetWorkloadAccessTokenForUserId",
                ],
                resource: PolicyValues(["\(agentCore):workload-identity-directory/default", "\(agentCore):workload-identity-directory/default/workload-identity/*"])),
            PolicyStatement(
                sid: "ModelInvocation", action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                resource: PolicyValues(["arn:\(p.partition):bedrock:*::foundation-model/*", "arn:\(p.partition):bedrock:\(p.region):\(p.account):*"])),
        ])
    }
}

/// The ARNs the policies name, in one place so the generator and the call mapping agree.
public struct ResourceNames: Sendable, Hashable {
    public var partition: String
    public var region: String
    public var account: String
    public var bucketName: String
    public var executionRole: String

    public init(partition: String, region: String, account: String, bucket: String, executionRoleArn: String) {
        self.partition = partition
        self.region = region
        self.account = account
        self.bucketName = bucket
        self.executionRole = executionRoleArn
    }

    public init(_ p: SetupParameters) {
        self.init(partition: p.partition, region: p.region, account: p.account, bucket: p.bucket, executionRoleArn: p.roleArn(p.executionRole))
    }

    var agentCore: String { "arn:\(partition):bedrock-agentcore:\(region):\(account)" }
    public func runtime(_ id: String) -> String { "\(agentCore):runtime/\(id)" }
    public func endpoint(runtime id: String, name: String = "*") -> String { "\(runtime(id))/runtime-endpoint/\(name)" }
    public var workloadIdentityDirectory: String { "\(agentCore):workload-identity-directory/default" }
    public func workloadIdentity(_ name: String) -> String { "\(workloadIdentityDirectory)/workload-identity/\(name)" }
    public var bucket: String { "arn:\(partition):s3:::\(bucketName)" }
    public func object(_ key: String, in bucket: String? = nil) -> String { "arn:\(partition):s3:::\(bucket ?? bucketName)/\(key)" }
    public var oidcProvider: String { "arn:\(partition):iam::\(account):oidc-provider/\(SetupPolicies.oidcProvider)" }
    public var runtimeIdentityServiceLinkedRole: String {
        "arn:\(partition):iam::\(account):role/aws-service-role/\(SetupPolicies.runtimeIdentityService)/\(SetupPolicies.runtimeIdentityRole)"
    }
}

/// GitHub's OIDC `sub` values for this repository's jobs (iam.md §3): an environment wins over the
/// event, then `pull_request`, then the branch.
public struct SubjectClaims: Sendable, Hashable {
    public var parameters: SetupParameters

    public init(_ parameters: SetupParameters) { self.parameters = parameters }

    /// The forms chosen, name-only first.
    var prefixes: [String] {
        let repository = parameters.repository
        switch parameters.subjectForms {
        case .both: return [repository.nameOnlySubjectPrefix, repository.immutableSubjectPrefix]
        case .immutable: return [repository.immutableSubjectPrefix]
        case .name: return [repository.nameOnlySubjectPrefix]
        }
    }

    /// Pushes, issues, schedules and manual runs on `main`: the workflows run prod on main only.
    public var mainBranch: [String] { prefixes.map { "\($0):ref:refs/heads/main" } }
    public var pullRequest: [String] { prefixes.map { "\($0):pull_request" } }
    /// A `:` in an environment name is sent as `%3A`.
    public var productionEnvironment: [String] {
        let name = parameters.productionEnvironment.replacingOccurrences(of: ":", with: "%3A")
        return prefixes.map { "\($0):environment:\(name)" }
    }
}
