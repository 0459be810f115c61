import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of the archive: where its bytes come from and the path it gets inside the zip.
public struct ArchiveItem: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case file(URL)
        case directory
    }

    /// Slash-separated, relative, without a trailing slash (the writer adds one for directories).
    public var path: String
    /// The file on disk, as a path: a `URL` for each of thousands of files costs more than their
    /// `stat` calls, so one is made only when asked for.
    var diskPath: String?
    public var size: Int64
    /// The source file's identity on disk: when it matches the previous build's, the content
    /// hash recorded then still holds and the file is not read.
    var fingerprint: FileFingerprint?

    public init(path: String, source: Source, size: Int64) {
        self.path = path
        self.size = size
        if case .file(let url) = source { diskPath = url.path }
    }

    init(path: String, file: URL, info: stat) {
        self.init(path: path, diskPath: file.path, info: info)
    }

    init(path: String, diskPath: String, info: stat) {
        self.path = path
        self.diskPath = diskPath
        self.size = Int64(info.st_size)
        fingerprint = FileFingerprint(info)
    }

    public var source: Source {
        diskPath.map { .file(URL(fileURLWithPath: $0, isDirectory: false)) } ?? .directory
    }

    public var isDirectory: Bool { diskPath == nil }

    /// The runtime's non-root user must read every file and traverse every directory, whatever
    /// the mode on the build machine; console scripts under `bin/` stay executable.
    public var mode: UInt32 {
        if isDirectory || path.hasPrefix("bin/") { return 0o755 }
        return 0o644
    }

    /// The first path component: a package, a dist-info directory or a root file.
    var topLevelName: String { Self.topLevelName(of: path) }

    static func topLevelName(of path: String) -> String { String(path.split(separator: "/", maxSplits: 1).first ?? "") }
}

/// What `stat` says about a source file, as git's index keeps it: any write to the file changes
/// its size, modification or change time, and a different file has another device or inode.
struct FileFingerprint: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int64
    var changed: Int64

    init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        (self.device, self.inode, self.size, self.modified, self.changed) = (device, inode, size, modified, changed)
    }

    init(_ info: stat) {
        #if canImport(Darwin)
        let (modifiedTime, changedTime) = (info.st_mtimespec, info.st_ctimespec)
        #else
        let (modifiedTime, changedTime) = (info.st_mtim, info.st_ctim)
        #endif
        self.init(
            device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
            size: Int64(info.st_size),
            modified: Int64(modifiedTime.tv_sec) * 1_000_000_000 + Int64(modifiedTime.tv_nsec),
            changed: Int64(changedTime.tv_sec) * 1_000_000_000 + Int64(changedTime.tv_nsec))
    }

    /// Whether a write after we read the file could leave this fingerprint as it is: file times
    /// tick coarsely, so a file changed in the same tick as our read keeps its times (git's
    /// "racily clean" entries). Only fingerprints older than the build by a safe margin are kept.
    func isTrustworthy(readStartedAt nanoseconds: Int64) -> Bool {
        let margin: Int64 = 1_000_000_000
        return modified < nanoseconds - margin && changed < nanoseconds - margin
    }
}

/// Which files of a directory tree stay out of the package.
public struct ExclusionRules: Sendable {
    /// Names left out at any depth: bytecode caches and version control.
    public var anywhere: Set<String> = ["__pycache__", ".git"]
    /// Names left out only at the top of the tree (e.g. the agent's own tests).
    public var topLevel: Set<String> = []
    /// File name suffixes left out at any depth.
    public var suffixes: [String] = [".pyc"]
    /// Relative paths left out (the dependency inputs inside the agent directory).
    public var paths: Set<String> = []
    /// The agent's `.agentcoreignore`.
    public var ignoreFile: IgnoreFile?

    public init(topLevel: Set<String> = []) { self.topLevel = topLevel }

    /// For `agentcore zip`: bytecode and VCS metadata only.
    public static let standard = ExclusionRules()
    /// For the agent's source directory: also its tests, virtual environments and tool caches.
    public static let agentSource = ExclusionRules(
        topLevel: ["tests", ".venv", "venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", "requirements.txt"])
    /// For a uv `--target` install: also uv's lock file and our stamp at its top.
    public static let installedDependencies = ExclusionRules(
        topLevel: [".lock", DependencyInstaller.stampName, ".agentcore-platform"])

    func excludes(name: String, depth: Int) -> Bool {
        if anywhere.contains(name) { return true }
        if depth == 0 && topLevel.contains(name) { return true }
        return suffixes.contains { name.hasSuffix($0) }
    }

    /// The checks that need the whole relative path and the entry's kind.
    func excludes(path: String, isDirectory: Bool) -> Bool {
        if paths.contains(path) { return true }
        return ignoreFile?.ignores(path, isDirectory: isDirectory) ?? false
    }

