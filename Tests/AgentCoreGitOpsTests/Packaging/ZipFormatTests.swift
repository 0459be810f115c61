import Foundation
import Testing
@testable import AgentCoreGitOps

/// Golden bytes for the parts of the zip format we write by hand.
@Suite struct ZipFormatTests {
    @Test func dosTimestamps() {
        #expect(DOSTimestamp.epoch == DOSTimestamp(date: 0x0021, time: 0))
        #expect(DOSTimestamp.fromEnvironment([:]) == .epoch)
        #expect(DOSTimestamp.fromEnvironment(["SOURCE_DATE_EPOCH": "0"]) == .epoch, "before 1980 clamps to 1980")
        #expect(DOSTimestamp.fromEnvironment(["SOURCE_DATE_EPOCH": "not a number"]) == .epoch)
        // 2023-11-14 22:13:20 UTC: year 43, month 11, day 14; 22:13:20 → seconds/2 = 10.
        let stamp = DOSTimestamp.fromEnvironment(["SOURCE_DATE_EPOCH": "1700000000"])
        #expect(stamp == DOSTimestamp(date: 43 << 9 | 11 << 5 | 14, time: 22 << 11 | 13 << 5 | 10))
    }

    @Test func externalAttributesCarryTheUnixModeAndTheDOSDirectoryBit() {
        #expect(ZipFormat.externalAttributes(mode: 0o644, isDirectory: false) == 0x81A4_0000)
        #expect(ZipFormat.externalAttributes(mode: 0o755, isDirectory: true) == 0x41ED_0010)
    }

    @Test func localAndCentralHeadersForOneEntry() {
        let record = ZipFormat.EntryRecord(
            name: Array("a.py".utf8), method: .deflated, crc32: 0x1234_5678, compressedSize: 3,
            uncompressedSize: 5, externalAttributes: 0x81A4_0000, localHeaderOffset: 0x10, isDirectory: false)
        #expect(ZipFormat.localHeader(for: record, time: .epoch) == [
            0x50, 0x4b, 0x03, 0x04, 20, 0, 0x00, 0x08, 8, 0, 0, 0, 0x21, 0,
            0x78, 0x56, 0x34, 0x12, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
        ] + Array("a.py".utf8))
        let central = ZipFormat.centralHeader(for: record, time: .epoch)
        #expect(central.count == 46 + 4)
        #expect(Array(central[0..<8]) == [0x50, 0x4b, 0x01, 0x02, 20, 3, 20, 0])
        #expect(Array(central[38..<46]) == [0, 0, 0xA4, 0x81, 0x10, 0, 0, 0])
    }

    @Test func deflateRoundTripsAndRefusesToGrow() throws {
        let text = Data(String(repeating: "hello agentcore ", count: 100).utf8)
        let compressed = try text.withUnsafeBytes { try Deflate.compress($0) }
        #expect(compressed != nil && compressed!.count < text.count)
        let random = Data((0..<1000).map { _ in UInt8.random(in: 0...255) })
        #expect(try random.withUnsafeBytes { try Deflate.compress($0) } == nil)
        #expect(Data("123456789".utf8).withUnsafeBytes { Deflate.crc32($0) } == 0xCBF4_3926)
    }

    @Test func pythonVersions() throws {
        #expect(try PythonVersion("3.12").runtimeIdentifier == "PYTHON_3_12")
        #expect(PythonVersion.default.description == "3.11")
        #expect(Precompiler.bytecodePath(for: "pkg/sub/mod.py", version: .default) == "pkg/sub/__pycache__/mod.cpython-311.pyc")
        #expect(Precompiler.bytecodePath(for: "agent.py", version: .default) == "__pycache__/agent.cpython-311.pyc")
        for bad in ["3.9", "2.7", "3", "3.x", "3.11.2"] {
            #expect(throws: PackagingError.invalidPythonVersion(bad)) { try PythonVersion(bad) }
        }
    }
}
