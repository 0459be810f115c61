import Foundation

/// Everything that can stop a package build, each with the problem and what to do about it.
public enum PackagingError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case unsafePath(String)
    case symlinkOutsideTree(link: String, target: String)
    case brokenSymlink(String)
    case duplicateEntry(String)
    case unreadable(path: String, reason: String)
    case missingEntryPoint(String)
    case tooLarge(what: String, bytes: Int64, limit: Int64, largest: [SizeContributor])
    case beyondZipLimits(String)
    case compressionFailed(String)
    case invalidPythonVersion(String)
    case pythonNotFound(version: String, detail: String)
    case uvMissing
    case noARM64Wheel(package: String, platforms: [String])
    case unresolvable(String)
    case uvFailed(String)
    case unreadableResolution(String)
    case invalidUVConfig(path: String, reason: String)
    case wrongPlatformCode(files: [String], python: String)
    case precompileFailed(String)
    case bootFailed(String)
    case io(String)

    public var description: String {
        switch self {
        case .unsafePath(let path):
            return "refusing archive path '\(path)': absolute paths, '..', '.', empty components and backslashes could escape the extraction directory"
        case .symlinkOutsideTree(let link, let target):
            return "refusing symlink '\(link)' -> '\(target)': it points outside the packaged directory; copy the file in instead"
        case .brokenSymlink(let link):
            return "symlink '\(link)' points to nothing; remove it or fix its target"
        case .duplicateEntry(let path):
            return "two sources both provide '\(path)' (for example the agent directory and a dependency); rename one of them"
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .missingEntryPoint(let entry):
            return "the entry point '\(entry)' is not at the root of the package; put it at the top of the agent directory or pass --entry-point"
        case .tooLarge(let what, let bytes, let limit, let largest):
            let list = largest.map { "  \($0.name): \(formatBytes($0.bytes))" }.joined(separator: "\n")
            return "the package is \(formatBytes(bytes)) \(what), over AgentCore's \(formatBytes(limit)) limit; drop dependencies you do not use. Largest contributors:\n\(list)"
        case .beyondZipLimits(let detail):
            return "the archive would need Zip64 (\(detail)); AgentCore packages are far smaller, so this is refused"
        case .compressionFailed(let detail):
            return "zlib failed: \(detail)"
        case .invalidPythonVersion(let text):
            return "'\(text)' is not a Python version AgentCore runs; use one of 3.10, 3.11, 3.12, 3.13, 3.14"
        case .pythonNotFound(let version, let detail):
            return "Python \(version) is not installed here (\(detail)); install python\(version) (apt, pyenv, or `uv python install \(version)` where uv can download), or choose another --python-version"
        case .uvMissing:
            return "uv was not found on PATH; install it with `pip install uv` (or see https://docs.astral.sh/uv/)"
        case .noARM64Wheel(let package, let platforms):
            return "'\(package)' has no ARM64 Linux wheel for \(platforms.joined(separator: ", ")); AgentCore cannot build from source, so choose a version with aarch64 manylinux wheels or drop the package"
        case .unresolvable(let detail):
            return "the requirements do not resolve: \(detail); check the names and versions in requirements.txt"
        case .uvFailed(let detail):
            return "uv failed: \(detail)"
        case .unreadableResolution(let detail):
            return "cannot read uv's resolution: \(detail); check that uv is the version this tool is tested with (see sandbox/requirements.txt)"
        case .invalidUVConfig(let path, let reason):
            return "the uv configuration '\(path)' \(reason); name a uv.toml file inside the agent directory (uvConfig in agentcore.json, --uv-config), or remove the setting to run uv without configuration"
        case .wrongPlatformCode(let files, let python):
            let shown = files.prefix(10).map { "  \($0)" }.joined(separator: "\n")
            let more = files.count > 10 ? "\n  … and \(files.count - 10) more" : ""
            return "the package holds native code that cannot run on AgentCore (ARM64 Linux, Python \(python)):\n\(shown)\(more)\n"
                + "use dependency versions with aarch64 manylinux wheels for Python \(python) (or pure-Python ones), and keep binaries for other machines out of the agent directory (list them in .agentcoreignore)"
        case .precompileFailed(let detail):
            return "precompiling bytecode failed: \(detail)"
        case .bootFailed(let detail):
            return "start-up check failed: \(detail)"
        case .io(let detail):
            return detail
        }
    }

    public var errorDescription: String? { description }
}

/// A top-level directory or file of the package and how many bytes it adds.
public struct SizeContributor: Equatable, Sendable, Codable {
    public var name: String
    public var bytes: Int64
}

func formatBytes(_ bytes: Int64) -> String {
    let mb = Double(bytes) / 1_000_000
    return mb >= 1 ? String(format: "%.1f MB", mb) : "\(bytes) bytes"
}
