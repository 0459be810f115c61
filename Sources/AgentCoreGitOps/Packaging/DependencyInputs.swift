import Foundation

/// Where the dependency set is declared.
public enum DependencySource: Sendable, Equatable {
    /// A requirements file (pip syntax; `-r`, `-c`, `-f`, index options and local paths allowed).
    case requirements(URL)
    /// uv's project lock, exported (with the `pyproject.toml` beside it) to pinned requirements.
    case uvLock(URL)

    /// `uv.lock` by name is the lock; any other file is a requirements file.
    public init(file: URL) {
        self = file.lastPathComponent == "uv.lock" ? .uvLock(file) : .requirements(file)
    }

    public var file: URL {
        switch self {
        case .requirements(let file), .uvLock(let file): return file
        }
    }

    /// uv runs here, so relative paths in the requirements mean what they mean to a user in that directory.
    var workingDirectory: URL { file.deletingLastPathComponent() }
}

/// Everything that decides which distributions uv resolves, hashed into one key: the requirement
/// files (following `-r` and `-c`), local wheels, archives and `--find-links` directories (by
/// content), the uv configuration named in the settings (and local paths it names), the `UV_*` and
/// `PIP_*` variables, the uv version, the Python version and the platform. The index's own
/// contents are not part of it: pin versions (or use `uv.lock`) to make a resolution repeatable.
struct DependencyInputs {
    var key: String
    /// The files that declare the set (requirements, constraints, lock, configuration), absolute
    /// paths in the order read; local wheels and find-links directories are hashed but not listed.
    var files: [String]
    /// The environment uv gets: ours, minus the configuration variables the settings replace.
    var environment: [String: String]

    /// Variables that change how uv works but never what it installs; left out of the key so a
    /// cache directory or a timeout does not cost a new resolution.
    static let variablesWithoutEffect: Set<String> = [
        "UV_CACHE_DIR", "UV_NO_CACHE", "UV_NO_PROGRESS", "UV_CONCURRENT_DOWNLOADS", "UV_CONCURRENT_BUILDS",
        "UV_CONCURRENT_INSTALLS", "UV_HTTP_TIMEOUT", "UV_REQUEST_TIMEOUT", "UV_HTTP_RETRIES", "UV_LINK_MODE",
        "UV_NO_WRAP", "UV_LOG_CONTEXT", "UV_PYTHON_DOWNLOADS",
    ]
    /// The configuration comes from the agent's settings only (`uvConfig`), never from these.
    static let configurationVariables: Set<String> = ["UV_CONFIG_FILE", "UV_NO_CONFIG"]

    static func collect(
        source: DependencySource, configFile: URL?, environment: [String: String], uvVersion: String,
        python: PythonVersion, platform: DependencyPlatform
    ) throws -> DependencyInputs {
        var collector = Collector(environment: environment, workingDirectory: source.workingDirectory)
        collector.line("agentcore-resolution 2")
        collector.line("uv \(uvVersion)")
        collector.line("python \(python)")
        switch platform {
        case .agentCore: collector.line("platform aarch64-manylinux")
        case .host(let interpreter): collector.line("platform host \(DependencyInstaller.machine()) \(interpreter.path)")
        }
        switch source {
        case .requirements(let file):
            try collector.requirementsFile(file)
        case .uvLock(let lock):
            try collector.file(lock, role: "uv.lock")
            collector.scanForLocalPaths(in: try String(contentsOf: lock, encoding: .utf8), relativeTo: lock.deletingLastPathComponent(),
                                        keys: ["registry", "path", "directory", "editable", "virtual"])
            let project = lock.deletingLastPathComponent().appendingPathComponent("pyproject.toml")
            guard FileManager.default.fileExists(atPath: project.path) else {
                throw PackagingError.unreadable(
                    path: project.path, reason: "uv.lock needs the pyproject.toml it was made from beside it; add it, or use a requirements.txt")
            }
            try collector.file(project, role: "pyproject")
            collector.scanForLocalPaths(in: try String(contentsOf: project, encoding: .utf8), relativeTo: project.deletingLastPathComponent())
        }
        if let configFile {
            try collector.file(configFile, role: "uv config")
            collector.scanForLocalPaths(in: try String(contentsOf: configFile, encoding: .utf8), relativeTo: configFile.deletingLastPathComponent())
        }
        var passed = environment
        for name in configurationVariables { passed[name] = nil }
        for name in environment.keys.sorted() where (name.hasPrefix("UV_") || name.hasPrefix("PIP_"))
            && !variablesWithoutEffect.contains(name) && !configurationVariables.contains(name) {
            // Hashed, never written out: index URLs may carry credentials.
            collector.line("env \(name) \(SHA256Hasher.hash(Data(environment[name]!.utf8)).hexString)")
        }
        // Values of `UV_FIND_LINKS` and index variables may be local directories.
        for name in ["UV_FIND_LINKS", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_INDEX", "UV_DEFAULT_INDEX"] {
            for value in (environment[name] ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                collector.localPath(String(value), relativeTo: source.workingDirectory, role: "env \(name)")
            }
        }
        return DependencyInputs(key: collector.finish(), files: collector.files, environment: passed)
    }

