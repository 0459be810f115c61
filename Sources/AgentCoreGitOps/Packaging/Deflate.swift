import CZlib
import Foundation

/// Raw deflate (no zlib or gzip wrapper, as zip wants it) and CRC-32, both from system zlib.
public enum Deflate {
    /// Level 4 is zlib's first lazy-matching level: on the real dependency tree it costs about
    /// 0.65x the CPU of level 6 (Info-ZIP's default) for archives about 1.2% larger
    /// (measured by scripts/bench-zip; within the 2% we allow).
    public static let defaultLevel: Int32 = 4

    /// Compresses `input` in one call; returns nil when deflate would not make it smaller, so the
    /// caller stores the entry instead.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = defaultLevel) throws -> [UInt8]? {
        guard input.count > 0 else { return nil }
        var stream = z_stream()
        // windowBits -15: a raw deflate stream with a 32 KiB window.
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw PackagingError.compressionFailed("deflateInit2 returned \(status)") }
        defer { deflateEnd(&stream) }

        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int = try output.withUnsafeMutableBytes { out in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
            stream.avail_out = uInt(out.count)
            let result = deflate(&stream, Z_FINISH)
            guard result == Z_STREAM_END else {
                throw PackagingError.compressionFailed("deflate returned \(result)")
            }
            return Int(stream.total_out)
        }
        guard produced < input.count else { return nil }
        output.removeSubrange(produced...)
        return output
    }

    /// Inflates a raw deflate stream whose size is known (a zip entry's), for reading small
    /// entries back.
    static func inflate(_ input: [UInt8], size: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw PackagingError.compressionFailed("inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: size)
        var input = input
        let result = input.withUnsafeMutableBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in
                stream.next_in = inBytes.bindMemory(to: Bytef.self).baseAddress
                stream.avail_in = uInt(inBytes.count)
                stream.next_out = outBytes.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(outBytes.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END, Int(stream.total_out) == size else {
            throw PackagingError.compressionFailed("inflate returned \(result) after \(stream.total_out) of \(size) bytes")
        }
        return output
    }

    static func crc32(_ input: UnsafeRawBufferPointer, startingWith crc: UInt32 = 0) -> UInt32 {
        guard let base = input.bindMemory(to: Bytef.self).baseAddress, input.count > 0 else { return crc }
        // zlib's crc32 takes a uInt length: feed very large buffers in pieces.
        var value = uLong(crc)
        var offset = 0
        while offset < input.count {
            let length = min(input.count - offset, Int(Int32.max))
            value = CZlib.crc32(value, base + offset, uInt(length))
            offset += length
        }
        return UInt32(truncatingIfNeeded: value)
    }
}