    var hasPathRules: Bool { !paths.isEmpty || ignoreFile != nil }
}

/// Lists a directory tree as archive items: one `fstatat` per entry, symlinks resolved and
/// checked, the top-level directories walked in parallel (a rebuild spends a good part of its
/// time here, in system calls).
struct TreeWalker: Sendable {
    let realRoot: String
    let rules: ExclusionRules

    func collect(directory: String, archivePrefix: String) throws -> [ArchiveItem] {
        var items: [ArchiveItem] = []
        var subdirectories: [(item: ArchiveItem, target: String)] = []
        try visit(directory: directory, archivePrefix: archivePrefix, depth: 0, ancestors: [directory]) { item, target in
            if let target { subdirectories.append((item, target)) } else { items.append(item) }
        }
        // Each top-level directory is walked on its own thread; results keep their order.
        let work = subdirectories
        let results = WalkResults(count: work.count)
        DispatchQueue.concurrentPerform(iterations: work.count) { index in
            let (item, target) = work[index]
            results.set(index, Result {
                var found = [item]
                try walk(directory: target, archivePrefix: item.path, depth: 1, ancestors: [directory, target], into: &found)
                return found
            })
        }
        for result in results.all { items += try result.get() }
        return items
    }

    private func walk(directory: String, archivePrefix: String, depth: Int, ancestors: Set<String>, into items: inout [ArchiveItem]) throws {
        var subdirectories: [(item: ArchiveItem, target: String)] = []
        try visit(directory: directory, archivePrefix: archivePrefix, depth: depth, ancestors: ancestors) { item, target in
            if let target { subdirectories.append((item, target)) } else { items.append(item) }
        }
        for (item, target) in subdirectories {
            items.append(item)
            try walk(directory: target, archivePrefix: item.path, depth: depth + 1, ancestors: ancestors.union([target]), into: &items)
        }
    }

    /// Calls `found` for each entry of one directory: a file (target nil) or a directory to
    /// descend into (its real path as target).
    private func visit(
        directory: String, archivePrefix: String, depth: Int, ancestors: Set<String>,
        found: (ArchiveItem, String?) -> Void
    ) throws {
        let listing = try DirectoryListing(directory)
        for (name, type) in listing.entries where !rules.excludes(name: name, depth: depth) {
            let diskPath = directory + "/" + name
            let archivePath = archivePrefix.isEmpty ? name : archivePrefix + "/" + name
            try ArchiveContents.validate(archivePath)
            // A plain directory needs no stat: its entry has no size and no fingerprint.
            if type == UInt8(DT_DIR) {
                if rules.hasPathRules && rules.excludes(path: archivePath, isDirectory: true) { continue }
                found(ArchiveItem(path: archivePath, source: .directory, size: 0), diskPath)
                continue
            }
            var info = stat()
            // Relative to the open directory: the kernel does not walk the whole path again.
            guard fstatat(listing.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw PackagingError.unreadable(path: diskPath, reason: String(cString: strerror(errno)))
            }
            var target = diskPath
            if info.st_mode & S_IFMT == S_IFLNK {
                guard let resolved = ArchiveContents.realPath(diskPath), stat(resolved, &info) == 0 else {
                    throw PackagingError.brokenSymlink(diskPath)
                }
                guard resolved == realRoot || resolved.hasPrefix(realRoot + "/") else {
                    throw PackagingError.symlinkOutsideTree(link: diskPath, target: resolved)
                }
                target = resolved
            }
            if rules.hasPathRules && rules.excludes(path: archivePath, isDirectory: info.st_mode & S_IFMT == S_IFDIR) { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                // A link back to a directory we are inside would recurse for ever.
                guard !ancestors.contains(target) else {
                    throw PackagingError.unsafePath("\(archivePath) (a symlink loop back to \(target))")
                }
                found(ArchiveItem(path: archivePath, source: .directory, size: 0), target)
            case S_IFREG:
                found(ArchiveItem(path: archivePath, diskPath: target, info: info), nil)
            default:
                throw PackagingError.unreadable(path: diskPath, reason: "not a regular file, directory or symlink")
            }
        }
    }
}

/// The entries of one directory with the type `readdir` reports, read through a single
/// descriptor that stays open (for `fstatat` by name) until the listing is released.
private final class DirectoryListing {
    private let stream: OpaquePointer
    let entries: [(name: String, type: UInt8)]

    var descriptor: Int32 { dirfd(stream) }

    init(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, let stream = fdopendir(fd) else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            throw PackagingError.unreadable(path: path, reason: "cannot list the directory: \(reason)")
        }
        var entries: [(name: String, type: UInt8)] = []
        // readdir ends with nil both at the end and on an error; only errno tells them apart.
        errno = 0
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        if errno != 0 {
            let reason = String(cString: strerror(errno))
            closedir(stream)
            throw PackagingError.unreadable(path: path, reason: "cannot list the directory: \(reason)")
        }
        self.stream = stream
        self.entries = entries
    }

    deinit { closedir(stream) }
}

