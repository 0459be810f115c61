import Foundation

/// An object's place in S3, written `s3://bucket/key`.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("s3://") else {
            throw S3LocationError(text: text, problem: "it does not start with s3://")
        }
        let rest = trimmed.dropFirst("s3://".count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw S3LocationError(text: text, problem: "it names a bucket but no object key")
        }
        let bucket = String(rest[..<slash])
        let key = String(rest[rest.index(after: slash)...])
        if let problem = Self.bucketProblem(bucket) ?? Self.keyProblem(key) {
            throw S3LocationError(text: text, problem: problem)
        }
        self.init(bucket: bucket, key: key)
    }

    public var description: String { "s3://\(bucket)/\(key)" }

    /// S3's naming rules for general purpose buckets, checked here so a typo fails before any
    /// upload starts; nil when the name is good.
    public static func bucketProblem(_ bucket: String) -> String? {
        if bucket.isEmpty { return "the bucket name is empty" }
        guard (3...63).contains(bucket.count) else { return "bucket name '\(bucket)' must be 3 to 63 characters" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard bucket.allSatisfy(allowed.contains), let first = bucket.first, let last = bucket.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else {
            return "bucket name '\(bucket)' may hold only lower-case letters, digits, dots and hyphens, "
                + "and must start and end with a letter or digit"
        }
        if bucket.contains("..") { return "bucket name '\(bucket)' must not hold two dots in a row" }
        if bucket.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/) != nil {
            return "bucket name '\(bucket)' must not look like an IP address"
        }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where bucket.hasPrefix(prefix) {
            return "bucket name '\(bucket)' must not start with \(prefix)"
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where bucket.hasSuffix(suffix) {
            return "bucket name '\(bucket)' must not end with \(suffix)"
        }
        return nil
    }

    /// Keys with `.`/`..` segments would be rewritten by HTTP clients and so never match a signature.
    private static func keyProblem(_ key: String) -> String? {
        if key.isEmpty { return "the object key is empty" }
        if key.utf8.count > 1024 { return "the object key is longer than 1,024 bytes" }
        if key.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) {
            return "the object key has a '.' or '..' path segment"
        }
        return nil
    }
}

public struct S3LocationError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public var text: String
    public var problem: String

    public var description: String {
        "'\(text)' is not a usable S3 location: \(problem). Write it as s3://bucket-name/path/to/object.zip."
    }

    public var errorDescription: String? { description }
}

/// What S3 stored on PutObject.
public struct S3PutResult: Sendable, Equatable {
    public var location: S3Location
    public var size: Int64
    /// Lower-case hex SHA-256 of the bytes, as `sha256sum` prints it.
    public var sha256Hex: String
    /// Base64 SHA-256, as S3 reports it in `x-amz-checksum-sha256`.
    public var checksumSHA256: String
    public var etag: String?
    /// Set when the bucket is versioned; AgentCore can pin a runtime to it.
    public var versionID: String?
}

/// What a conditional write requires of the object already at its key.
public enum S3WriteCondition: Sendable, Equatable {
    /// No object at the key (`If-None-Match: *`).
    case noObject
    /// The object at the key has this ETag (`If-Match`).
    case etag(String)
}

/// What HeadObject and GetObject report about an object.
public struct S3ObjectInfo: Sendable, Equatable {
    public var size: Int64
    public var etag: String?
    /// Base64 SHA-256, when the object was stored with one.
    public var checksumSHA256: String?
    public var versionID: String?
}

/// The S3 calls the tool needs, on top of `AWSClient`. Bodies stream from and to files.
public struct S3Client: Sendable {
    private let client: any AWSRequestSending

    public init(client: any AWSRequestSending) {
        self.client = client
    }

    /// Uploads a file without reading it into memory. Its SHA-256 is computed once, in chunks,
    /// and sent twice: as the signed payload hash, and as `x-amz-checksum-sha256` so S3 refuses
    /// the upload if the bytes it received differ.
    public func putObject(
        bucket: String, key: String, fileURL: URL, contentType: String = "application/octet-stream"
    ) async throws -> S3PutResult {
        let size = try Self.fileSize(fileURL)
        let digest = try SHA256Hasher.hash(fileAt: fileURL)
        let checksum = Data(digest).base64EncodedString()
        let request = AWSRequest(
            service: .s3, operation: "PutObject", method: "PUT", path: Self.path(bucket, key),
            headers: [
                "Content-Type": contentType,
                "Content-Length": String(size),
                "x-amz-content-sha256": digest.hexString,
                "x-amz-checksum-sha256": checksum,
            ],
            body: .file(fileURL))
        let response = try await client.send(request)
        return S3PutResult(
            location: S3Location(bucket: bucket, key: key), size: size, sha256Hex: digest.hexString,
            checksumSHA256: checksum, etag: response.headers["etag"], versionID: response.headers["x-amz-version-id"])
    }

