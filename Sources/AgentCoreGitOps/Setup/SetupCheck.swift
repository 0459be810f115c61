import Foundation

/// `agentcore setup check`: with the credentials a workflow gets, a few calls that change nothing
/// lasting show whether the bucket, the roles, `iam:PassRole` and the runtime permissions work.
/// Each failure names the permission that is missing and the statement of the generated policy
/// that grants it.
///
/// The calls, and why each is harmless:
/// - ListAgentRuntimes (one page) and S3 HeadBucket only read;
/// - a probe object under `_agentcore-setup-check/` is written, read and deleted again;
/// - CreateAgentRuntime of a probe runtime whose code zip does not exist: AgentCore authorizes
///   the call and `iam:PassRole` of the execution role, then reads the zip with the caller's
///   permissions during the call and refuses the missing one, so no runtime is made. IAM offers no
///   dry run for PassRole; iam:SimulatePrincipalPolicy would need a grant the workflows never use
///   (and the sandbox's moto does not implement it), and iam:GetRole shows the role exists, not
///   that it may be passed. Should a runtime be made after all, it is deleted at once. In an account that never had a
///   runtime, AgentCore may create its runtime-identity service-linked role, as the first
///   deployment would anyway.
public struct SetupCheck: Sendable {
    public enum Role: String, Sendable, CaseIterable {
        case deploy
        case pullRequest = "pull-request"

        /// How the policies and the output name it.
        public var title: String { self == .deploy ? "deploy role" : "pull-request role" }
    }

    public enum Status: String, Sendable, Encodable {
        case passed, failed, skipped
    }

    public struct Result: Sendable, Equatable {
        public var name: String
        public var status: Status
        public var detail: String
        /// The IAM action the credentials lack, when the failure is a missing permission.
        public var missingPermission: String?
        /// The statement of the generated policy that grants it.
        public var statementToAdd: PolicyStatement?
        /// What to do, when it is not adding a statement.
        public var fix: String?

        public init(name: String, status: Status, detail: String, missingPermission: String? = nil,
                    statementToAdd: PolicyStatement? = nil, fix: String? = nil) {
            self.name = name
            self.status = status
            self.detail = detail
            self.missingPermission = missingPermission
            self.statementToAdd = statementToAdd
            self.fix = fix
        }
    }

    /// How the PassRole probe's runtime is named: `pr_` so the pull-request role may delete it, no
    /// number after it, so no pull request and no sweep ever takes it for theirs, and the run's
    /// probe id after it, so two checks at once never collide.
    public static let probeRuntimePrefix = "pr_setup_check_"

    public var transport: any AWSRequestSending
    public var role: Role
    public var parameters: SetupParameters
    public var executionRoleArn: String
    /// Names this run's probe object; a fresh one each run.
    public var probeID: String
    /// How long to wait for a probe runtime AgentCore made after all to settle before deleting it.
    public var waitPolicy = WaitPolicy()

    public init(transport: any AWSRequestSending, role: Role, parameters: SetupParameters, executionRoleArn: String,
                probeID: String = UUID().uuidString.lowercased()) {
        self.transport = transport
        self.role = role
        self.parameters = parameters
        self.executionRoleArn = executionRoleArn
        self.probeID = probeID
    }

    private var agentCore: AgentCoreControl { AgentCoreControl(transport: transport) }
    private var names: ResourceNames {
        ResourceNames(partition: parameters.partition, region: parameters.region, account: parameters.account,
                      bucket: parameters.bucket, executionRoleArn: executionRoleArn)
    }
    private var policy: PolicyDocument {
        let policies = SetupPolicies(parameters)
        return role == .deploy ? policies.deploy.permissionsPolicy : policies.pullRequest.permissionsPolicy
    }
    private var probeKey: String { SetupPolicies.probePrefix + "probe-\(probeID).txt" }
    /// Within AgentCore's 48 characters, letters, digits and underscores.
    var probeRuntimeName: String {
        Self.probeRuntimePrefix + String(probeID.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(16))
    }

    public func run() async -> [Result] {
        var results = [await listRuntimes(), await bucketExists()]
        results += await probeObject()
        results.append(await passExecutionRole())
        return results
    }

    // MARK: Probes

    private func listRuntimes() async -> Result {
        let name = "list runtimes"
        do {
            _ = try await agentCore.listAgentRuntimes(maxResults: 1, nextToken: nil)
            return Result(name: name, status: .passed, detail: "bedrock-agentcore:ListAgentRuntimes is allowed")
        } catch {
            return failure(name, error, call: AWSCall(service: "bedrock-agentcore", operation: "ListAgentRuntimes"))
        }
    }

