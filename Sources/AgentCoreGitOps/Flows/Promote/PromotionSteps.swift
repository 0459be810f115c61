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

    /// Points the prod endpoint at `version`, in a log group of its own.
    func moveProdEndpoint(_ runtime: AgentRuntime, to version: String) async throws -> EndpointMove {
        try await context.reporter.group("Point \(settings.prodEndpointName) at version \(version)") {
            try await mover.move(runtimeID: runtime.agentRuntimeId, to: version)
        }
    }

    // MARK: Checks

    /// The sender's exact role, when it reaches the configured approver permission.
    func requireApprover(_ login: String, action: String) async throws -> String {
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
        try requireOurProd(runtime)
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
        try requireOurProd(runtime)
        return runtime
    }

    private func requireOurProd(_ runtime: AgentRuntime) throws {
        guard runtime.agentRuntimeName == settings.prodRuntimeName else {
            throw ActionableError.refusal(
                "the runtime \(runtime.agentRuntimeId) is named \(runtime.agentRuntimeName), not \(settings.prodRuntimeName), the prod runtime",
                fix: "only versions of \(settings.prodRuntimeName) can be promoted; check the deployment issue was written by prod-deploy")
        }
        guard let owner = RuntimeOwnership.owner(fromDescription: runtime.description),
              owner.repository.lowercased() == repository.lowercased(), owner.role == .production
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
                  RuntimeOwnership.deletablePullRequest(
                    name: runtime.agentRuntimeName, description: runtime.description, repository: repository) == number
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
