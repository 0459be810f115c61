import Foundation
import Testing
@testable import AgentCoreGitOps

/// The official SigV4 test suite (aws-c-auth's `v4` cases in `../shared/test-vectors/sigv4/`):
/// every case is signed both ways, and each intermediate step is compared with the expected file.
@Suite struct SigV4SignerTests {
    /// The cases' folder names. Missing vectors fail the tests that take these as arguments; under
    /// `AGENTCORE_TEST_VECTORS=skip` those tests are disabled, so there is nothing to list.
    static func caseNames() throws -> [String] {
        if TestVectors.isSkipped { return [] }
        let directory = try TestVectors.url("sigv4")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/context.json").path)
        }.sorted()
    }

    @Test(.readsTestVectors) func allOfficialCasesArePresent() throws {
        #expect(try Self.caseNames().count == 38)
    }

    @Test(.readsTestVectors, arguments: try caseNames())
    func headerSigningMatchesVector(_ name: String) throws {
        let vector = try SigV4Vector(directory: TestVectors.url("sigv4/\(name)"))
        let signed = vector.signer.signHeaders(
            method: vector.method, path: vector.path, query: vector.query, headers: vector.headers,
            payloadHash: vector.payloadHash, date: vector.date)

        #expect(signed.signature.canonicalRequest == (try vector.expected("header-canonical-request.txt")))
        #expect(signed.signature.stringToSign == (try vector.expected("header-string-to-sign.txt")))
        #expect(signed.signature.signature == (try vector.expected("header-signature.txt")))

        // The headers we add are exactly the ones in the signed request, values included.
        let expectedRequest = try SigV4Vector.parseRequest(try vector.expected("header-signed-request.txt"))
        let expectedAdded = expectedRequest.headers.filter { header in
            !vector.headers.contains { $0.name.lowercased() == header.name.lowercased() }
        }
        #expect(Self.lowercased(signed.headers) == Self.lowercased(expectedAdded))
    }

    @Test(.readsTestVectors, arguments: try caseNames())
    func querySigningMatchesVector(_ name: String) throws {
        let vector = try SigV4Vector(directory: TestVectors.url("sigv4/\(name)"))
        let signed = vector.signer.signQuery(
            method: vector.method, path: vector.path, query: vector.query, headers: vector.headers,
            payloadHash: vector.payloadHash, date: vector.date, expires: vector.expires)

        #expect(signed.signature.canonicalRequest == (try vector.expected("query-canonical-request.txt")))
        #expect(signed.signature.stringToSign == (try vector.expected("query-string-to-sign.txt")))
        #expect(signed.signature.signature == (try vector.expected("query-signature.txt")))

        let expectedRequest = try SigV4Vector.parseRequest(try vector.expected("query-signed-request.txt"))
        #expect(Self.sorted(signed.queryItems) == Self.sorted(expectedRequest.query))
    }

    static let s3Signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
        region: "us-east-1", service: "s3", options: .s3)

    @Test func s3SignsThePathAsSentAndTheContentHash() {
        let payloadHash = SHA256Hasher.hash(Data("hello".utf8)).hexString
        let signed = Self.s3Signer.signHeaders(
            method: "PUT", path: "/bucket/a%20b/../c", headers: [("host", "127.0.0.1:5000")],
            payloadHash: payloadHash, date: Date(timeIntervalSince1970: 0))

        let lines = signed.signature.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/bucket/a%20b/../c")
        #expect(lines.contains("x-amz-content-sha256:\(payloadHash)"))
        #expect(signed.signature.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
        #expect(signed.headers.contains { $0.name == "x-amz-content-sha256" && $0.value == payloadHash })
    }

    @Test func aContentHashTheCallerAlreadySetIsSignedOnce() {
        let hash = SHA256Hasher.hash(Data("file".utf8)).hexString
        let signed = Self.s3Signer.signHeaders(
            method: "PUT", path: "/b/k", headers: [("host", "h"), ("x-amz-content-sha256", hash)],
            payloadHash: hash, date: Date(timeIntervalSince1970: 0))
        #expect(signed.signature.canonicalRequest.contains("x-amz-content-sha256:\(hash)\n"))
        #expect(!signed.headers.contains { $0.name.lowercased() == "x-amz-content-sha256" })
    }

    @Test func otherServicesEncodeTheWirePathAgain() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
            region: "us-east-1", service: "bedrock-agentcore")
        let signed = signer.signHeaders(
            method: "GET", path: "/runtimes/a%3Ab/", headers: [("host", "example.com")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Date(timeIntervalSince1970: 0))
        #expect(signed.signature.canonicalRequest.split(separator: "\n")[1] == "/runtimes/a%253Ab/")
        #expect(!signed.headers.contains { $0.name.lowercased() == "x-amz-content-sha256" })
    }

    @Test func printedCredentialsHideTheSecretAndToken() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s3cr3t", sessionToken: "t0k3n")
        for text in ["\(credentials)", String(reflecting: credentials)] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(!text.contains("s3cr3t"))
            #expect(!text.contains("t0k3n"))
        }
    }

    private static func lowercased(_ headers: [(name: String, value: String)]) -> [String] {
        headers.map { "\($0.name.lowercased()):\($0.value)" }.sorted()
    }

    private static func sorted(_ items: [(name: String, value: String)]) -> [String] {
        items.map { "\($0.name)=\($0.value)" }.sorted()
    }
}

