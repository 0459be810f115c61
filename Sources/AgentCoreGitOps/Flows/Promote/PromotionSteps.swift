import Foundation

/// The steps an approval and a rollback share: the checks of who asked, which runtime and which
/// version (each failure a refusal that changes nothing), then moving the prod endpoint.
struct PromotionSteps: Sendable {
    let context: FlowContext

    var settings: DeploymentSettings { context.settings }
    var repository: String { context.github.repository.description }
    /// The workflow run (`GITHUB_RUN_ID`), which a rerun keeps: comments keyed by it are written once per run.
    var runID: String? { context.environment["GITHUB_RUN_ID"].flatMap { $0.isEmpty ? nil : $0 } }

    var mover: ProdEndpointMover {
        ProdEndpointMover(
            agentCore: context.agentCore, waiter: context.waiter, endpointName: settings.prodEndpointName,
            log: context.reporter.info)
    }

    /// Points the prod endpoint at `version`, in a log group of its own, holding the prod lease
    /// so no other approval, rollback or hand-run CLI command changes it at the same time.
    /// `beforeChange` checks the version it is about to replace, read after every wait.
    func moveProdEndpoint(
        _ runtime: AgentRuntime, to version: String, purpose: String,
        beforeChange: @Sendable (_ liveVersion: String?) async throws -> Void = { _ in }
    ) async throws -> EndpointMove {
        try await context.reporter.group("Point \(settings.prodEndpointName) at version \(version)") {
            try await prodLease(purpose: purpose).withLease {
                try await mover.move(runtimeID: runtime.agentRuntimeId, to: version, beforeChange: beforeChange)
            }
        }
    }

    /// Runs `record` holding the prod lease, and only while prod still serves `version`: a run that
    /// records after another run moved prod on would make GitHub show a version prod no longer serves.
    func whileProdServes(
        _ version: String, of runtime: AgentRuntime, purpose: String, _ record: @Sendable () async throws -> Void
    ) async throws {
        try await prodLease(purpose: purpose).withLease {
            let live = try await mover.liveVersion(runtimeID: runtime.agentRuntimeId)
            guard live == version else {
                context.reporter.info("prod serves version \(live ?? "none") now, not \(version): the run that moved it records that")
                return
            }
            try await record()
        }
    }

    func prodLease(purpose: String) -> S3Lease {
        var lease = S3Lease(
            s3: context.s3, location: ProdLease.location(bucket: settings.bucket, runtimeName: settings.prodRuntimeName,
                                                         endpointName: settings.prodEndpointName),
            holder: LeaseHolder.current(environment: context.environment, purpose: purpose))
        lease.log = context.reporter.info
        return lease
    }

    /// The records of what each prod version was built from.
    var records: DeploymentRecords {
        DeploymentRecords(s3: context.s3, bucket: settings.bucket, runtimeName: settings.prodRuntimeName)
    }

    /// Hex SHA-256 of the code a version runs, as S3 recorded it for the artifact; nil when the
    /// artifact is not a code zip or S3 keeps no checksum for it.
    func artifactSHA256(of runtime: AgentRuntime, version: String) async throws -> String? {
        let found = try await context.agentCore.getAgentRuntime(id: runtime.agentRuntimeId, version: version)
        guard let code = found.agentRuntimeArtifact?.codeConfiguration?.code.s3,
              let checksum = try await context.s3.headObject(bucket: code.bucket, key: code.prefix)?.checksumSHA256,
              !checksum.contains("-"), let digest = Data(base64Encoded: checksum)
        else { return nil }
        return digest.hexString
    }

    // MARK: Checks

    /// Who asked: the event's sender and, on a rerun, the person who pressed re-run
    /// (`GITHUB_TRIGGERING_ACTOR`; GitHub keeps the original sender in a rerun's payload). Each
    /// must be a person with the approver permission: bots and apps never authorize a move.
    func requireAuthorizedPeople(sender: GitHubUser, action: String) async throws -> String {
        let role = try await requireApprover(sender, action: action)
        var who = "@\(sender.login) (\(role))"
        if let trigger = context.environment["GITHUB_TRIGGERING_ACTOR"], !trigger.isEmpty,
           trigger.lowercased() != sender.login.lowercased() {
            let triggerRole = try await requireApprover(GitHubUser(login: trigger), action: action + " (re-running this run)")
            who += ", re-run by @\(trigger) (\(triggerRole))"
        }
        return who
    }

    /// The user's exact role, when they are a person whose role reaches the approver permission.
    private func requireApprover(_ user: GitHubUser, action: String) async throws -> String {
        let login = user.login
        if user.type == "Bot" || login.lowercased().hasSuffix("[bot]") {
            throw ActionableError.refusal(
                "@\(login) is a bot or app account, and \(action) must come from a person",
                fix: "ask someone with \(settings.approverPermission.rawValue) access (or more) to do it themselves")
        }
        return try await requireApprover(login, action: action)
    }

    /// The login's exact role, when it reaches the configured approver permission.
    private func requireApprover(_ login: String, action: String) async throws -> String {
        let role: String
        do {
            let permission = try await context.github.permission(of: login)
            role = permission.roleName ?? permission.permission
        } catch let error as GitHubError where error.apiFailure?.isNotFound == true {
            role = "none"
        }
        guard settings.approverPermission.isSatisfied(byRole: role) else {
            throw ActionableError.refusal(
                "@\(login) has the \(role) role on \(repository), but \(action) needs at least \(settings.approverPermission.rawValue)",
                fix: "ask someone with \(settings.approverPermission.rawValue) access (or more) to do it")
        }
        return role
    }

