import AgentCoreGitOps
import ArgumentParser
import Foundation

struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Generate the IAM policies this repository needs, and check the ones in place.",
        subcommands: [SetupPoliciesCommand.self, SetupCheckCommand.self])
}

struct SetupPoliciesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies",
        abstract: "Print the trust and permissions policies of the deploy, pull-request and execution roles.",
        discussion: """
            The trust policies name this repository in both forms of GitHub's OIDC subject: \
            repo:OWNER/REPO:... and repo:OWNER@OWNER_ID/REPO@REPO_ID:..., with the ids read from \
            GET /repos/OWNER/REPO (needs GITHUB_TOKEN, e.g. `export GITHUB_TOKEN=$(gh auth token)`, \
            and GITHUB_REPOSITORY unless --repository is given). Nothing in AWS is read or changed.
            """)

    @Option(help: ArgumentHelp("The 12-digit AWS account id (default: the account in $AGENTCORE_ROLE_ARN).", valueName: "id"))
    var account: String?

    @Option(help: ArgumentHelp("The code bucket (default: $AGENTCORE_S3_BUCKET).", valueName: "bucket"))
    var bucket: String?

    @Option(help: ArgumentHelp("owner/name of the repository (default: $GITHUB_REPOSITORY).", valueName: "owner/name"))
    var repository: String?

    @Option(help: "The role the prod workflows, the sweep and the CLI use.")
    var deployRole = SetupParameters.defaultDeployRole

    @Option(name: .customLong("pr-role"), help: "The role pull-request runs use, limited to pr_* runtimes.")
    var pullRequestRole = SetupParameters.defaultPullRequestRole

    @Option(help: ArgumentHelp(
        "The role AgentCore runs the agent as (default: the name in $AGENTCORE_ROLE_ARN, else \(SetupParameters.defaultExecutionRole)).",
        valueName: "name"))
    var executionRole: String?

    @Option(help: ArgumentHelp(
        "The GitHub environment whose jobs may use the deploy role (default: $AGENTCORE_PRODUCTION_ENVIRONMENT, else \(SetupParameters.defaultProductionEnvironment)).",
        valueName: "name"))
    var productionEnvironment: String?

    @Option(help: ArgumentHelp(
        "The long-lived runtime, which the pull-request role may read for its plan (default: $AGENTCORE_PROD_RUNTIME, else \(DeploymentSettings.defaultProdRuntimeName)).",
        valueName: "name"))
    var prodRuntime: String?

    @Option(help: ArgumentHelp(
        "Which OIDC subject forms the trust policies list: both, immutable (repo:OWNER@ID/REPO@ID only) or name.",
        valueName: "forms"))
    var subjects: String = SubjectForms.both.rawValue

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        let problems = try parameters(repository: .init(owner: "o", name: "r", ownerID: "1", repositoryID: "1")).problems()
        if let first = problems.first {
            throw ActionableError(problems.map(\.problem).joined(separator: "; "), fix: first.fix)
        }
        _ = try repositoryName
    }

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["GITHUB_REPOSITORY"] = try repositoryName
        let github: GitHubClient
        do {
            github = try GitHubClient(environment: environment)
        } catch {
            throw ActionableError("\(error)", fix: "set GITHUB_TOKEN (`export GITHUB_TOKEN=$(gh auth token)`) to read the repository's ids")
        }
        let identity = RepositoryIdentity(try await github.repositoryDetails())
        let defaultBranch = SetupCheck.defaultBranchResult(identity)
        guard defaultBranch.status == .passed else { throw ActionableError(defaultBranch.detail, fix: defaultBranch.fix ?? "") }

        let parameters = try parameters(repository: identity)
        let policies = SetupPolicies(parameters)
        if options.json {
            print(policies.document(repository: identity, parameters: parameters).rendered())
        } else {
            print(Self.text(policies, parameters: parameters))
        }
    }

    static func text(_ policies: SetupPolicies, parameters p: SetupParameters) -> String {
        let repository = p.repository
        var lines = [
            "Policies for \(repository.fullName) (owner id \(repository.ownerID), repository id \(repository.repositoryID)), "
                + "account \(p.account), region \(p.region), bucket \(p.bucket).",
        ]
        for (title, role) in [("Deploy role", policies.deploy), ("Pull-request role", policies.pullRequest), ("Execution role", policies.execution)] {
            lines += ["", "== \(title) \(role.name) (\(role.arn)): trust policy", role.trustPolicy.text]
            lines += ["", "== \(title) \(role.name): permissions policy", role.permissionsPolicy.text]
        }
        lines += ["", "Repository variables (Settings → Secrets and variables → Actions → Variables):"]
        lines += policies.repositoryVariables(p).map { "  \($0.name) = \($0.value)" }
        lines += [
            "",
            "The deploy role also trusts jobs of the GitHub environment \(p.productionEnvironment): create it with "
                + "deployment branches limited to main, or any branch could name it and assume the deploy role.",
            "Then run `agentcore setup check` once with each role's credentials (docs/setup.md, step 8).",
        ]
        return lines.joined(separator: "\n")
    }

    private var repositoryName: String {
        get throws {
            guard let name = repository ?? Settings.value("GITHUB_REPOSITORY") else {
                throw ActionableError("no repository is named", fix: "pass --repository owner/name or set GITHUB_REPOSITORY")
            }
            do {
                return try GitHubRepository(name).description
            } catch {
                throw ActionableError("'\(name)' is not a repository name", fix: "give it as owner/name, e.g. --repository octo/agent")
            }
        }
    }

    private func parameters(repository identity: RepositoryIdentity) throws -> SetupParameters {
        let roleArn = Settings.roleArn.flatMap(RoleArn.init)
        guard let account = account ?? roleArn?.account else {
            throw ActionableError("no AWS account is named", fix: "pass --account with the 12-digit account id, or set AGENTCORE_ROLE_ARN")
        }
        guard let region = options.region ?? Settings.value("AWS_REGION") ?? Settings.value("AWS_DEFAULT_REGION") else {
            throw ActionableError("no AWS region is named", fix: "pass --region (e.g. us-east-1) or set AWS_REGION")
        }
        guard let bucket = bucket ?? Settings.bucket else {
            throw ActionableError("no code bucket is named", fix: "pass --bucket or set AGENTCORE_S3_BUCKET")
        }
        guard let forms = SubjectForms(rawValue: subjects) else {
            throw ActionableError("--subjects '\(subjects)' is not a subject form", fix: "give both, immutable or name")
        }
        return SetupParameters(
            account: account, region: region, bucket: bucket, repository: identity, deployRole: deployRole,
            pullRequestRole: pullRequestRole,
            executionRole: executionRole ?? roleArn?.name ?? SetupParameters.defaultExecutionRole,
            productionEnvironment: productionEnvironment ?? Settings.value("AGENTCORE_PRODUCTION_ENVIRONMENT")
                ?? SetupParameters.defaultProductionEnvironment,
            subjectForms: forms,
            prodRuntime: prodRuntime ?? Settings.value("AGENTCORE_PROD_RUNTIME") ?? DeploymentSettings.defaultProdRuntimeName)
    }
}

