import Foundation
@testable import AgentCoreGitOps

/// A transport for unit tests of one client type: records every request and answers from a
/// closure, which may also throw an `AWSError` as the real transport does for error statuses.
final class FakeAWSTransport: AWSRequestSending, @unchecked Sendable {
    typealias Responder = @Sendable (AWSRequest) throws -> AWSResponse

    private let lock = NSLock()
    private var recorded: [AWSRequest] = []
    private let respond: Responder

    init(_ respond: @escaping Responder) {
        self.respond = respond
    }

    var requests: [AWSRequest] { lock.withLock { recorded } }

    func send(_ request: AWSRequest) async throws -> AWSResponse {
        lock.withLock { recorded.append(request) }
        return try respond(request)
    }

    /// A 2xx answer with a JSON body.
    static func json(_ object: Any, status: Int = 200) -> AWSResponse {
        let body = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return AWSResponse(status: status, headers: ["content-type": "application/json"], body: body)
    }

    /// The error the real transport throws for a 404 from AgentCore.
    static func notFound(_ operation: String) -> AWSError {
        AWSError(code: "ResourceNotFoundException", message: "not found", httpStatus: 404, operation: operation)
    }
}

extension AWSRequest {
    /// The JSON body as a dictionary, for assertions on exact field names.
    var jsonBody: [String: Any]? {
        guard case .data(let data) = body else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}
