import Foundation
import Testing

/// `scripts/demo`, the README's first command, tells the whole pull-request-to-production story
/// against sandboxes of its own. Here it does so twice with a fifth of the executables' AWS
/// and GitHub requests failing or slowed: every run must converge (failed steps re-run, as a
/// person would), end in the expected state, and leave no duplicates and no PR runtimes behind.
@Suite("scripts/demo", .heavy, .tags(.sandbox, .process))
struct DemoSandboxTests {
    @Test("two faulty runs of the story converge with no duplicates")
    func faultyRunsConverge() async throws {
        let result = try await runProcess(
            RepositoryPaths.root.appendingPathComponent("scripts/demo"),
            ["--runs", "2", "--jobs", "2", "--fault-rate", "0.2", "--seed", "1", "--bin-path", RepositoryPaths.products.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("runs:               2 (2 ok, 0 failed)"), "\(result.stdout)")
        #expect(result.stdout.contains("duplicates found:   0"), "\(result.stdout)")
        #expect(result.stdout.contains("AWS faults:") && !result.stdout.contains("AWS faults:         0 of"),
                "no AWS fault was injected: \(result.stdout)")
    }
}