struct SetupCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "With a workflow's credentials, check the bucket, iam:PassRole and the runtime permissions work.",
        discussion: """
            Run it once from a workflow with each role's credentials (docs/setup.md, step 8). It lists \
            runtimes, reads the bucket, writes, reads and deletes a probe object under \
            _agentcore-setup-check/, and asks AgentCore to create a runtime from a code zip that does \
            not exist, which shows iam:PassRole works without making a runtime. With GITHUB_TOKEN and \
            GITHUB_REPOSITORY set it also checks the default branch is main. Each failure names the \
            missing permission and the policy statement to add; any failure exits non-zero.
            """)

    @Option(help: ArgumentHelp("Whose permissions to expect: deploy or pull-request.", valueName: "role"))
    var role: String = SetupCheck.Role.deploy.rawValue

    @Option(help: ArgumentHelp("The code bucket (default: $AGENTCORE_S3_BUCKET).", valueName: "bucket"))
    var bucket: String?

    @Option(help: ArgumentHelp("The execution role the runtimes run as (default: $AGENTCORE_ROLE_ARN).", valueName: "arn"))
    var roleArn: String?

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        _ = try checkedRole
        _ = try executionRole
        guard let bucket = bucket ?? Settings.bucket else {
            throw ActionableError("no code bucket is named", fix: "pass --bucket or set AGENTCORE_S3_BUCKET")
        }
        if let problem = S3Location.bucketProblem(bucket) {
            throw ActionableError(problem, fix: "pass --bucket with the code bucket's name")
        }
    }

    func run() async throws {
        let services = try Services(options)
        let executionRole = try executionRole
        let parameters = SetupParameters(
            account: executionRole.account, region: services.client.configuration.region, bucket: bucket ?? Settings.bucket ?? "",
            repository: SetupParameters.placeholders.repository, executionRole: executionRole.name)
        let check = SetupCheck(
            transport: services.client, role: try checkedRole, parameters: parameters, executionRoleArn: executionRole.arn)
        var results = await check.run()
        if let github = try? GitHubClient(environment: ProcessInfo.processInfo.environment) {
            do {
                results.append(SetupCheck.defaultBranchResult(RepositoryIdentity(try await github.repositoryDetails())))
            } catch {
                results.append(SetupCheck.Result(
                    name: "default branch", status: .failed, detail: "GitHub did not answer GET /repos: \(error)",
                    fix: "check GITHUB_TOKEN and GITHUB_REPOSITORY"))
            }
        }
        if options.json {
            print(Self.json(results, role: try checkedRole).rendered())
        } else {
            print(Self.text(results, role: try checkedRole))
        }
        let failed = results.filter { $0.status == .failed }
        guard failed.isEmpty else {
            throw ActionableError("\(failed.count) of \(results.count) checks failed: \(failed.map(\.name).joined(separator: ", "))",
                           fix: "grant what each failure names, then run `agentcore setup check` again")
        }
    }

    static func text(_ results: [SetupCheck.Result], role: SetupCheck.Role) -> String {
        var lines = ["Checking the \(role.title)'s permissions:"]
        for result in results {
            lines.append("\(result.status == .passed ? "ok  " : result.status == .failed ? "FAIL" : "skip")  \(result.name): \(result.detail)")
            if let missing = result.missingPermission { lines.append("      missing permission: \(missing)") }
            if let statement = result.statementToAdd {
                lines.append("      add this statement to the \(role.title)'s permissions policy:")
                lines += statement.json.rendered(width: 94, expandDepth: 1).split(separator: "\n").map { "      " + $0 }
            }
            if let fix = result.fix, result.status == .failed { lines.append("      fix: \(fix)") }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ results: [SetupCheck.Result], role: SetupCheck.Role) -> OrderedJSON {
        .object([
            .init("role", .string(role.rawValue)),
            .init("passed", .bool(!results.contains { $0.status == .failed })),
            .init("checks", .array(results.map { result in
                var members: [OrderedJSON.Member] = [
                    .init("name", .string(result.name)), .init("status", .string(result.status.rawValue)),
                    .init("detail", .string(result.detail)),
                ]
                if let missing = result.missingPermission { members.append(.init("missingPermission", .string(missing))) }
                if let statement = result.statementToAdd { members.append(.init("statementToAdd", statement.json)) }
                if let fix = result.fix { members.append(.init("fix", .string(fix))) }
                return .object(members)
            })),
        ])
    }

    private var checkedRole: SetupCheck.Role {
        get throws {
            guard let checked = SetupCheck.Role(rawValue: role) else {
                throw ActionableError("--role '\(role)' is not a role of this tool", fix: "give deploy or pull-request")
            }
            return checked
        }
    }

    private var executionRole: RoleArn {
        get throws {
            guard let text = roleArn ?? Settings.roleArn else {
                throw ActionableError("no execution role is named", fix: "pass --role-arn or set AGENTCORE_ROLE_ARN")
            }
            guard let arn = RoleArn(text) else {
                throw ActionableError("'\(text)' is not an IAM role ARN", fix: "give one like arn:aws:iam::123456789012:role/AgentCoreRuntimeExecution")
            }
            return arn
        }
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, the parts setup needs.
struct RoleArn {
    var arn: String
    var account: String
    var name: String

    init?(_ text: String) {
        guard let match = text.wholeMatch(of: /arn:aws[a-z-]*:iam::([0-9]{12}):role\/(?:[^\/]+\/)*([A-Za-z0-9+=,.@_-]{1,64})/) else {
            return nil
        }
        arn = text
        account = String(match.1)
        name = String(match.2)
    }
}
