import Foundation
import Testing
@testable import AgentCoreGitOps

/// The shared deploy step against the sandbox, in-process, for what the flows cannot show from
/// outside: races, and reruns after a crash at each point.
@Suite("RuntimeDeployer", .heavy, .tags(.sandbox))
struct RuntimeDeployerSandboxTests {
    /// A checkout of the small agent, over the shared sandbox.
    let fixture: FlowFixture

    init() async throws { fixture = try await FlowFixture() }

    private func build(_ fixture: FlowFixture, _ target: DeploymentTarget, greeting: String) async throws -> (PackageManifest, EnvironmentSettings) {
        try fixture.writeAgent(greeting)
        let agent = try fixture.agentSource()
        // Each build gets its own output, so concurrent deploys never share a zip file.
        let manifest = try await agent.build(for: "\(target.runtimeName)_\(abs(greeting.hashValue))", log: { _ in })
        return (manifest, try agent.runtimeSettings(for: target.role))
    }

    /// The runtime of a pull request no other test uses (so `pr_<n>` is this test's alone), with
    /// version 1 deployed.
    private func runtimeAtVersionOne() async throws -> (target: DeploymentTarget, first: RuntimeDeployment) {
        let target = DeploymentTarget.pullRequest(try await fixture.openPullRequest())
        let (package, settings) = try await build(fixture, target, greeting: "one")
        return (target, try await fixture.deployer().deploy(package, settings: settings, to: target, current: nil))
    }

    @Test("two racing runs of the same change make one version")
    func racingSameChange() async throws {
        let (target, first) = try await runtimeAtVersionOne()
        let (package, settings) = try await build(fixture, target, greeting: "two")
        let deployer = try fixture.deployer()

        async let a = deployer.deploy(package, settings: settings, to: target, current: first.runtime)
        async let b = deployer.deploy(package, settings: settings, to: target, current: first.runtime)
        let (left, right) = try await (a, b)
        #expect(left.version == "2")
        #expect(right.version == "2")
        #expect(try await fixture.versions(ofRuntime: first.runtimeID) == ["1", "2"])
        #expect(try await fixture.sha256(ofKey: "\(target.runtimeName)/v2/code.zip") == package.sha256)
    }

    @Test("racing runs of different changes each get a version, and v<k> holds version k's code")
    func racingDifferentChanges() async throws {
        let (target, first) = try await runtimeAtVersionOne()
        let (packageA, settings) = try await build(fixture, target, greeting: "A")
        let (packageB, _) = try await build(fixture, target, greeting: "B")
        let deployer = try fixture.deployer()

        async let a = deployer.deploy(packageA, settings: settings, to: target, current: first.runtime)
        async let b = deployer.deploy(packageB, settings: settings, to: target, current: first.runtime)
        let versions = try await [a.version, b.version]
        #expect(Set(versions) == ["2", "3"])
        #expect(try await fixture.versions(ofRuntime: first.runtimeID) == ["1", "2", "3"])
        for version in ["2", "3"] {
            let runtime = try await fixture.agentCore().getAgentRuntime(id: first.runtimeID, version: version)
            let key = try #require(runtime.agentRuntimeArtifact?.codeConfiguration?.code.s3?.prefix)
            #expect(try await fixture.sha256(ofKey: "\(target.runtimeName)/v\(version)/code.zip") == fixture.sha256(ofKey: key))
        }
    }

    @Test("a rerun after a crash between the update and the copy makes the copy and no version")
    func crashBeforeCopy() async throws {
        let (target, first) = try await runtimeAtVersionOne()
        let (package, settings) = try await build(fixture, target, greeting: "after the crash")
        let deployer = try fixture.deployer()

        // What the crashed run got done: the upload and the update, not the copy.
        let location = S3Location(bucket: fixture.sandbox.info.s3Bucket, key: "\(target.runtimeName)/packages/\(package.sha256).zip")
        _ = try await fixture.s3().putObject(bucket: location.bucket, key: location.key, fileURL: URL(fileURLWithPath: package.path))
        let configuration = try await deployer.configuration(for: package, at: location, settings: settings, target: target)
        _ = try await fixture.agentCore().updateAgentRuntime(
            UpdateAgentRuntimeRequest(agentRuntimeId: first.runtimeID, configuration: configuration))
        #expect(try await fixture.sha256(ofKey: "\(target.runtimeName)/v2/code.zip") == nil)

        let latest = try await fixture.agentCore().getAgentRuntime(id: first.runtimeID)
        let rerun = try await deployer.deploy(package, settings: settings, to: target, current: latest)
        #expect(rerun.version == "2")
        #expect(!rerun.changed)
        #expect(try await fixture.versions(ofRuntime: first.runtimeID) == ["1", "2"])
        #expect(try await fixture.sha256(ofKey: "\(target.runtimeName)/v2/code.zip") == package.sha256)
    }

    @Test("a rerun whose create answer was lost gets the same runtime; another change finds it by name")
    func createRepeatedOrRaced() async throws {
        let (target, first) = try await runtimeAtVersionOne()
        let (package, settings) = try await build(fixture, target, greeting: "one")
        let deployer = try fixture.deployer()

        let repeated = try await deployer.deploy(package, settings: settings, to: target, current: nil)
        #expect(repeated.runtimeID == first.runtimeID)
        #expect(repeated.version == "1")

        let (other, _) = try await build(fixture, target, greeting: "another change")
        let raced = try await deployer.deploy(other, settings: settings, to: target, current: nil)
        #expect(raced.runtimeID == first.runtimeID)
        #expect(raced.version == "2")
        #expect(try await fixture.versions(ofRuntime: first.runtimeID) == ["1", "2"])
    }

    @Test("a failed version is reported, and the next run of the same package makes a new one")
    func failedVersionRetried() async throws {
        let (target, first) = try await runtimeAtVersionOne()
        let (package, settings) = try await build(fixture, target, greeting: "fails once")
        try await fixture.sandbox.awsControl("POST", "/_sandbox/fail-next", json: [
            "operation": "UpdateAgentRuntime", "name_contains": target.runtimeName, "failure_reason": "the agent crashed on start",
        ])
        let deployer = try fixture.deployer()
        let error = try await #require(throws: ActionableError.self) {
            try await deployer.deploy(package, settings: settings, to: target, current: first.runtime)
        }
        #expect(error.problem.contains("the agent crashed on start"))

        let latest = try await fixture.agentCore().getAgentRuntime(id: first.runtimeID)
        #expect(latest.status == .updateFailed)
        let retried = try await deployer.deploy(package, settings: settings, to: target, current: latest)
        #expect(retried.version == "3")
        #expect(retried.runtime.status == .ready)
    }
}
