import Foundation
@testable import AgentCoreGitOps

/// S3 in memory, behind the real `S3Client`: it answers the client's PutObject (conditional ones
/// too), HeadObject, CopyObject and GetObject requests with the headers S3 sends (content length,
/// ETag, SHA-256 checksum), 412 for a condition that does not hold and 404 for a missing key. Use it as `S3Client(client: FakeS3())`.
final class FakeS3: AWSRequestSending, @unchecked Sendable {
    struct Object {
        var bytes: Data
        /// Base64 SHA-256, as `x-amz-checksum-sha256` carries it.
        var checksum: String
    }

    private let lock = NSLock()
    private var objects: [String: Object] = [:]
    private var recorded: [String] = []
    private var denied: @Sendable (_ operation: String, _ key: String) -> Bool = { _, _ in false }
    private var beforeCopy: @Sendable () async -> Void = {}

    /// "PutObject bucket/key", in order.
    var calls: [String] { lock.withLock { recorded } }
    func calls(_ operation: String) -> [String] { calls.filter { $0.hasPrefix(operation + " ") } }

    /// From now on a request (operation, key) for which `denied` holds answers AccessDenied (403),
    /// as S3 does for a role whose policy does not grant it.
    func denyAccess(_ denied: @escaping @Sendable (_ operation: String, _ key: String) -> Bool) {
        lock.withLock { self.denied = denied }
    }

    /// Runs `action` at the start of every CopyObject, before it takes effect (a slow copy).
    func beforeEachCopy(_ action: @escaping @Sendable () async -> Void) { lock.withLock { beforeCopy = action } }

    func object(bucket: String, key: String) -> Object? { lock.withLock { objects["\(bucket)/\(key)"] } }
    var keys: [String] { lock.withLock { objects.keys.sorted() } }

    /// Takes an object away, as someone with access to the bucket could.
    func remove(bucket: String, key: String) { lock.withLock { _ = objects.removeValue(forKey: "\(bucket)/\(key)") } }

    func send(_ request: AWSRequest) async throws -> AWSResponse {
        let path = String(request.path.drop { $0 == "/" })
        let body: Data?
        switch request.body {
        case .empty: body = nil
        case .data(let data): body = data
        case .file(let url): body = try Data(contentsOf: url)
        }
        if request.operation == "CopyObject" { await lock.withLock { beforeCopy }() }
        return try lock.withLock {
            recorded.append("\(request.operation) \(path)")
            if let key = path.split(separator: "/", maxSplits: 1).last, denied(request.operation, String(key)) {
                throw AWSError(code: "AccessDenied", message: "Access Denied", httpStatus: 403, operation: request.operation, service: "s3")
            }
            switch request.operation {
            case "PutObject":
                let bytes = body ?? Data()
                let checksum = Data(SHA256Hasher.hash(bytes)).base64EncodedString()
                if let sent = request.headers["x-amz-checksum-sha256"], sent != checksum {
                    throw AWSError(code: "BadDigest", message: "checksum mismatch", httpStatus: 400, operation: request.operation)
                }
                // Conditional writes: If-None-Match: * (no object yet), If-Match: <etag>.
                let existing = objects[path]
                if (request.headers["If-None-Match"] == "*" && existing != nil)
                    || request.headers["If-Match"].map({ $0 != existing.map(Self.etag) }) == true {
                    throw AWSError(code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold",
                                   httpStatus: 412, operation: request.operation)
                }
                let object = Object(bytes: bytes, checksum: checksum)
                objects[path] = object
                return AWSResponse(status: 200, headers: ["etag": Self.etag(object)], body: Data())
            case "HeadObject":
                return AWSResponse(status: 200, headers: try headers(of: existing(path, request.operation)), body: Data())
            case "GetObject":
                let object = try existing(path, request.operation)
                guard let file = request.responseBodyFile else {
                    return AWSResponse(status: 200, headers: headers(of: object), body: object.bytes)
                }
                try object.bytes.write(to: file)
                return AWSResponse(status: 200, headers: headers(of: object), body: Data())
            case "CopyObject":
                let source = (request.headers["x-amz-copy-source"] ?? "").removingPercentEncoding ?? ""
                let object = try existing(source, request.operation)
                objects[path] = object
                let xml = "<CopyObjectResult><ChecksumSHA256>\(object.checksum)</ChecksumSHA256></CopyObjectResult>"
                return AWSResponse(status: 200, headers: [:], body: Data(xml.utf8))
            default:
                throw AWSError(code: "NotImplemented", message: "\(request.operation) is not faked", httpStatus: 501,
                               operation: request.operation)
            }
        }
    }

    private func existing(_ path: String, _ operation: String) throws -> Object {
        guard let object = objects[path] else {
            throw AWSError(code: "NotFound", message: "no object at \(path)", httpStatus: 404, operation: operation)
        }
        return object
    }

    private func headers(of object: Object) -> [String: String] {
        ["content-length": String(object.bytes.count), "etag": Self.etag(object), "x-amz-checksum-sha256": object.checksum]
    }

    private static func etag(_ object: Object) -> String { "\"\(object.checksum.prefix(16))\"" }
}