    private func bucketExists() async -> Result {
        let name = "code bucket"
        var resources = AWSCall.Resources()
        resources.bucket = parameters.bucket
        do {
            _ = try await transport.send(AWSRequest(service: .s3, operation: "HeadBucket", method: "HEAD", path: "/\(parameters.bucket)"))
            return Result(name: name, status: .passed, detail: "bucket \(parameters.bucket) exists and s3:ListBucket is allowed")
        } catch let error as AWSError where error.isNotFound {
            return Result(name: name, status: .failed, detail: "there is no bucket \(parameters.bucket)",
                          fix: "create it in \(parameters.region), or set AGENTCORE_S3_BUCKET to the code bucket's name")
        } catch let error as AWSError where error.httpStatus == 301 || error.code == "PermanentRedirect" {
            return Result(name: name, status: .failed, detail: "bucket \(parameters.bucket) is in another region than \(parameters.region)",
                          fix: "use a bucket in \(parameters.region) (AgentCore reads the code zip from the runtime's region)")
        } catch {
            return failure(name, error, call: AWSCall(service: "s3", operation: "HeadBucket", resources: resources))
        }
    }

    /// Write, read and delete one small object: what every deployment does to its package.
    private func probeObject() async -> [Result] {
        var resources = AWSCall.Resources()
        resources.bucket = parameters.bucket
        resources.key = probeKey
        let path = "/\(parameters.bucket)/\(probeKey)"
        let location = "s3://\(parameters.bucket)/\(probeKey)"
        let body = Data("agentcore setup check probe; safe to delete\n".utf8)
        let put = AWSRequest(
            service: .s3, operation: "PutObject", method: "PUT", path: path,
            headers: ["Content-Type": "text/plain", "x-amz-checksum-sha256": Data(SHA256Hasher.hash(body)).base64EncodedString()],
            body: .data(body))
        do {
            _ = try await transport.send(put)
        } catch {
            let skipped = ["read the probe", "delete the probe"].map {
                Result(name: $0, status: .skipped, detail: "nothing was written to \(location)")
            }
            return [failure("upload a package", error, call: AWSCall(service: "s3", operation: "PutObject", resources: resources))] + skipped
        }
        var results = [Result(name: "upload a package", status: .passed, detail: "s3:PutObject on \(location) is allowed")]
        do {
            _ = try await transport.send(AWSRequest(service: .s3, operation: "HeadObject", method: "HEAD", path: path))
            results.append(Result(name: "read the probe", status: .passed, detail: "s3:GetObject on \(location) is allowed"))
        } catch {
            results.append(failure("read the probe", error, call: AWSCall(service: "s3", operation: "HeadObject", resources: resources)))
        }
        do {
            _ = try await transport.send(AWSRequest(service: .s3, operation: "DeleteObject", method: "DELETE", path: path))
            results.append(Result(name: "delete the probe", status: .passed, detail: "s3:DeleteObject on \(location) is allowed; the probe is gone"))
        } catch {
            var result = failure("delete the probe", error, call: AWSCall(service: "s3", operation: "DeleteObject", resources: resources))
            result.detail += "; \(location) is left behind (harmless; delete it by hand)"
            results.append(result)
        }
        return results
    }

    private func passExecutionRole() async -> Result {
        let name = "create runtimes, pass the execution role"
        let absentCode = S3CodeLocation(bucket: parameters.bucket, prefix: SetupPolicies.probePrefix + "absent-\(probeID).zip")
        let request = CreateAgentRuntimeRequest(
            agentRuntimeName: probeRuntimeName,
            configuration: AgentRuntimeConfiguration(
                agentRuntimeArtifact: .code(absentCode, runtime: "PYTHON_3_11", entryPoint: ["agent.py"]),
                roleArn: executionRoleArn,
                description: "agentcore setup check probe: its code zip does not exist; deleted at once if ever created"),
            clientToken: DeterministicClientToken.make("SetupCheck", probeID))
        var resources = AWSCall.Resources()
        resources.runtimeName = probeRuntimeName
        resources.roleArn = executionRoleArn
        resources.codeBucket = absentCode.bucket
        resources.codeKey = absentCode.prefix
        let call = AWSCall(service: "bedrock-agentcore", operation: "CreateAgentRuntime", resources: resources)
        do {
            let created = try await agentCore.createAgentRuntime(request)
            return await deleteProbeRuntime(created.agentRuntimeId, name: name)
        } catch let error as AWSError where error.code == "AccessDeniedException" || error.code == "AccessDenied" {
            return failure(name, error, call: call)
        } catch let error as AWSError where error.message.lowercased().contains("role") {
            return Result(
                name: name, status: .failed, detail: "AgentCore cannot use the execution role \(executionRoleArn): \(error.message)",
                fix: "give the execution role the trust policy `agentcore setup policies` prints (principal "
                    + "\(SetupPolicies.agentCoreService), this account and region), and set AGENTCORE_ROLE_ARN to its ARN")
        } catch let error as AWSError where (400..<500).contains(error.httpStatus) {
            return Result(
                name: name, status: .passed,
                detail: "bedrock-agentcore:CreateAgentRuntime and iam:PassRole of \(executionRoleArn) are allowed; "
                    + "AgentCore then refused the probe's missing code zip as intended (\(error.code): \(error.message))")
        } catch {
            return failure(name, error, call: call)
        }
    }

