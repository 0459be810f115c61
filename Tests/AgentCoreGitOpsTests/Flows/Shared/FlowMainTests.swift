import Foundation
import Testing
@testable import AgentCoreGitOps

/// The one entry pattern of the workflow executables.
@Suite struct FlowMainTests {
    @Test("--help prints the flow's usage and runs nothing; a run without settings fails with status 1")
    func helpAndExitStatus() async {
        #expect(PRDeployFlow.usage.hasPrefix("usage: pr-deploy\n"))
        #expect(ProdDeployFlow.usage.hasPrefix("usage: prod-deploy\n"))
        #expect(ProdPromoteFlow.usage.hasPrefix("usage: prod-promote\n"))
        // An empty environment fails every flow, so status 0 means nothing ran.
        #expect(await FlowMain.run(PRDeployFlow.self, arguments: ["pr-deploy", "--help"], environment: [:]) == 0)
        #expect(await FlowMain.run(ProdDeployFlow.self, arguments: ["prod-deploy", "-h"], environment: [:]) == 0)
        #expect(await FlowMain.run(ProdPromoteFlow.self, arguments: ["prod-promote", "--help"], environment: [:]) == 0)
        #expect(await FlowMain.run(ProdPromoteFlow.self, arguments: ["prod-promote"], environment: [:]) == 1)
    }
}