/// One slot per parallel walk, filled from several threads.
private final class WalkResults: @unchecked Sendable {
    private var slots: [Result<[ArchiveItem], Error>]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: .success([]), count: count) }

    func set(_ index: Int, _ result: Result<[ArchiveItem], Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var all: [Result<[ArchiveItem], Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// Collects the entries of a package from directory trees and single files, enforcing the rules
/// that keep an archive safe to extract: relative paths only, symlinks followed only when they
/// stay inside their tree, no two sources for one path.
public struct ArchiveContents: Sendable {
    private var entries: [String: ArchiveItem] = [:]

    public init() {}

    /// Items sorted by the bytes of their path, with every parent directory present: the order
    /// never depends on the file system.
    public var sortedItems: [ArchiveItem] {
        entries.values.sorted { Self.bytesPrecede($0.path, $1.path) }
    }

    public var fileCount: Int { entries.values.filter { !$0.isDirectory }.count }
    public var uncompressedBytes: Int64 { entries.values.reduce(0) { $0 + $1.size } }
    public func contains(_ path: String) -> Bool { entries[path] != nil }

    /// Adds `url` as the file `path`; an existing entry at that path is an error unless
    /// `replacing` is set (used for `system_prompt.txt`, which `--prompt` overrides).
    public mutating func addFile(_ url: URL, as path: String, replacing: Bool = false) throws {
        try Self.validate(path)
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw PackagingError.unreadable(path: url.path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw PackagingError.unreadable(path: url.path, reason: "not a regular file")
        }
        try insert(ArchiveItem(path: path, file: url, info: info), replacing: replacing)
    }

    /// Adds every file under `root` (following the exclusion rules) below `prefix` in the archive.
    public mutating func addTree(_ root: URL, under prefix: String = "", rules: ExclusionRules = .standard) throws {
        guard let realRoot = Self.realPath(root.path) else {
            throw PackagingError.unreadable(path: root.path, reason: "no such directory")
        }
        if !prefix.isEmpty { try Self.validate(prefix) }
        let walker = TreeWalker(realRoot: realRoot, rules: rules)
        for item in try walker.collect(directory: realRoot, archivePrefix: prefix) {
            try insert(item, replacing: false)
        }
    }

    /// Adds items collected elsewhere (another tree, compiled bytecode), checked like any other.
    mutating func add(_ items: [ArchiveItem]) throws {
        for item in items {
            try Self.validate(item.path)
            try insert(item, replacing: false)
        }
    }

    private mutating func insert(_ item: ArchiveItem, replacing: Bool) throws {
        if let existing = entries[item.path] {
            // The same directory reached from two trees is fine; anything else is a clash.
            if existing.isDirectory && item.isDirectory { return }
            if !replacing || existing.isDirectory != item.isDirectory { throw PackagingError.duplicateEntry(item.path) }
        }
        entries[item.path] = item
        // Every parent directory gets its own 0755 entry, so extractors never invent a mode.
        var parent = item.path
        while let slash = parent.lastIndex(of: "/") {
            parent = String(parent[..<slash])
            if let existing = entries[parent] {
                guard existing.isDirectory else { throw PackagingError.duplicateEntry(parent) }
                break
            }
            entries[parent] = ArchiveItem(path: parent, source: .directory, size: 0)
        }
    }

    /// A path inside the archive must stay inside the extraction directory on any extractor.
    /// Byte order of the UTF-8 paths (what `memcmp` says), independent of Unicode normalisation.
    static func bytesPrecede(_ first: String, _ second: String) -> Bool {
        let compared = first.utf8.withContiguousStorageIfAvailable { a in
            second.utf8.withContiguousStorageIfAvailable { b in
                guard let left = a.baseAddress, let right = b.baseAddress else { return a.count < b.count }
                let order = memcmp(left, right, min(a.count, b.count))
                return order != 0 ? order < 0 : a.count < b.count
            }
        }
        return (compared ?? nil) ?? first.utf8.lexicographicallyPrecedes(second.utf8)
    }

    /// Checked byte by byte: this runs for every file of every build.
    static func validate(_ path: String) throws {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: "."), backslash = UInt8(ascii: "\\")
        var componentLength = 0
        var dotsOnly = true
        // Empty, "." and ".." components are all "only dots, at most two".
        func componentEnds() throws {
            if componentLength == 0 || (dotsOnly && componentLength <= 2) { throw PackagingError.unsafePath(path) }
            componentLength = 0
            dotsOnly = true
        }
        for byte in path.utf8 {
            if byte == slash {
                try componentEnds()
            } else {
                if byte == backslash || byte == 0 { throw PackagingError.unsafePath(path) }
                componentLength += 1
                dotsOnly = dotsOnly && byte == dot
            }
        }
        try componentEnds()
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
