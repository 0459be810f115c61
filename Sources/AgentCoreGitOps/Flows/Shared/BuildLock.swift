import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file, held until released (or the process ends). Waiting polls
/// rather than blocks, so no thread of the cooperative pool is held up by another process.
final class BuildLock {
    private let descriptor: Int32

    init(_ url: URL) async throws {
        descriptor = open(url.path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else {
            throw ActionableError("cannot open \(url.path) (errno \(errno))",
                                  fix: "check that the cache directory (AGENTCORE_CACHE_DIR) is writable")
        }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                close(descriptor)
                throw ActionableError("cannot lock \(url.path) (errno \(errno))",
                                      fix: "check that the cache directory (AGENTCORE_CACHE_DIR) is writable")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