    /// The prod runtime with this id: named as configured and tagged as this repository's prod.
    func prodRuntime(id: String) async throws -> AgentRuntime {
        let runtime: AgentRuntime
        do {
            runtime = try await context.agentCore.getAgentRuntime(id: id)
        } catch let error as AWSError where error.isNotFound {
            throw ActionableError.refusal(
                "the runtime \(id) named in the deployment metadata does not exist",
                fix: "promote a newer deployment issue, or roll back by hand to a version of \(settings.prodRuntimeName)")
        }
        try await requireOurProd(runtime)
        return runtime
    }

    /// The prod runtime found by its configured name.
    func prodRuntimeByName() async throws -> AgentRuntime {
        guard let summary = try await context.agentCore.findRuntime(named: settings.prodRuntimeName) else {
            throw ActionableError.refusal(
                "there is no runtime named \(settings.prodRuntimeName)",
                fix: "merge to main first so prod-deploy creates it, or set AGENTCORE_PROD_RUNTIME to its name")
        }
        let runtime = try await context.agentCore.getAgentRuntime(id: summary.agentRuntimeId)
        try await requireOurProd(runtime)
        return runtime
    }

    private func requireOurProd(_ runtime: AgentRuntime) async throws {
        guard runtime.agentRuntimeName == settings.prodRuntimeName else {
            throw ActionableError.refusal(
                "the runtime \(runtime.agentRuntimeId) is named \(runtime.agentRuntimeName), not \(settings.prodRuntimeName), the prod runtime",
                fix: "only versions of \(settings.prodRuntimeName) can be promoted; check the deployment issue was written by prod-deploy")
        }
        guard let owner = RuntimeOwnership.owner(fromDescription: runtime.description), owner.role == .production,
              try await context.owningRepository.owns(owner)
        else {
            throw ActionableError.refusal(
                "the runtime \(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) is not tagged as the prod runtime of \(repository)",
                fix: "another repository or a person owns it: set AGENTCORE_PROD_RUNTIME to this repository's own prod runtime")
        }
    }

    /// Fails unless `version` of the runtime exists and is READY; waits while it is still being made.
    func requireReadyVersion(_ version: String, of runtime: AgentRuntime) async throws {
        let name = runtime.agentRuntimeName
        do {
            let found = try await context.agentCore.getAgentRuntime(id: runtime.agentRuntimeId, version: version)
            if found.status == .creating || found.status == .updating {
                context.reporter.info("Version \(version) of \(name) is \(found.status); waiting until it is READY")
                try await context.waiter.runtimeReady(id: runtime.agentRuntimeId, version: version)
            } else if found.status != .ready {
                throw ActionableError.refusal(
                    "version \(version) of \(name) is \(found.status)" + (found.failureReason.map { ": \($0)" } ?? ""),
                    fix: "fix the deployment and merge again, then approve the new deployment issue")
            }
        } catch let error as AWSError where error.isNotFound {
            throw ActionableError.refusal(
                "\(name) has no version \(version)", fix: "pick an existing version of \(name)")
        } catch let error as WaiterError {
            guard case .failed = error.kind else { throw error }
            throw ActionableError.refusal(error.problem, fix: "fix the deployment and merge again, then approve the new deployment issue")
        }
    }

    /// The pull-request runtime the metadata names, when it is one this tool may delete: named
    /// `pr_<n>` (matching PR_NUMBER when given) and, while it exists, tagged for this repository's PR n.
    func deletablePRRuntime(in metadata: DeploymentMetadata) async throws -> PRRuntimeReference? {
        guard let runtimeID = metadata.prRuntimeID else { return nil }
        let tamper = "fix the deployment issue's metadata or close it; prod-deploy writes a pr_<number> runtime of this repository"
        guard let name = MarkerValue.runtimeName(ofRuntimeID: runtimeID),
              let number = RuntimeOwnership.pullRequestNumber(ofRuntimeName: name)
        else {
            throw ActionableError.refusal("PR_RUNTIME_ID \(runtimeID) is not a pull-request runtime (pr_<number>)", fix: tamper)
        }
        if let expected = metadata.prNumber, expected != number {
            throw ActionableError.refusal("PR_RUNTIME_ID \(runtimeID) belongs to PR \(number), but PR_NUMBER is \(expected)", fix: tamper)
        }
        do {
            let runtime = try await context.agentCore.getAgentRuntime(id: runtimeID)
            guard runtime.agentRuntimeName == name,
                  try await context.owningRepository.deletablePullRequest(
                    name: runtime.agentRuntimeName, description: runtime.description) == number
            else {
                throw ActionableError.refusal(
                    "the runtime \(runtimeID) is not tagged as the runtime of PR \(number) of \(repository), so it will not be deleted",
                    fix: tamper)
            }
        } catch let error as AWSError where error.isNotFound {
            // Already deleted (the PR was closed, a sweep ran, or this is a rerun): nothing to clean up.
        }
        return PRRuntimeReference(runtimeID: runtimeID, pullRequest: number)
    }
}
