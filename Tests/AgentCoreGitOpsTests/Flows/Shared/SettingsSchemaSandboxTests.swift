import Foundation
import Testing
@testable import AgentCoreGitOps

/// prod-deploy run as a process against a sandbox of the test's own, whose request log only this
/// test writes to.
extension SettingsSchemaTests {
    @Test("each invalid value fails prod-deploy before any AWS call, naming the field", .heavy, .tags(.sandbox, .process))
    func refusedBeforeAnyAWSCall() async throws {
        let sandbox = try await Sandbox.launch()
        defer { sandbox.stop() }
        let fixture = try await FlowFixture(sandbox: sandbox)
        try await sandbox.awsControl("DELETE", "/_sandbox/requests")
        for (json, field) in Self.invalid {
            try fixture.checkout.file("agent/agentcore.json", json)
            let run = try await fixture.prodDeploy(after: FlowFixture.sha())
            #expect(!run.succeeded)
            #expect(run.process.output.contains("agentcore.json: \(field)"), "\(field): \(run.process.output.suffix(400))")
        }
        let requests = try await sandbox.loggedRequests()
        #expect(requests.filter(\.isMutating).isEmpty, "refused deploys changed something: \(requests.map(\.path))")
    }
}
