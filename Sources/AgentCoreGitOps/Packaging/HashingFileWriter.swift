import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A range of memory that is only read: of a `MappedFile`, valid while that file is alive.
struct MappedBytes: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int

    var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// A whole file mapped read-only, unmapped and closed when its last user lets go.
final class MappedFile: @unchecked Sendable {
    let descriptor: Int32
    let bytes: UnsafeRawBufferPointer
    /// What `fstat` said of the file when it was mapped.
    let info: stat

    init?(_ url: URL) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0,
              let mapping = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else {
            close(fd)
            return nil
        }
        descriptor = fd
        bytes = UnsafeRawBufferPointer(start: mapping, count: Int(info.st_size))
        self.info = info
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count)
        close(descriptor)
    }
}

/// Appends to a new file, hashing everything written, so the archive's SHA-256 is known the
/// moment it is complete without reading it back. Hashing runs on its own queue, behind the
/// writes; each piece handed to it keeps its memory alive itself, so a build that fails halfway
/// can drop the writer at once. Small pieces are gathered in a 1 MiB buffer; runs of bytes that
/// stay put (a mapped file) are joined while they are contiguous and written without a copy.
final class HashingFileWriter: @unchecked Sendable {
    /// The running SHA-256; touched only on the hashing queue.
    private final class RunningHash: @unchecked Sendable {
        var hasher: SHA256Hasher? = SHA256Hasher()
    }

    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var run: (bytes: MappedBytes, owner: any AnyObject & Sendable)?
    private let running = RunningHash()
    private(set) var offset: UInt64 = 0
    private let bufferSize = 1 << 20
    private let hashing = DispatchQueue(label: "agentcore.zip.sha256")

    init(creating url: URL) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        path = url.path
        guard fd >= 0 else {
            throw PackagingError.io("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(bufferSize)
    }

    deinit { close(fd) }

    func append(_ bytes: [UInt8]) throws {
        guard bytes.count >= bufferSize else { return try bytes.withUnsafeBytes { try append($0) } }
        try flushRun()
        offset += UInt64(bytes.count)
        try flushBuffer()
        try writeWhole(bytes)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try flushRun()
        offset += UInt64(bytes.count)
        try buffered(bytes)
    }

    /// The first `length` bytes of a file: copied inside the kernel, hashed from the mapping.
    func append(copyOf file: MappedFile, length: Int) throws {
        try flushRun()
        try flushBuffer()
        offset += UInt64(length)
        let region = MappedBytes(base: file.bytes.baseAddress!, count: length)
        hash(region, keeping: file)
        if let failure = FilePlacement.copy(from: file.descriptor, offset: 0, length: length, to: fd, mapped: region.raw) {
            throw PackagingError.io("cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }

    /// Bytes that stay valid while `owner` lives. Kept as the current run until something else
    /// is appended, so a contiguous neighbour can join it.
    func append(stable bytes: MappedBytes, owner: any AnyObject & Sendable) throws {
        offset += UInt64(bytes.count)
        if let current = run, current.owner === owner, current.bytes.base + current.bytes.count == bytes.base {
            run = (MappedBytes(base: current.bytes.base, count: current.bytes.count + bytes.count), owner)
            return
        }
        try flushRun()
        run = (bytes, owner)
    }

    func finish() throws -> (digest: [UInt8], bytes: UInt64) {
        try flushRun()
        try flushBuffer()
        let running = self.running
        let digest = hashing.sync { running.hasher.take()!.finalize() }
        return (digest, offset)
    }

    /// What the written file is now: its identity survives the move into place.
    func identity() throws -> ArchiveIdentity {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw PackagingError.io("cannot read back \(path): \(String(cString: strerror(errno)))")
        }
        return ArchiveIdentity(info)
    }

    /// A short run is copied into the buffer; a long one is written where it is.
    private func flushRun() throws {
        guard let current = run else { return }
        run = nil
        if current.bytes.count < 64 << 10 {
            try buffered(current.bytes.raw)
            return
        }
        try flushBuffer()
        hash(current.bytes, keeping: current.owner)
        try writeOut(current.bytes.raw)
    }

    private func buffered(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > bufferSize { try flushBuffer() }
        if bytes.count >= bufferSize {
            try writeWhole(Array(bytes))
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// The array is shared with the hashing queue, not copied; the caller has flushed the buffer.
    private func writeWhole(_ bytes: [UInt8]) throws {
        let running = self.running
        hashing.async { bytes.withUnsafeBytes { running.hasher!.update($0) } }
        try bytes.withUnsafeBytes { try writeOut($0) }
    }

    private func hash(_ bytes: MappedBytes, keeping owner: any AnyObject & Sendable) {
        let running = self.running
        hashing.async { withExtendedLifetime(owner) { running.hasher!.update(bytes.raw) } }
    }

    /// Hands the buffer to the hashing queue as it is and starts a new one: no waiting, no copy.
    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer = []
        buffer.reserveCapacity(bufferSize)
        try writeWhole(chunk)
    }

    private func writeOut(_ raw: UnsafeRawBufferPointer) throws {
        if let failure = FilePlacement.writeAll(fd, raw) {
            throw PackagingError.io("cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }
}
