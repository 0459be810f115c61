import Foundation
@testable import AgentCoreGitOps

/// A scratch directory for one test, removed when the test is done with it.
final class TempTree: @unchecked Sendable {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("pkgtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    @discardableResult
    func file(_ path: String, _ text: String, mode: Int? = nil) throws -> URL {
        try data(path, Data(text.utf8), mode: mode)
    }

    @discardableResult
    func data(_ path: String, _ bytes: Data, mode: Int? = nil) throws -> URL {
        let url = url(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try bytes.write(to: url)
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path) }
        return url
    }

    func directory(_ path: String, mode: Int? = nil) throws {
        try FileManager.default.createDirectory(at: url(path), withIntermediateDirectories: true)
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url(path).path) }
    }

    func symlink(_ path: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url(path).path, withDestinationPath: destination)
    }
}

/// Reads archives back with the tools a user (or AgentCore) would use.
enum ArchiveInspector {
    static func tool(_ name: String) -> URL { URL(fileURLWithPath: "/usr/bin/\(name)") }

    /// One row per entry from Python's zipfile: name, Unix mode, creator system, flags, method,
    /// date_time and whether the bytes read back match the stored CRC.
    struct Entry: Decodable, Equatable {
        var name: String
        var mode: Int
        var system: Int
        var flags: Int
        var method: Int
        var dateTime: [Int]
        var size: Int
    }

    static func pythonEntries(_ archive: URL) async throws -> [Entry] {
        let script = """
            import json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None
                print(json.dumps([{"name": i.filename, "mode": i.external_attr >> 16, "system": i.create_system,
                    "flags": i.flag_bits, "method": i.compress_type, "dateTime": list(i.date_time),
                    "size": i.file_size} for i in z.infolist()]))
            """
        let result = try await runProcess(tool("python3"), ["-c", script, archive.path])
        guard result.status == 0 else { throw PackagingError.io("zipfile could not read \(archive.path): \(result.stderr)") }
        return try JSONDecoder().decode([Entry].self, from: Data(result.stdout.utf8))
    }

    /// The text of one entry, as Python's zipfile reads it.
    static func pythonText(_ archive: URL, entry: String) async throws -> String {
        let script = "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())"
        let result = try await runProcess(tool("python3"), ["-c", script, archive.path, entry])
        guard result.status == 0 else { throw PackagingError.io("zipfile could not read \(entry) from \(archive.path): \(result.stderr)") }
        return result.stdout
    }
}

/// The package root's cache, shared by every test run so dependencies are installed once.
enum TestCache {
    static let directory = RepositoryPaths.root.appendingPathComponent(".cache/agentcore")
}