    /// Writes a small object from memory, only if `condition` holds for what is at the key now;
    /// otherwise S3 answers 412 and this throws an `AWSError` whose `isPreconditionFailed` is true.
    public func putObject(
        bucket: String, key: String, data: Data, contentType: String, condition: S3WriteCondition? = nil
    ) async throws -> S3PutResult {
        let digest = SHA256Hasher.hash(data)
        let checksum = Data(digest).base64EncodedString()
        var headers = [
            "Content-Type": contentType,
            "Content-Length": String(data.count),
            "x-amz-content-sha256": digest.hexString,
            "x-amz-checksum-sha256": checksum,
        ]
        switch condition {
        case .noObject: headers["If-None-Match"] = "*"
        case .etag(let etag): headers["If-Match"] = etag
        case nil: break
        }
        let request = AWSRequest(
            service: .s3, operation: "PutObject", method: "PUT", path: Self.path(bucket, key), headers: headers,
            body: .data(data))
        let response = try await client.send(request)
        return S3PutResult(
            location: S3Location(bucket: bucket, key: key), size: Int64(data.count), sha256Hex: digest.hexString,
            checksumSHA256: checksum, etag: response.headers["etag"], versionID: response.headers["x-amz-version-id"])
    }

    /// A small object read into memory with its ETag, or nil when there is no such object.
    public func getObjectData(bucket: String, key: String) async throws -> (data: Data, etag: String?)? {
        let request = AWSRequest(service: .s3, operation: "GetObject", method: "GET", path: Self.path(bucket, key))
        do {
            let response = try await client.send(request)
            return (response.body, response.headers["etag"])
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
    }

    /// The object's size, ETag and checksum, or nil when there is no such object.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectInfo? {
        let request = AWSRequest(
            service: .s3, operation: "HeadObject", method: "HEAD", path: Self.path(bucket, key),
            headers: ["x-amz-checksum-mode": "ENABLED"])
        do {
            return try Self.info(from: try await client.send(request).headers)
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
    }

    /// Copies an object inside S3 (server-side, nothing passes through this machine). S3 computes
    /// the copy's SHA-256 checksum, so a later HeadObject can tell whether the copy is the same.
    /// Returns that checksum (base64) when S3 reports it.
    @discardableResult
    public func copyObject(from source: S3Location, to destination: S3Location) async throws -> String? {
        let request = AWSRequest(
            service: .s3, operation: "CopyObject", method: "PUT", path: Self.path(destination.bucket, destination.key),
            headers: [
                "x-amz-copy-source": Self.copySource(source),
                "x-amz-checksum-algorithm": "SHA256",
            ])
        let response = try await client.send(request)
        // S3 may answer 200 and still fail a copy, with the error in the body.
        let values = XMLValues(response.body)
        if let code = values["Code"] {
            throw AWSError(
                code: code, message: values["Message"] ?? "the copy failed", httpStatus: 500,
                requestID: values["RequestId"], operation: "CopyObject", service: "s3")
        }
        return values["ChecksumSHA256"]
    }

    /// Downloads the object to `destination` (replacing it), streaming to disk. When S3 knows the
    /// object's SHA-256, the file is checked against it and removed if it differs.
    @discardableResult
    public func getObject(bucket: String, key: String, to destination: URL) async throws -> S3ObjectInfo {
        let request = AWSRequest(
            service: .s3, operation: "GetObject", method: "GET", path: Self.path(bucket, key),
            headers: ["x-amz-checksum-mode": "ENABLED"], responseBodyFile: destination)
        var info = try Self.info(from: try await client.send(request).headers)
        info.size = try Self.fileSize(destination)
        // A checksum with "-N" is a composite of multipart parts, not the whole file's hash.
        if let expected = info.checksumSHA256, !expected.contains("-") {
            let actual = Data(try SHA256Hasher.hash(fileAt: destination)).base64EncodedString()
            if actual != expected {
                try? FileManager.default.removeItem(at: destination)
                throw S3ChecksumMismatch(location: S3Location(bucket: bucket, key: key), expected: expected, actual: actual)
            }
        }
        return info
    }

    private static func path(_ bucket: String, _ key: String) -> String { "/\(bucket)/\(key)" }

    /// `bucket/key` with the key percent-encoded, as `x-amz-copy-source` wants it.
    private static func copySource(_ source: S3Location) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        return source.bucket + "/" + (source.key.addingPercentEncoding(withAllowedCharacters: allowed) ?? source.key)
    }

    private static func info(from headers: [String: String]) throws -> S3ObjectInfo {
        S3ObjectInfo(
            size: headers["content-length"].flatMap { Int64($0) } ?? 0,
            etag: headers["etag"],
            checksumSHA256: headers["x-amz-checksum-sha256"],
            versionID: headers["x-amz-version-id"])
    }

    private static func fileSize(_ url: URL) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}

public struct S3ChecksumMismatch: Error, CustomStringConvertible, LocalizedError {
    public var location: S3Location
    public var expected: String
    public var actual: String

    public var description: String {
        "The download of \(location) does not match its SHA-256 (S3 says \(expected), the file has \(actual)); "
            + "the file was removed. Retry the download."
    }

    public var errorDescription: String? { description }
}
