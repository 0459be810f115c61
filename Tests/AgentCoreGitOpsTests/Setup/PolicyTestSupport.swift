import Foundation
import Testing
@testable import AgentCoreGitOps

/// Which role's credentials make a call: the workflows and the CLI assume one of the two.
enum DeployingRole: String, CaseIterable, Sendable {
    case deploy
    case pullRequest = "pull-request"

    func permissions(_ policies: SetupPolicies) -> PolicyDocument {
        self == .deploy ? policies.deploy.permissionsPolicy : policies.pullRequest.permissionsPolicy
    }
}

/// One AWS call the story made, with the step that made it and the role it made it as.
struct RecordedCall: Sendable {
    let step: String
    let role: DeployingRole
    let call: AWSCall
}

/// Records, step by step, the AWS calls the sandbox answered. Steps run one after the other in a
/// sandbox of the test's own, so every call between a step's start and end is that step's.
actor CallRecorder {
    let sandbox: Sandbox
    private(set) var calls: [RecordedCall] = []

    init(sandbox: Sandbox) { self.sandbox = sandbox }

    /// Runs `body` as `role` would, keeping the calls it made. Reads and checks of the outcome
    /// belong after the step, so the harness's own calls are not counted as the role's.
    func step<T: Sendable>(_ name: String, as role: DeployingRole, _ body: @Sendable () async throws -> T) async throws -> T {
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")
        let result = try await body()
        let made = try await sandbox.calls()
        try #require(!made.isEmpty, "step \(name) made no AWS call")
        calls += made.map { RecordedCall(step: name, role: role, call: $0) }
        return result
    }
}

extension Sandbox {
    /// `GET /_sandbox/calls`: the request log as IAM sees it.
    func calls() async throws -> [AWSCall] {
        struct Log: Decodable { var calls: [AWSCall] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Log.self, from: try await awsControl("GET", "/_sandbox/calls")).calls
    }

    /// The parameters the sandbox's account, region, bucket and execution role fill the
    /// policies with; the repository is the GitHub emulator's.
    /// `prodRuntime`: the story's prod runtime, which the pull-request role reads for its plan.
    func setupParameters(prodRuntime: String = DeploymentSettings.defaultProdRuntimeName) async throws -> SetupParameters {
        let github = try await GitHubEmulator.in(self)
        let identity = RepositoryIdentity(try await github.client().repositoryDetails())
        let role = try #require(info.roleArn.split(separator: "/").last.map(String.init))
        return SetupParameters(
            account: try #require(info.roleArn.firstMatch(of: /::([0-9]{12}):/).map { String($0.1) }),
            region: info.region, bucket: info.s3Bucket, repository: identity, executionRole: role, prodRuntime: prodRuntime)
    }

    /// Turns on versioning of the code bucket, so the CLI pins the version ids it checks.
    func enableBucketVersioning() async throws {
        let body = Data(#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#.utf8)
        _ = try await awsClient().send(AWSRequest(
            service: .s3, operation: "PutBucketVersioning", method: "PUT", path: "/\(info.s3Bucket)",
            query: [URLQueryItem(name: "versioning", value: "")], headers: ["Content-Type": "application/xml"], body: .data(body)))
    }
}

/// What evaluating the story's calls against one set of policies found.
struct PolicyVerdict {
    var callsChecked: [DeployingRole: Int] = [:]
    var requestsChecked = 0
    /// Lower-cased, as IAM compares actions.
    var used: [DeployingRole: Set<String>] = [:]
    var denied: [String] = []

    /// Every request of every call against its role's permissions policy.
    static func evaluate(_ calls: [RecordedCall], mapping: IAMCallMapping, policies: [DeployingRole: PolicyDocument]) throws -> PolicyVerdict {
        var verdict = PolicyVerdict()
        for recorded in calls {
            verdict.callsChecked[recorded.role, default: 0] += 1
            for request in try mapping.requests(for: recorded.call) {
                verdict.requestsChecked += 1
                let decision = try PolicyEvaluator.evaluate(request, policy: try #require(policies[recorded.role]))
                if decision.isAllowed {
                    verdict.used[recorded.role, default: []].insert(request.action.lowercased())
                } else {
                    verdict.denied.append("\(recorded.step) as the \(recorded.role.rawValue) role: \(recorded.call) needs \(request): \(decision)")
                }
            }
        }
        return verdict
    }

    /// Granted actions that no call used and the rationale table does not explain.
    func unexplained(_ role: DeployingRole, granted: PolicyDocument) -> Set<String> {
        let explained = Set(SetupPolicies.grantsNoDeploymentCallUses.filter { $0.role == role.rawValue }
            .flatMap(\.actions).map { $0.lowercased() })
        return Set(granted.allowedActions.map { $0.lowercased() }).subtracting(used[role] ?? []).subtracting(explained)
    }
}

/// The fenced ```json blocks of a Markdown file, in order.
func jsonBlocks(in markdown: String) -> [String] {
    var blocks: [String] = []
    var current: [Substring]?
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if current == nil, trimmed == "```json" {
            current = []
        } else if current != nil, trimmed == "```" {
            blocks.append(current!.joined(separator: "\n"))
            current = nil
        } else {
            current?.append(line)
        }
    }
    return blocks
}

/// docs/setup.md's policies with its placeholders replaced by `parameters`' values.
func documentedPolicies(filledWith parameters: SetupParameters) throws -> [PolicyDocument] {
    let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/setup.md"), encoding: .utf8)
    let placeholders = SetupParameters.placeholders
    let replacements: [(String, String)] = [
        // Longest first: OWNER_ID before OWNER.
        (placeholders.repository.ownerID, parameters.repository.ownerID),
        (placeholders.repository.repositoryID, parameters.repository.repositoryID),
        (placeholders.repository.owner, parameters.repository.owner),
        (placeholders.repository.name, parameters.repository.name),
        (placeholders.account, parameters.account),
        (placeholders.region, parameters.region),
        (placeholders.bucket, parameters.bucket),
        ("role/" + placeholders.executionRole, "role/" + parameters.executionRole),
        // The docs show the default prod runtime's name, which the pull-request role may read.
        ("runtime/\(placeholders.prodRuntime)-", "runtime/\(parameters.prodRuntime)-"),
        ("/\(placeholders.prodRuntime)/packages/", "/\(parameters.prodRuntime)/packages/"),
        ("/\(placeholders.prodRuntime)/deployed/versions/", "/\(parameters.prodRuntime)/deployed/versions/"),
    ]
    return try jsonBlocks(in: text).map { block in
        var filled = block
        for (placeholder, value) in replacements { filled = filled.replacingOccurrences(of: placeholder, with: value) }
        return try JSONDecoder().decode(PolicyDocument.self, from: Data(filled.utf8))
    }
}
