import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One signed HTTP exchange, ready for the wire.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: AWSBody
    /// Where a successful response body goes instead of memory.
    public var responseBodyFile: URL?
}

/// Moves bytes; `AWSClient` does the AWS part (endpoints, signing, errors, retries) on top.
/// `URLSessionTransport` is the real one; unit tests of the retry logic script a fake.
public protocol HTTPTransport: Sendable {
    /// Returns every status; the body is empty when a successful one went to `responseBodyFile`.
    func send(_ request: HTTPRequest) async throws -> AWSResponse
}

/// HTTP over URLSession. File bodies are uploaded from disk and downloads go to disk, so a
/// package of any size never sits in memory whole.
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init(session: URLSession = URLSessionTransport.uncachedSession) {
        self.session = session
    }

    /// No response cache: a HeadObject or GetAgentRuntime must always ask AWS, never a cache.
    public static let uncachedSession: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = 60
        return URLSession(configuration: configuration)
    }()

    public func send(_ request: HTTPRequest) async throws -> AWSResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        if let destination = request.responseBodyFile {
            if case .data(let data) = request.body { urlRequest.httpBody = data }
            let (temporary, response) = try await session.download(for: urlRequest)
            return try Self.finishDownload(from: temporary, to: destination, response: response)
        }
        let (data, response): (Data, URLResponse)
        switch request.body {
        case .empty:
            (data, response) = try await session.data(for: urlRequest)
        case .data(let body):
            (data, response) = try await session.upload(for: urlRequest, from: body)
        case .file(let file):
            (data, response) = try await session.upload(for: urlRequest, fromFile: file)
        }
        return try AWSResponse(Self.http(response), body: data)
    }

    /// A success moves the download into place; an error's (small) body is read for decoding.
    private static func finishDownload(from temporary: URL, to destination: URL, response: URLResponse) throws -> AWSResponse {
        let http = try http(response)
        defer { try? FileManager.default.removeItem(at: temporary) }
        guard (200..<300).contains(http.statusCode) else {
            return AWSResponse(http, body: (try? Data(contentsOf: temporary)) ?? Data())
        }
        try Self.moveReplacing(temporary, to: destination)
        return AWSResponse(http, body: Data())
    }

    private static func http(_ response: URLResponse) throws -> HTTPURLResponse {
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return http
    }
}

extension AWSResponse {
    init(_ response: HTTPURLResponse, body: Data) {
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        self.init(status: response.statusCode, headers: headers, body: body)
    }
}

extension URLSessionTransport {
    /// Moves a finished download over any existing file. rename(2) replaces atomically (Foundation's
    /// replaceItemAt on Linux deletes the destination and then fails); across file systems the
    /// bytes are first copied beside the destination and then renamed over it.
    static func moveReplacing(_ source: URL, to destination: URL) throws {
        if rename(source.path, destination.path) == 0 { return }
        let sibling = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: sibling)
        guard rename(sibling.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: sibling)
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: destination.path,
                NSLocalizedDescriptionKey: "cannot write the download to \(destination.path): \(reason)",
            ])
        }
    }
}
