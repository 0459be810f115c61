import Foundation
import Testing
@testable import AgentCoreGitOps

/// The workflows hand each executable the repository variables it reads: a name that does not
/// reach it falls back to its default, and a pull request's plan (or a deployment issue's) would
/// then compare with a runtime or endpoint other than the one that serves production.
@Suite struct WorkflowVariablesTests {
    @Test(arguments: ["pr-deploy.yml", "prod-deploy.yml", "prod-promote.yml"])
    func theProdNamesReachEveryFlowThatReadsProd(_ workflow: String) throws {
        let text = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent(".github/workflows/\(workflow)"), encoding: .utf8)
        for name in ["AGENTCORE_PROD_RUNTIME", "AGENTCORE_PROD_ENDPOINT"] {
            #expect(text.contains("\(name): ${{ vars.\(name) }}"), "\(workflow) does not pass \(name) to its step")
        }
    }
}
