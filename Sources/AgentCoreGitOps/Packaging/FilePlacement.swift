import CSystemCalls
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Putting finished files in place and copying file bytes, without the costs the obvious calls
/// have on Linux.
enum FilePlacement {
    /// Puts the finished file at `partial` in place of `target`, atomically: readers see the old
    /// file or the new one, whole. On Linux the two names are swapped and the old content then
    /// unlinked, because renaming over an existing file makes ext4 write the new one to disk at
    /// once (`auto_da_alloc`): 15 ms per build, and the next build waited on that I/O when it
    /// freed the file.
    static func move(_ partial: String, to target: String) throws {
        #if os(Linux)
        // Only a regular file is swapped out: a directory (or anything else) at the target must
        // make the move fail, as a rename does, not be set aside under the partial's name.
        var existing = stat()
        if lstat(target, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG,
           agentcore_renameat2(AT_FDCWD, partial, AT_FDCWD, target, UInt32(AGENTCORE_RENAME_EXCHANGE)) == 0 {
            unlink(partial)
            return
        }
        // No file to swap with yet, or a file system without the exchange: a plain rename.
        #endif
        guard rename(partial, target) == 0 else {
            throw PackagingError.io("cannot move \(partial) into place at \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// The name a file is written under before `move` puts it at `target`.
    static func partialPath(for target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).partial")
    }

    /// Removes what builds of `target` that crashed left behind: partial files older than an hour
    /// (a build running now is younger), so reruns after crashes do not fill the disk.
    static func removeStalePartials(of target: URL, olderThan age: TimeInterval = 3600) {
        let directory = target.deletingLastPathComponent()
        let prefix = ".\(target.lastPathComponent).", suffix = ".partial"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        let cutoff = Date().addingTimeInterval(-age).timeIntervalSince1970
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            let path = directory.appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Double(FileFingerprint(info).modified) / 1e9 < cutoff else { continue }
            unlink(path)
        }
    }

    /// Replaces a small file whole: written beside it, then moved into place.
    static func replace(_ url: URL, with bytes: [UInt8]) throws {
        let partial = partialPath(for: url)
        let fd = open(partial.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PackagingError.io("cannot create \(partial.path): \(String(cString: strerror(errno)))") }
        let failure = bytes.withUnsafeBytes { writeAll(fd, $0) }
        close(fd)
        if let failure {
            unlink(partial.path)
            throw PackagingError.io("cannot write \(partial.path): \(String(cString: strerror(failure)))")
        }
        do {
            try move(partial.path, to: url.path)
        } catch {
            unlink(partial.path)
            throw error
        }
    }

    /// Writes all of `bytes`; the errno of a failure, or nil.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : EIO }
            done += n
        }
        return nil
    }

    /// Appends `length` bytes of `source` from `offset` to `destination`, inside the kernel where
    /// it can; `mapped` (the same bytes, mapped) is written when it cannot.
    static func copy(from source: Int32, offset: Int64, length: Int, to destination: Int32, mapped: UnsafeRawBufferPointer) -> Int32? {
        #if os(Linux)
        var position = offset
        var done = 0
        while done < length {
            let n = agentcore_copy_file_range(source, &position, destination, nil, length - done, 0)
            if n < 0 && errno == EINTR { continue }
            if n == 0 { return EIO }  // the source is shorter than it was when checked
            if n < 0 {
                // Not supported here (old kernel, another file system): write the rest ourselves.
                guard [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP].contains(errno) else { return errno }
                return writeAll(destination, UnsafeRawBufferPointer(rebasing: mapped[done...]))
            }
            done += n
        }
        return nil
        #else
        return writeAll(destination, mapped)
        #endif
    }
}
