import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct DependencyInstallerTests {
    /// uv's messages, as uv 0.13 prints them, for each kind of failure.
    static let noUsableWheels = """
        error: No solution found when resolving dependencies
          cause: Because docopt==0.6.2 has no usable wheels and you require docopt==0.6.2, we can conclude that your requirements are unsatisfiable.

        hint: Wheels are required for `docopt` because building from source is disabled for all packages (i.e., with `--no-build`)
        """
    static let noPlatformWheel = """
        error: No solution found when resolving dependencies
          cause: Because tensorflow-intel==2.15.0 has no wheels with a matching platform tag (e.g., `manylinux_2_17_aarch64`) and you require tensorflow-intel==2.15.0, we can conclude that your requirements are unsatisfiable.
        """
    static let notFound = """
        error: No solution found when resolving dependencies
          cause: Because nosuchpackage-xyz was not found in the package registry and you require nosuchpackage-xyz==1.0, we can conclude that your requirements are unsatisfiable.
        """

    @Test func uvFailuresBecomeErrorsThatNameThePackage() {
        let platforms = DependencyPlatform.agentCorePlatforms
        #expect(throws: PackagingError.noARM64Wheel(package: "docopt", platforms: platforms)) {
            try DependencyInstaller.check(.init(status: 1, stdout: "", stderr: Self.noUsableWheels), platforms: platforms)
        }
        #expect(throws: PackagingError.noARM64Wheel(package: "tensorflow-intel", platforms: platforms)) {
            try DependencyInstaller.check(.init(status: 1, stdout: "", stderr: Self.noPlatformWheel), platforms: platforms)
        }
        #expect {
            try DependencyInstaller.check(.init(status: 1, stdout: "", stderr: Self.notFound), platforms: platforms)
        } throws: { error in
            guard case PackagingError.unresolvable(let detail) = error else { return false }
            return detail.contains("nosuchpackage-xyz was not found")
        }
        #expect(throws: PackagingError.uvFailed("error: Failed to fetch")) {
            try DependencyInstaller.check(.init(status: 2, stdout: "", stderr: "error: Failed to fetch\n"), platforms: platforms)
        }
    }

    @Test func missingUVSaysHowToInstallIt() async throws {
        let tree = try TempTree()
        let requirements = try tree.file("requirements.txt", "six\n")
        let installer = DependencyInstaller(
            cacheDirectory: tree.url("cache"), toolchain: PythonToolchain(environment: ["PATH": tree.root.path]))
        await #expect(throws: PackagingError.uvMissing) {
            _ = try await installer.install(.requirements(requirements), python: .default, platform: .agentCore)
        }
        #expect(PackagingError.uvMissing.description.contains("pip install uv"))
    }

}
