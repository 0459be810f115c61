import Foundation
@testable import AgentCoreGitOps

/// Tiny pure-Python wheels made on the spot, so dependency tests need no index and no network.
enum LocalWheels {
    /// Writes `<name>-<version>-<tag>.whl` into `directory`: `<name>/__init__.py` says
    /// `VERSION = '<version>'` plus `body`; `extraFiles` adds more files (path → bytes).
    @discardableResult
    static func make(
        in directory: URL, name: String, version: String, body: String = "", tag: String = "py3-none-any",
        extraFiles: [String: Data] = [:]
    ) async throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            import base64, hashlib, json, sys, zipfile
            out, name, version, body, tag, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], json.loads(sys.argv[6])
            info = f"{name}-{version}.dist-info"
            files = {f"{name}/__init__.py": f"VERSION = {version!r}\\n{body}".encode(),
                     f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n".encode(),
                     f"{info}/WHEEL": f"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: {tag}\\n".encode()}
            files.update({path: base64.b64decode(data) for path, data in extra.items()})
            record = [f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}" for p, d in files.items()]
            files[f"{info}/RECORD"] = ("\\n".join(record + [f"{info}/RECORD,,"]) + "\\n").encode()
            path = f"{out}/{name}-{version}-{tag}.whl"
            with zipfile.ZipFile(path, "w") as z:
                for p, d in files.items():
                    z.writestr(zipfile.ZipInfo(p, (1980, 1, 1, 0, 0, 0)), d)
            print(path)
            """
        let extra = try JSONSerialization.data(withJSONObject: extraFiles.mapValues { $0.base64EncodedString() })
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            ["-c", script, directory.path, name, version, body, tag, String(decoding: extra, as: UTF8.self)])
        guard result.status == 0 else { throw PackagingError.io("could not build the test wheel: \(result.output)") }
        return URL(fileURLWithPath: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The `__init__.py` of `name` inside a package: which version was installed.
    static func installedModule(_ name: String, in archive: URL) throws -> String? {
        try ZipEntryReader(archive).read("\(name)/__init__.py").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Options for a small agent with its own cache; uv comes from PATH (the project's .venv/bin).
    static func options(agent: URL, output: URL, cache: URL, environment: [String: String] = [:]) -> PackageOptions {
        var options = PackageOptions(agentDirectory: agent, output: output, cacheDirectory: cache)
        var base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": cache.path]
        base.merge(environment) { _, new in new }
        options.environment = base
        return options
    }
}
