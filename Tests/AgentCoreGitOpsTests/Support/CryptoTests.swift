import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct CryptoTests {
    @Test func sha256OfKnownInputs() {
        #expect(SHA256Hasher.hash(Data()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hasher.hash(Data("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha256OfFileMatchesInMemoryHash() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        let bytes = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try SHA256Hasher.hash(fileAt: url) == SHA256Hasher.hash(bytes))
    }

    @Test func hmacMatchesRFC4231Case2() {
        let mac = HMACSHA256.authenticate(Data("what do ya want for nothing?".utf8), key: Data("Jefe".utf8))
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
