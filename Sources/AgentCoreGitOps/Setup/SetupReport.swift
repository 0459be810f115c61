import Foundation

/// Granted actions no deployment call uses, and why they are granted anyway. The policy test
/// fails on a granted action that is neither used by a call of the story nor listed here;
/// docs/setup.md shows the same table.
public struct GrantRationale: Sendable, Hashable {
    /// `deploy`, `pull-request` or `execution`.
    public var role: String
    public var actions: [String]
    public var reason: String
}

extension SetupPolicies {
    public static let grantsNoDeploymentCallUses: [GrantRationale] = [
        GrantRationale(
            role: "execution",
            actions: [
                "logs:DescribeLogStreams", "logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:CreateLogStream",
                "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                "xray:GetSamplingTargets", "cloudwatch:PutMetricData", "bedrock-agentcore:GetWorkloadAccessToken",
                "bedrock-agentcore:GetWorkloadAccessTokenForJWT", "bedrock-agentcore:GetWorkloadAccessTokenForUserId",
                "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream",
            ],
            reason: "AgentCore runs the agent as this role: its logs, traces and metrics, its workload access tokens and "
                + "its model calls. No deployment call uses them."),
    ]

    /// The whole output of `agentcore setup policies --json`: the repository, each role's
    /// policies, and the repository variables that name them.
    public func document(repository: RepositoryIdentity, parameters: SetupParameters) -> OrderedJSON {
        func role(_ role: GeneratedRole) -> OrderedJSON {
            .object([
                .init("roleName", .string(role.name)), .init("roleArn", .string(role.arn)),
                .init("trustPolicy", role.trustPolicy.json), .init("permissionsPolicy", role.permissionsPolicy.json),
            ])
        }
        return .object([
            .init("repository", .object([
                .init("fullName", .string(repository.fullName)),
                .init("ownerId", Int(repository.ownerID).map(OrderedJSON.int) ?? .string(repository.ownerID)),
                .init("repositoryId", Int(repository.repositoryID).map(OrderedJSON.int) ?? .string(repository.repositoryID)),
                .init("defaultBranch", .string(repository.defaultBranch)),
            ])),
            .init("productionEnvironment", .string(parameters.productionEnvironment)),
            .init("roles", .object([.init("deploy", role(deploy)), .init("pullRequest", role(pullRequest)), .init("execution", role(execution))])),
            .init("repositoryVariables", .object(repositoryVariables(parameters).map { .init($0.name, .string($0.value)) })),
        ])
    }

    /// The variables the workflows read (docs/setup.md §6); the prod runtime's name when it is not
    /// the default, since the pull-request role's read grant names it.
    public func repositoryVariables(_ parameters: SetupParameters) -> [(name: String, value: String)] {
        var variables = [
            ("AGENTCORE_DEPLOY_ROLE_ARN", deploy.arn),
            ("AGENTCORE_PR_DEPLOY_ROLE_ARN", pullRequest.arn),
            ("AGENTCORE_ROLE_ARN", execution.arn),
            ("AGENTCORE_S3_BUCKET", parameters.bucket),
            ("AWS_REGION", parameters.region),
        ]
        if parameters.prodRuntime != DeploymentSettings.defaultProdRuntimeName {
            variables.append(("AGENTCORE_PROD_RUNTIME", parameters.prodRuntime))
        }
        return variables
    }
}

extension RepositoryIdentity {
    public init(_ details: GitHubRepositoryDetails) {
        self.init(owner: details.owner.login, name: details.name, ownerID: String(details.owner.id),
                  repositoryID: String(details.id), defaultBranch: details.defaultBranch)
    }
}