    private func deleteProbeRuntime(_ id: String, name: String) async -> Result {
        let token = DeterministicClientToken.make("SetupCheckDelete", id)
        do {
            do {
                _ = try await agentCore.deleteAgentRuntime(id: id, clientToken: token)
            } catch let error as AWSError where error.isConflict {
                // Still CREATING: AgentCore deletes a runtime only once it settled.
                try await AgentCoreWaiter(client: agentCore, policy: waitPolicy).runtimeSettled(id: id)
                _ = try await agentCore.deleteAgentRuntime(id: id, clientToken: token)
            }
            return Result(
                name: name, status: .passed,
                detail: "bedrock-agentcore:CreateAgentRuntime and iam:PassRole of \(executionRoleArn) are allowed "
                    + "(the probe runtime \(id) was created and deleted at once)")
        } catch {
            var resources = AWSCall.Resources()
            resources.runtimeId = id
            var result = failure(name, error, call: AWSCall(service: "bedrock-agentcore", operation: "DeleteAgentRuntime", resources: resources))
            result.detail += "; the probe runtime \(id) is left behind"
            result.fix = (result.fix.map { $0 + ", then " } ?? "") + "delete it with `agentcore cleanup \(id) --yes`"
            return result
        }
    }

    // MARK: Reporting

    /// A failed call told as the permission it lacks, when it was refused for one.
    private func failure(_ name: String, _ error: any Error, call: AWSCall) -> Result {
        guard let aws = error as? AWSError, aws.code == "AccessDenied" || aws.code == "AccessDeniedException" else {
            return Result(name: name, status: .failed, detail: "\(call.operation) failed: \(Self.oneLine(error))",
                          fix: "fix the cause above and run `agentcore setup check` again")
        }
        let needed = (try? IAMCallMapping(names: names).requests(for: call)) ?? []
        // AWS names the denied action in the message; S3 often says only "Access Denied".
        let named = aws.message.firstMatch(of: /perform: ([A-Za-z0-9-]+:[A-Za-z0-9]+)/).map { String($0.1) }
        let candidates = named.map { action in needed.filter { $0.action.lowercased() == action.lowercased() } } ?? needed
        var actions: [String] = []
        for request in needed where !actions.contains(request.action) { actions.append(request.action) }
        let missing = named ?? actions.joined(separator: " or ")
        let statement = candidates.lazy.compactMap { request -> PolicyStatement? in
            guard case .allowed(let sid?)? = try? PolicyEvaluator.evaluate(request, policy: policy) else { return nil }
            return policy.statement(sid)
        }.first
        return Result(
            name: name, status: .failed, detail: "\(call.operation) was denied: \(aws.message)",
            missingPermission: missing.isEmpty ? nil : missing, statementToAdd: statement,
            fix: statement == nil ? "grant the \(role.title) the permission named above" : nil)
    }

    private static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}

extension SetupCheck {
    /// The workflows run prod deploy, promotion and the sweep on `main` only; a repository whose
    /// default branch is another never runs them.
    public static func defaultBranchResult(_ repository: RepositoryIdentity) -> Result {
        let name = "default branch"
        guard repository.defaultBranch == "main" else {
            return Result(
                name: name, status: .failed,
                detail: "\(repository.fullName)'s default branch is \(repository.defaultBranch), but the workflows and the deploy "
                    + "role's trust policy deploy and promote from main only",
                fix: "rename the default branch to main (Settings → General → Default branch)")
        }
        return Result(name: name, status: .passed, detail: "\(repository.fullName)'s default branch is main, which the workflows deploy from")
    }
}