    /// Accumulates the key's material, one labelled line per input.
    private struct Collector {
        let environment: [String: String]
        let workingDirectory: URL
        var hasher = Hasher256()
        var files: [String] = []
        private var visited: Set<String> = []

        init(environment: [String: String], workingDirectory: URL) {
            self.environment = environment
            self.workingDirectory = workingDirectory
        }

        mutating func line(_ text: String) { hasher.update(text + "\n") }

        mutating func finish() -> String { hasher.finish() }

        /// A file's path and content.
        mutating func file(_ url: URL, role: String) throws {
            guard let data = try? Data(contentsOf: url) else {
                throw PackagingError.unreadable(path: url.path, reason: "\(role) file not found")
            }
            files.append(url.standardizedFileURL.path)
            line("\(role) \(url.standardizedFileURL.path) \(SHA256Hasher.hash(data).hexString)")
        }

        /// A requirements file and everything it pulls in.
        mutating func requirementsFile(_ url: URL) throws {
            let path = url.standardizedFileURL.path
            guard visited.insert(path).inserted else { return }  // pip allows cycles; so do we
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw PackagingError.unreadable(path: url.path, reason: files.isEmpty
                    ? "requirements file not found" : "requirements file not found (pulled in with -r or -c)")
            }
            try file(url, role: "requirements")
            let directory = url.deletingLastPathComponent()
            // `${NAME}` is expanded by uv from the environment.
            for match in text.matches(of: /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/) {
                let name = String(match.1)
                line("expands \(name) \(SHA256Hasher.hash(Data((environment[name] ?? "").utf8)).hexString)")
            }
            var tokens = Self.tokens(of: text)[...]
            while let token = tokens.popFirst() {
                if let (option, inline) = Self.option(token) {
                    // Flags such as --no-index take no value: the next word is not theirs.
                    guard inline != nil || Self.optionsWithValues.contains(option) else { continue }
                    let value = inline ?? tokens.popFirst() ?? ""
                    switch option {
                    case "-r", "--requirement", "-c", "--constraint", "--constraints":
                        if !value.contains("://") { try requirementsFile(Self.resolve(value, in: directory)) }
                    case "-f", "--find-links", "-i", "--index-url", "--extra-index-url", "--index", "--default-index", "-e", "--editable":
                        localPath(value, relativeTo: directory, role: option)
                        localPath(value, relativeTo: workingDirectory, role: option)
                    default:
                        break
                    }
                } else if Self.looksLikePath(token) {
                    // Direct paths are relative to uv's working directory; list both to be safe.
                    localPath(token, relativeTo: workingDirectory, role: "path")
                    localPath(token, relativeTo: directory, role: "path")
                }
            }
        }

