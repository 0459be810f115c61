import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds native code AgentCore's machines cannot load: ELF objects for another CPU than AArch64,
/// macOS (Mach-O) and Windows (PE) binaries, and extension modules built for another Python
/// version (`*.cpython-312-*.so` on a 3.11 runtime; `abi3` modules load on any version).
enum NativeCodeCheck {
    /// One line per offending file, `path (what it is)`, in path order.
    static func problems(in items: [ArchiveItem], python: PythonVersion) -> [String] {
        let files = items.filter { !$0.isDirectory && $0.diskPath != nil }
        let found = ProblemList(count: files.count)
        // Reading the first bytes of thousands of files is system calls: spread over the cores.
        let chunk = 256
        DispatchQueue.concurrentPerform(iterations: (files.count + chunk - 1) / chunk) { part in
            for index in part * chunk..<min(files.count, (part + 1) * chunk) {
                if let problem = problem(files[index], python: python) { found.set(index, "\(files[index].path) (\(problem))") }
            }
        }
        return found.all
    }

    static func problem(_ item: ArchiveItem, python: PythonVersion) -> String? {
        let name = item.path.split(separator: "/").last.map(String.init) ?? item.path
        if let match = name.firstMatch(of: /\.cpython-3(\d+)/), let minor = Int(match.1), minor != python.minor {
            return "an extension module for CPython 3.\(minor), not \(python)"
        }
        if name.hasSuffix(".pyd") { return "a Windows extension module" }
        guard let path = item.diskPath, let header = readHeader(path) else { return nil }
        return kind(of: header)
    }

    /// What the header says the file is, when that is native code for another machine.
    static func kind(of header: FileHeader) -> String? {
        let bytes = header.start
        guard bytes.count >= 4 else { return nil }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        switch magic {
        case 0x7f45_4c46:  // "\x7fELF"
            guard bytes.count >= 20 else { return "a truncated ELF file" }
            let littleEndian = bytes[5] != 2
            let machine = littleEndian ? UInt16(bytes[18]) | UInt16(bytes[19]) << 8 : UInt16(bytes[18]) << 8 | UInt16(bytes[19])
            return machine == 183 ? nil : "an ELF object for \(elfMachines[machine] ?? "machine \(machine)"), not AArch64"
        case 0xfeed_face, 0xfeed_facf, 0xcefa_edfe, 0xcffa_edfe:
            return "a macOS (Mach-O) binary"
        case 0xcafe_babe, 0xbeba_feca:
            // Java class files share this magic; a universal binary lists a handful of architectures.
            guard bytes.count >= 8 else { return nil }
            let count = magic == 0xcafe_babe
                ? UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
                : UInt32(bytes[7]) << 24 | UInt32(bytes[6]) << 16 | UInt32(bytes[5]) << 8 | UInt32(bytes[4])
            return (1...20).contains(count) ? "a macOS (Mach-O universal) binary" : nil
        default:
            return header.isPortableExecutable ? "a Windows (PE) binary" : nil
        }
    }

    static let elfMachines: [UInt16: String] = [
        3: "x86", 8: "MIPS", 20: "PowerPC", 21: "PowerPC 64", 22: "s390", 40: "32-bit ARM", 62: "x86-64", 243: "RISC-V",
    ]

    struct FileHeader {
        var start: [UInt8]
        /// `MZ`, and the `PE\0\0` signature where the DOS header points.
        var isPortableExecutable = false
    }

    static func readHeader(_ path: String) -> FileHeader? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var start = [UInt8](repeating: 0, count: 64)
        let count = start.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 64, 0) }
        guard count > 0 else { return nil }
        start.removeLast(64 - count)
        var header = FileHeader(start: start)
        if count >= 64 && start[0] == UInt8(ascii: "M") && start[1] == UInt8(ascii: "Z") {
            let offset = Int(start[60]) | Int(start[61]) << 8 | Int(start[62]) << 16 | Int(start[63]) << 24
            var signature = [UInt8](repeating: 0, count: 4)
            let read = signature.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 4, off_t(offset)) }
            header.isPortableExecutable = read == 4 && signature == [0x50, 0x45, 0, 0]
        }
        return header
    }

    /// One slot per file, filled from several threads.
    private final class ProblemList: @unchecked Sendable {
        private var slots: [String?]
        private let lock = NSLock()

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ problem: String) {
            lock.lock()
            slots[index] = problem
            lock.unlock()
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return slots.compactMap { $0 }
        }
    }
}
