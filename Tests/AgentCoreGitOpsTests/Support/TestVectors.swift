import Foundation
import Testing

/// Third-party test vectors (the AWS SigV4 suite, GitHub's recorded API exchanges and webhook
/// payloads) are never copied into the repository: they sit in `../shared/test-vectors/` beside the
/// checkout. `AGENTCORE_TEST_VECTORS` names another directory (a relative one counts from the
/// package root), or is `skip` where there are none, as in the project's own GitHub workflow: tests
/// marked `.readsTestVectors` are then skipped, saying why. Otherwise a missing vector fails its
/// test with `TestVectorsMissing`, which says where the vectors belong and the ways forward.
enum TestVectors {
    static let variable = "AGENTCORE_TEST_VECTORS"
    private static let setting = ProcessInfo.processInfo.environment[variable] ?? ""
    static let isSkipped = setting == "skip"

    static let directory: URL = {
        let path = setting.isEmpty || isSkipped ? "../shared/test-vectors" : setting
        return URL(fileURLWithPath: path, relativeTo: RepositoryPaths.root).standardizedFileURL
    }()

    /// A file or folder of the vectors, e.g. `github-webhooks/push.json`.
    static func url(_ relativePath: String) throws -> URL {
        let url = directory.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TestVectorsMissing(path: url.path, setting: setting)
        }
        return url
    }
}

struct TestVectorsMissing: Error, CustomStringConvertible {
    let path: String
    /// The value of `AGENTCORE_TEST_VECTORS`, empty when it is not set.
    let setting: String

    var description: String {
        let variable = TestVectors.variable
        let place = setting.isEmpty ? "the default place, as \(variable) is not set" : "\(variable)=\(setting)"
        return "third-party test vectors are missing: \(path) does not exist (\(place)). "
            + "They are never copied into the repository: put them (sigv4/, github-api/, github-webhooks/) in "
            + "../shared/test-vectors/ beside the checkout, set \(variable)=/path/to/test-vectors to use "
            + "another copy, or set \(variable)=skip to skip the tests that read them."
    }
}

extension Trait where Self == ConditionTrait {
    /// For a test or suite that reads the vectors: skipped, with the reason, under `AGENTCORE_TEST_VECTORS=skip`.
    static var readsTestVectors: Self {
        .enabled(if: !TestVectors.isSkipped, "AGENTCORE_TEST_VECTORS=skip: this test reads third-party test vectors")
    }
}
