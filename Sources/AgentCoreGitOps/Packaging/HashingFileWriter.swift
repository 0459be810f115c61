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
        let fd = open(url.path, O_RDONLY)
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
/// moment it is complete without reading it back. Hashing runs on its own thread, behind the
/// writes. Small pieces are gathered in a 1 MiB buffer; runs of bytes that stay put (the previous
/// archive's mapping) are joined while they are contiguous and written without a copy.
final class HashingFileWriter: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var run: MappedBytes?
    /// Keeps the memory of every run alive until it has been hashed.
    private var owners: [AnyObject] = []
    private var hasher: SHA256Hasher? = SHA256Hasher()
    private(set) var offset: UInt64 = 0
    private let bufferSize = 1 << 20
    private let hashing = DispatchQueue(label: "agentcore.zip.sha256")

    init(creating url: URL) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        path = url.path
        guard fd >= 0 else {
            throw PackagingError.io("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(bufferSize)
    }

    deinit {
        hashing.sync {}  // a failed build may leave hashing of a run behind; it reads `owners`' memory
        close(fd)
    }

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

    /// Bytes that stay valid while `owner` lives; joined to the run before them when contiguous.
    /// The first `length` bytes of a file: copied inside the kernel, hashed from the mapping.
    func append(copyOf file: MappedFile, length: Int) throws {
        try flushRun()
        try flushBuffer()
        offset += UInt64(length)
        owners.append(file)
        let region = MappedBytes(base: file.bytes.baseAddress!, count: length)
        hashing.async { self.hasher!.update(region.raw) }
        if let failure = FilePlacement.copy(from: file.descriptor, offset: 0, length: length, to: fd, mapped: region.raw) {
            throw PackagingError.io("cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }

    /// Kept as the current run until something else is appended, so a neighbour can join it.
    func append(stable bytes: MappedBytes, owner: AnyObject) throws {
        offset += UInt64(bytes.count)
        if owners.last !== owner { owners.append(owner) }
        if let current = run, current.base + current.count == bytes.base {
            run = MappedBytes(base: current.base, count: current.count + bytes.count)
            return
        }
        try flushRun()
        run = bytes
    }

    func finish() throws -> (digest: [UInt8], bytes: UInt64) {
        try flushRun()
        try flushBuffer()
        let digest = hashing.sync { hasher.take()!.finalize() }
        return (digest, offset)
    }

    /// A short run is copied into the buffer; a long one is written where it is.
    private func flushRun() throws {
        guard let current = run else { return }
        run = nil
        if current.count < 64 << 10 {
            try buffered(current.raw)
            return
        }
        try flushBuffer()
        hashing.async { self.hasher!.update(current.raw) }
        try writeOut(current.raw)
    }

    private func buffered(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > bufferSize { try flushBuffer() }
        if bytes.count >= bufferSize {
            try writeWhole(Array(bytes))
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// The array is shared with the hashing thread, not copied; the caller has flushed the buffer.
    private func writeWhole(_ bytes: [UInt8]) throws {
        hashing.async { bytes.withUnsafeBytes { self.hasher!.update($0) } }
        try bytes.withUnsafeBytes { try writeOut($0) }
    }

    /// Hands the buffer to the hashing thread as it is and starts a new one: no waiting, no copy.
    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer = []
        buffer.reserveCapacity(bufferSize)
        try writeWhole(chunk)
    }

    private func writeOut(_ raw: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            guard n > 0 else {
                throw PackagingError.io("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
