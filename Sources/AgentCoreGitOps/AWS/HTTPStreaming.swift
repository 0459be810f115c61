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
    /// each piece on as it arrives.
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
        let streams = StreamingSession.shared
        await streams.openConnection(to: request.url)
        return try await streams.start(urlRequest)
    }

    /// Agents may think for minutes before their first byte: the idle limit is AgentCore's own
    /// 15-minute limit for a request, and callers bound the whole exchange themselves.
    static var streamingConfiguration: URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = 900
        // One session serves every stream of the process: curl would queue a seventh at once.
        configuration.httpMaximumConnectionsPerHost = 64
        return configuration
    }
}

/// The one session every stream of the process goes through; its delegate hands each task's
/// events to that task's relay (FoundationNetworking ignores a task's own delegate).
///
/// One session, so that a stream can reuse a connection: on Linux, FoundationNetworking keeps
/// the write-readiness source it made for a new connection's connect until that connection's
/// first exchange ends, and that source fires without pause. An invocation on a new connection
/// kept a core busy for as long as the agent took to answer (about 0.8 s of CPU a second),
/// on the runner and in the sandbox's tests alike; on a connection an earlier exchange opened,
/// it waits idle.
final class StreamingSession: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    static let shared = StreamingSession()

    private let lock = NSLock()
    private var session: URLSession!
    private var relays: [Int: StreamingRelay] = [:]
    private var reachedHosts: Set<String> = []

    private override init() {
        super.init()
        session = URLSession(configuration: URLSessionTransport.streamingConfiguration, delegate: self, delegateQueue: nil)
    }

    func start(_ request: URLRequest) async throws -> HTTPStreamingResponse {
        let relay = StreamingRelay()
        let task = session.dataTask(with: request)
        lock.withLock { relays[task.taskIdentifier] = relay }
        return try await relay.start(task)
    }

    /// Opens a connection to the request's host with an unsigned `HEAD /` (whatever the answer,
    /// AWS answers at once), the first time this process streams from that host, so that the
    /// stream itself goes over an open connection. A failure costs nothing but the busy wait.
    func openConnection(to url: URL) async {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return }
        parts.path = "/"
        parts.query = nil
        guard let root = parts.url else { return }
        let first = lock.withLock { reachedHosts.insert(root.absoluteString).inserted }
        guard first, !Task.isCancelled else { return }
        var request = URLRequest(url: root, timeoutInterval: 10)
        request.httpMethod = "HEAD"
        guard let opened = try? await start(request) else { return }
        _ = try? await opened.collectBody()
    }

    private func relay(for task: URLSessionTask) -> StreamingRelay? {
        lock.withLock { relays[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let relay = relay(for: dataTask) else { return completionHandler(.cancel) }
        relay.received(response, of: dataTask, completionHandler: completionHandler)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        relay(for: dataTask)?.received(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let relay = lock.withLock { relays.removeValue(forKey: task.taskIdentifier) }
        relay?.finish(throwing: error)
    }
}

/// One streamed exchange: resumes the caller with the status and headers, then yields each
/// piece of the body into the stream. Cancelling the caller's task, or dropping the stream,
/// cancels the request.
private final class StreamingRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var head: CheckedContinuation<HTTPStreamingResponse, any Error>?
    private var body: AsyncThrowingStream<Data, any Error>.Continuation?
    /// How the exchange ended, when it ended before the caller waited for it (a task cancelled
    /// before it started completes at once).
    private var endedEarly: (any Error)?

    func start(_ task: URLSessionDataTask) async throws -> HTTPStreamingResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ended: (any Error)? = lock.withLock {
                    if endedEarly == nil { head = continuation }
                    return endedEarly
                }
                if let ended { return continuation.resume(throwing: ended) }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    func received(
        _ response: URLResponse, of dataTask: URLSessionDataTask,
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

    func received(_ data: Data) {
        _ = lock.withLock { body }?.yield(data)
    }

    /// Ends whichever stage is open: the wait for headers (with an error) or the body.
    func finish(throwing error: (any Error)?) {
        let (waiting, open) = lock.withLock {
            defer { head = nil; body = nil }
            if head == nil && body == nil { endedEarly = error ?? URLError(.cancelled) }
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
