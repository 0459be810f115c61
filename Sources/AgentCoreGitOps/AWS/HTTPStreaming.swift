import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A response whose body is read as it arrives: status and headers first, then the body in
/// pieces, as long answers (an agent's event stream) are delivered.
public struct HTTPStreamingResponse: Sendable {
    public var status: Int
    /// Names lower-cased.
    public var headers: [String: String]
    /// The body, piece by piece; ends when the server ends it, throws when the connection breaks.
    public var body: AsyncThrowingStream<Data, any Error>
}

// Initializers written here leave the struct its memberwise one.
extension HTTPStreamingResponse {
    /// A body that is already whole, as one piece (what a transport that cannot stream returns).
    public init(_ response: AWSResponse) {
        let body = response.body
        self.init(status: response.status, headers: response.headers, body: AsyncThrowingStream { continuation in
            if !body.isEmpty { continuation.yield(body) }
            continuation.finish()
        })
    }

    /// Reads the rest of the body into memory: for error answers, which are small.
    public func collectBody() async throws -> Data {
        var data = Data()
        for try await piece in body { data.append(piece) }
        return data
    }
}

/// A transport that can hand a response over before its body has arrived. `AWSClient.stream`
/// uses it when its transport is one; otherwise it sends the request whole.
public protocol HTTPStreamingTransport: HTTPTransport {
    /// Returns once the status and headers are in; the body follows through the stream.
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse
}

extension URLSessionTransport: HTTPStreamingTransport {
    /// FoundationNetworking on Linux has no `URLSession.bytes(for:)`, so a session delegate passes
    /// each piece on as it arrives. One session per request: a session's delegate is fixed.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        switch request.body {
        case .empty: break
        case .data(let data): urlRequest.httpBody = data
        case .file(let url): urlRequest.httpBody = try Data(contentsOf: url, options: .mappedIfSafe)
        }
        let relay = StreamingRelay()
        let session = URLSession(configuration: Self.streamingConfiguration, delegate: relay, delegateQueue: nil)
        return try await relay.start(session.dataTask(with: urlRequest), in: session)
    }

    /// Agents may think for minutes before their first byte: the idle limit is AgentCore's own
    /// 15-minute limit for a request, and callers bound the whole exchange themselves.
    static var streamingConfiguration: URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = 900
        return configuration
    }
}

/// The session delegate behind `URLSessionTransport.stream`: resumes the caller with the status
/// and headers, then yields each piece of the body into the stream. Cancelling the caller's task,
/// or dropping the stream, cancels the request.
private final class StreamingRelay: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var head: CheckedContinuation<HTTPStreamingResponse, any Error>?
    private var body: AsyncThrowingStream<Data, any Error>.Continuation?

    func start(_ task: URLSessionDataTask, in session: URLSession) async throws -> HTTPStreamingResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.withLock { head = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            completionHandler(.cancel)
            finish(throwing: URLError(.badServerResponse))
            return
        }
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        continuation.onTermination = { termination in
            if case .cancelled = termination { dataTask.cancel() }
        }
        let waiting: CheckedContinuation<HTTPStreamingResponse, any Error>? = lock.withLock {
            body = continuation
            defer { head = nil }
            return head
        }
        completionHandler(.allow)
        let headers = AWSResponse(http, body: Data()).headers
        waiting?.resume(returning: HTTPStreamingResponse(status: http.statusCode, headers: headers, body: stream))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        _ = lock.withLock { body }?.yield(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        finish(throwing: error)
        session.finishTasksAndInvalidate()  // a session keeps its delegate until invalidated
    }

    /// Ends whichever stage is open: the wait for headers (with an error) or the body.
    private func finish(throwing error: (any Error)?) {
        let (waiting, open) = lock.withLock {
            defer { head = nil; body = nil }
            return (head, body)
        }
        if let waiting {
            waiting.resume(throwing: error ?? URLError(.badServerResponse))
        } else if let error {
            open?.finish(throwing: error)
        } else {
            open?.finish()
        }
    }
}
