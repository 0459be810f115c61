import Foundation

/// The repository as GitHub's OIDC subject claims name it: by name, and by the numeric ids that
/// the immutable subject form adds (they survive renames, and a recycled name has other ids).
public struct RepositoryIdentity: Sendable, Hashable {
    public var owner: String
    public var name: String
    public var ownerID: String
    public var repositoryID: String
    /// GitHub's default branch; the workflows deploy prod from `main` only.
    public var defaultBranch: String

    public init(owner: String, name: String, ownerID: String, repositoryID: String, defaultBranch: String = "main") {
        self.owner = owner
        self.name = name
        self.ownerID = ownerID
        self.repositoryID = repositoryID
        self.defaultBranch = defaultBranch
    }

    public var fullName: String { "\(owner)/\(name)" }

    /// `repo:OWNER/REPO`, the subject form of repositories that have not opted in to the new one.
    public var nameOnlySubjectPrefix: String { "repo:\(owner)/\(name)" }
    /// `repo:OWNER@OWNER_ID/REPO@REPO_ID`, the default for repositories created or renamed on or
    /// after 2026-07-15 (GitHub's OIDC reference; iam.md §3).
    public var immutableSubjectPrefix: String { "repo:\(owner)@\(ownerID)/\(name)@\(repositoryID)" }
}

/// Which subject forms the trust policies list.
public enum SubjectForms: String, Sendable, CaseIterable {
    /// Both: works before and after the repository moves to immutable subjects.
    case both
    /// Only `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`: a recycled repository name cannot match.
    case immutable
    /// Only `repo:OWNER/REPO:...`, as older repositories emit.
    case name
}

/// Everything the generated policies are filled in with.
public struct SetupParameters: Sendable, Hashable {
    public static let defaultDeployRole = "AgentCoreGitOpsDeploy"
    public static let defaultPullRequestRole = "AgentCoreGitOpsPullRequests"
    public static let defaultExecutionRole = "AgentCoreRuntimeExecution"
    public static let defaultProductionEnvironment = "agentcore-production"

    public var account: String
    public var region: String
    public var bucket: String
    public var deployRole: String
    public var pullRequestRole: String
    public var executionRole: String
    public var repository: RepositoryIdentity
    /// The GitHub environment whose jobs may assume the deploy role.
    public var productionEnvironment: String
    public var subjectForms: SubjectForms
    /// The long-lived runtime (`AGENTCORE_PROD_RUNTIME`), which the pull-request role may read for
    /// its plan but never change.
    public var prodRuntime: String

    public init(
        account: String, region: String, bucket: String, repository: RepositoryIdentity,
        deployRole: String = defaultDeployRole, pullRequestRole: String = defaultPullRequestRole,
        executionRole: String = defaultExecutionRole, productionEnvironment: String = defaultProductionEnvironment,
        subjectForms: SubjectForms = .both, prodRuntime: String = DeploymentSettings.defaultProdRuntimeName
    ) {
        self.account = account
        self.region = region
        self.bucket = bucket
        self.repository = repository
        self.deployRole = deployRole
        self.pullRequestRole = pullRequestRole
        self.executionRole = executionRole
        self.productionEnvironment = productionEnvironment
        self.subjectForms = subjectForms
        self.prodRuntime = prodRuntime
    }

    /// The values docs/setup.md writes in capitals for the reader to replace.
    public static let placeholders = SetupParameters(
        account: "ACCOUNT", region: "REGION", bucket: "BUCKET",
        repository: RepositoryIdentity(owner: "OWNER", name: "REPO", ownerID: "OWNER_ID", repositoryID: "REPO_ID"))

    /// `aws`, or `aws-cn` / `aws-us-gov` for those regions.
    public var partition: String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }

    public func roleArn(_ name: String) -> String { "arn:\(partition):iam::\(account):role/\(name)" }

    /// Every problem with the values, each naming the fix; empty when they can be used.
    public func problems() -> [ActionableError] {
        var found: [ActionableError] = []
        if account.wholeMatch(of: /[0-9]{12}/) == nil {
            found.append(ActionableError(
                "account id '\(account)' is not 12 digits",
                fix: "pass --account with the 12-digit id `aws sts get-caller-identity --query Account` prints"))
        }
        if region.wholeMatch(of: /[a-z]{2}(-[a-z]+)+-[0-9]{1,2}/) == nil {
            found.append(ActionableError(
                "region '\(region)' is not an AWS region name", fix: "pass --region like us-east-1 or eu-central-1"))
        }
        if let problem = S3Location.bucketProblem(bucket) {
            found.append(ActionableError(problem, fix: "pass --bucket with the name of the code bucket (S3's naming rules)"))
        }
        for (flag, name) in [("--deploy-role", deployRole), ("--pr-role", pullRequestRole), ("--execution-role", executionRole)]
        where name.wholeMatch(of: /[A-Za-z0-9+=,.@_-]{1,64}/) == nil {
            found.append(ActionableError(
                "role name '\(name)' is not an IAM role name", fix: "give \(flag) 1 to 64 letters, digits or +=,.@_-"))
        }
        if Set([deployRole, pullRequestRole, executionRole]).count < 3 {
            found.append(ActionableError(
                "the deploy, pull-request and execution roles must be three roles", fix: "give each its own name"))
        }
        // The pull-request role may read, change and delete every pr_* runtime and key.
        if prodRuntime.wholeMatch(of: /[a-zA-Z][a-zA-Z0-9_]{0,47}/) == nil || prodRuntime.hasPrefix(DeploymentSettings.pullRequestPrefix) {
            found.append(ActionableError(
                "prod runtime name '\(prodRuntime)' is not the name of a long-lived AgentCore runtime",
                fix: "give --prod-runtime the value of AGENTCORE_PROD_RUNTIME (a letter, then up to 47 letters, digits or "
                    + "underscores, not starting with pr_, which names pull-request runtimes), or leave it out for the default prod"))
        }
        if productionEnvironment.isEmpty || productionEnvironment.count > 255
            || productionEnvironment.contains(where: { $0.isNewline || $0 == "\"" }) {
            found.append(ActionableError(
                "environment name '\(productionEnvironment)' is not a GitHub environment name",
                fix: "give --production-environment 1 to 255 characters, no quotes or line breaks"))
        }
        return found
    }
}
