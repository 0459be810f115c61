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

/// Answers handed out in order, the last one repeating: a resource moving through its states.
final class Script<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: [Element]

    init(_ elements: [Element]) {
        precondition(!elements.isEmpty)
        remaining = elements
    }

    func next() -> Element {
        lock.withLock { remaining.count > 1 ? remaining.removeFirst() : remaining[0] }
    }
}

/// Collects values handed to a `@Sendable` callback.
final class Recorder<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Element] = []
    func append(_ value: Element) { lock.withLock { stored.append(value) } }
    var values: [Element] { lock.withLock { stored } }
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

/// Sample AgentCore answers with the fields AWS sends.
enum AgentCoreSamples {
    static let runtimeId = "pr_42-AbCdEfGhIj"

    static func runtime(
        id: String = runtimeId, name: String = "pr_42", version: String = "1", status: String = "READY",
        failureReason: String? = nil
    ) -> [String: Any] {
        var object: [String: Any] = [
            "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/\(id)",
            "agentRuntimeName": name, "agentRuntimeId": id, "agentRuntimeVersion": version,
            "createdAt": 1_763_700_000.5, "lastUpdatedAt": 1_763_700_100,
            "roleArn": "arn:aws:iam::123456789012:role/AgentRuntime",
            "networkConfiguration": ["networkMode": "PUBLIC"], "status": status,
            "lifecycleConfiguration": ["idleRuntimeSessionTimeout": 900, "maxLifetime": 28800],
            "agentRuntimeArtifact": ["codeConfiguration": [
                "code": ["s3": ["bucket": "b", "prefix": "pr_42/abc/code.zip"]],
                "runtime": "PYTHON_3_11", "entryPoint": ["agent.py"]]],
            "protocolConfiguration": ["serverProtocol": "HTTP"],
            "environmentVariables": ["MODE": "test"],
        ]
        if let failureReason { object["failureReason"] = failureReason }
        return object
    }

    static func summary(id: String, name: String, version: String = "1") -> [String: Any] {
        ["agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/\(id)",
         "agentRuntimeId": id, "agentRuntimeVersion": version, "agentRuntimeName": name,
         "description": "", "lastUpdatedAt": "2026-11-21T08:00:00.123456Z", "status": "READY"]
    }

    static func endpoint(
        name: String = "live", status: String = "READY", live: String? = "1", target: String? = "1",
        failureReason: String? = nil
    ) -> [String: Any] {
        var object: [String: Any] = [
            "name": name, "agentRuntimeEndpointArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/x/e/\(name)",
            "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/\(runtimeId)",
            "status": status, "id": "\(name)-0123456789", "createdAt": 1_763_700_000, "lastUpdatedAt": 1_763_700_000,
        ]
        if let live { object["liveVersion"] = live }
        if let target { object["targetVersion"] = target }
        if let failureReason { object["failureReason"] = failureReason }
        return object
    }
}