        /// Hashes a local file or directory named by `value`, if it is one.
        mutating func localPath(_ value: String, relativeTo base: URL, role: String) {
            var text = value
            if let at = text.range(of: "@ ") { text = String(text[at.upperBound...]) }
            if text.hasPrefix("file://") { text = URL(string: text)?.path ?? String(text.dropFirst(7)) }
            else if text.contains("://") { return }
            if text.hasPrefix("~/"), let home = environment["HOME"] { text = home + text.dropFirst(1) }
            guard !text.isEmpty else { return }
            let url = Self.resolve(text, in: base)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
            line("\(role) \(url.path) \(isDirectory.boolValue ? Self.treeHash(url) : Self.contentHash(url))")
        }

        /// Every quoted string in a TOML file that names an existing local path (find-links
        /// directories, local indexes and wheels); with `keys`, only values of those keys.
        mutating func scanForLocalPaths(in text: String, relativeTo base: URL, keys: Set<String>? = nil) {
            for match in text.matches(of: /([A-Za-z0-9_-]+)?\s*=?\s*"([^"\n]+)"/) {
                if let keys, !keys.contains(match.1.map(String.init) ?? "") { continue }
                let value = String(match.2)
                guard value.hasPrefix("file:") || !value.contains(":"), value.count < 1024 else { continue }
                localPath(value, relativeTo: base, role: "config path")
            }
        }

        static func resolve(_ path: String, in directory: URL) -> URL {
            (path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)).standardizedFileURL
        }

        /// pip's rule: a requirement is a path when it has a separator, starts with a dot or is an archive.
        static func looksLikePath(_ token: String) -> Bool {
            if token.hasPrefix("file:") || token.hasPrefix("./") || token.hasPrefix("../") || token.hasPrefix("/") || token.hasPrefix("~") {
                return true
            }
            if token.contains("://") || token.hasPrefix("--hash") { return false }
            return [".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"].contains { token.hasSuffix($0) } || token.contains("/")
        }

        /// The options of a requirements file that take a value (pip's and uv's).
        static let optionsWithValues: Set<String> = [
            "-r", "--requirement", "-c", "--constraint", "--constraints", "-f", "--find-links", "-i", "--index-url",
            "--extra-index-url", "--index", "--default-index", "-e", "--editable", "--hash", "--trusted-host",
            "--no-binary", "--only-binary", "--config-settings", "--global-option", "--use-feature",
        ]

        /// `-r x`, `-rx`, `--requirement=x`, `--requirement x`: the option and its inline value.
        static func option(_ token: String) -> (String, String?)? {
            guard token.hasPrefix("-") else { return nil }
            if token.hasPrefix("--") {
                if let equals = token.firstIndex(of: "=") {
                    return (String(token[..<equals]), String(token[token.index(after: equals)...]))
                }
                return (token, nil)
            }
            let short = String(token.prefix(2))
            return (short, token.count > 2 ? String(token.dropFirst(2)) : nil)
        }

        /// Whitespace-separated words with comments and line continuations removed.
        static func tokens(of text: String) -> [String] {
            let joined = text.replacingOccurrences(of: "\\\r\n", with: " ").replacingOccurrences(of: "\\\n", with: " ")
            var words: [String] = []
            for rawLine in joined.split(whereSeparator: \.isNewline) {
                var line = Substring(rawLine)
                if line.hasPrefix("#") { continue }
                if let comment = line.range(of: " #") ?? line.range(of: "\t#") { line = line[..<comment.lowerBound] }
                words += line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            }
            return words
        }

        static func contentHash(_ url: URL) -> String {
            (try? SHA256Hasher.hash(fileAt: url).hexString) ?? "unreadable"
        }

        /// A directory by the names, kinds and contents of everything below it.
        static func treeHash(_ root: URL) -> String {
            var hasher = Hasher256()
            let names = (FileManager.default.subpaths(atPath: root.path) ?? []).sorted()
            for name in names where !name.split(separator: "/").contains(where: { $0 == ".git" || $0 == "__pycache__" }) {
                let url = root.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                hasher.update("\(name) \(isDirectory.boolValue ? "dir" : contentHash(url))\n")
            }
            return hasher.finish()
        }
    }
}

/// SHA-256 over text fed line by line.
struct Hasher256 {
    private var data = Data()
    mutating func update(_ text: String) { data.append(contentsOf: text.utf8) }
    func finish() -> String { SHA256Hasher.hash(data).hexString }
}