/// One case folder: `context.json`, `request.txt`, and the expected files.
private struct SigV4Vector {
    let directory: URL
    let signer: SigV4Signer
    let date: Date
    let expires: Int
    let method: String
    let path: String
    let query: [(name: String, value: String)]
    let headers: [(name: String, value: String)]
    let payloadHash: String

    struct Context: Decodable {
        struct Credentials: Decodable {
            let access_key_id: String
            let secret_access_key: String
            let token: String?
        }
        let credentials: Credentials
        let expiration_in_seconds: Int
        let normalize: Bool
        let region: String
        let service: String
        let sign_body: Bool
        let timestamp: String
        let omit_session_token: Bool?
    }

    init(directory: URL) throws {
        self.directory = directory
        let context = try JSONDecoder().decode(
            Context.self, from: Data(contentsOf: directory.appendingPathComponent("context.json")))
        signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: context.credentials.access_key_id,
                secretAccessKey: context.credentials.secret_access_key,
                sessionToken: context.credentials.token),
            region: context.region, service: context.service,
            options: .init(
                normalizesPath: context.normalize, encodesPath: true, signsContentHash: context.sign_body,
                signsSessionToken: !(context.omit_session_token ?? false)))
        date = try #require(ISO8601DateFormatter().date(from: context.timestamp))
        expires = context.expiration_in_seconds
        let request = try Self.parseRequest(
            String(contentsOf: directory.appendingPathComponent("request.txt"), encoding: .utf8))
        method = request.method
        path = request.path
        query = request.query
        headers = request.headers
        payloadHash = SHA256Hasher.hash(Data(request.body.utf8)).hexString
    }

    func expected(_ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }

    /// An HTTP/1.1 request as the suite writes it: the path may hold spaces and raw UTF-8, and a
    /// header line that starts with white space continues the previous header's value.
    static func parseRequest(_ text: String) throws -> (
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], body: String
    ) {
        let parts = text.components(separatedBy: "\n\n")
        var lines = parts[0].components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let pathAndQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query: [(name: String, value: String)] = pathAndQuery.count < 2 ? [] : pathAndQuery[1]
            .split(separator: "&")
            .map { item in
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (text: Substring) in text.removingPercentEncoding ?? String(text) }
                return (decode(pair[0]), pair.count > 1 ? decode(pair[1]) : "")
            }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first?.isWhitespace == true, !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let body = parts.dropFirst().joined(separator: "\n\n")
        return (method, String(pathAndQuery[0]), query, headers, body)
    }
}
