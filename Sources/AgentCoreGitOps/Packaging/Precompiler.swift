import Foundation

/// Compiles a package's `.py` files to bytecode with the runtime's own Python version, marked
/// unchecked-hash (PEP 552): the interpreter loads them without looking at the source's mtime,
/// which is what a read-only extracted package needs; otherwise Python compiles every imported
/// module again at each cold start because it cannot write `__pycache__` there.
///
/// The `.pyc` files are written into a separate directory (never into the agent's sources), and
/// each is added to the archive where the interpreter looks for it: `dir/__pycache__/mod.cpython-3X.pyc`.
struct Precompiler: Sendable {
    var python: URL
    var version: PythonVersion

    /// `py_compile` is what `compileall --invalidation-mode unchecked-hash` calls per file; driving
    /// it directly lets the output go to our own directory. Files that do not compile (templates,
    /// Python 2 leftovers in some wheels) are skipped, as compileall skips them.
    private static let script = """
        import json, py_compile, sys
        jobs = json.load(open(sys.argv[1]))
        failed = []
        for source, target, shown in jobs:
            try:
                py_compile.compile(source, cfile=target, dfile=shown, doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except Exception as error:
                failed.append(shown)
        print(json.dumps(failed))
        """

    /// Compiles every `.py` file among `items` into `directory` and returns the bytecode entries.
    /// When `directory` already holds a finished run (its `.complete` marker), it is reused.
    func compile(_ items: [ArchiveItem], into directory: URL) async throws -> [ArchiveItem] {
        let jobs: [(source: URL, pycPath: String, sourcePath: String)] = items.compactMap { item in
            guard case .file(let url) = item.source, item.path.hasSuffix(".py") else { return nil }
            return (url, Self.bytecodePath(for: item.path, version: version), item.path)
        }
        let marker = directory.appendingPathComponent(".complete")
        if !FileManager.default.fileExists(atPath: marker.path) {
            // Compiled beside the cache entry and renamed into place, so two builds at once
            // never see each other's half-written bytecode.
            let staging = directory.deletingLastPathComponent().appendingPathComponent(".staging-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: staging) }
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            let list = jobs.map { [$0.source.path, staging.appendingPathComponent($0.pycPath).path, $0.sourcePath] }
            let jobFile = staging.appendingPathComponent(".jobs.json")
            try JSONSerialization.data(withJSONObject: list).write(to: jobFile)
            let result = try await Subprocess.run(python, ["-c", Self.script, jobFile.path])
            guard result.status == 0 else {
                throw PackagingError.precompileFailed(Subprocess.tail(result.stderr))
            }
            try FileManager.default.removeItem(at: jobFile)
            try Data().write(to: staging.appendingPathComponent(".complete"))
            if rename(staging.path, directory.path) != 0 && !FileManager.default.fileExists(atPath: marker.path) {
                throw PackagingError.io("cannot move compiled bytecode into the cache at \(directory.path)")
            }
        }
        return jobs.compactMap { job in
            let url = directory.appendingPathComponent(job.pycPath)
            var info = stat()
            guard stat(url.path, &info) == 0 else { return nil }  // did not compile: left out, as compileall does
            return ArchiveItem(path: job.pycPath, file: url, info: info)
        }
    }

    /// A hash of the sources' paths and contents and the Python version: bytecode compiled from
    /// exactly these files can be reused.
    static func sourceKey(_ items: [ArchiveItem], version: PythonVersion) throws -> String {
        var hasher = SHA256Hasher()
        hasher.update(Data("python \(version)\n".utf8))
        for item in items {
            guard case .file(let url) = item.source else { continue }
            hasher.update(Data("\(item.path)\n".utf8))
            hasher.update(try SHA256Hasher.hash(fileAt: url))
        }
        return hasher.finalize().hexString
    }

    /// `a/b/mod.py` → `a/b/__pycache__/mod.cpython-311.pyc`, as `importlib.util.cache_from_source`.
    static func bytecodePath(for sourcePath: String, version: PythonVersion) -> String {
        let stem = String(sourcePath.dropLast(3))
        let slash = stem.lastIndex(of: "/")
        let directory = slash.map { String(stem[...$0]) } ?? ""
        let name = slash.map { String(stem[stem.index(after: $0)...]) } ?? stem
        return "\(directory)__pycache__/\(name).\(version.cacheTag).pyc"
    }
}
