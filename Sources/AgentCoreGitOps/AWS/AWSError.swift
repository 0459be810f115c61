import Foundation

/// An error AWS returned, decoded from the response: code, message, status, request id and,
/// for ValidationException, the reason and the offending fields.
public struct AWSError: Error, Sendable, Equatable {
    public struct Field: Sendable, Equatable, Codable {
        public var name: String
        public var message: String
        public init(name: String, message: String) {
            self.name = name
            self.message = message
        }
    }

    /// The error type without namespace, e.g. `ValidationException`, `NoSuchKey`.
    public var code: String
    public var message: String
    public var httpStatus: Int
    public var requestID: String?
    /// The operation that failed, e.g. `CreateAgentRuntime`.
    public var operation: String
    public var reason: String?
    public var fieldList: [Field]

    public init(
        code: String, message: String, httpStatus: Int, requestID: String? = nil,
        operation: String, reason: String? = nil, fieldList: [Field] = []
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.operation = operation
        self.reason = reason
        self.fieldList = fieldList
    }

    public var isNotFound: Bool {
        code == "ResourceNotFoundException" || code == "NoSuchKey" || code == "NotFound" || httpStatus == 404
    }
    public var isConflict: Bool { code == "ConflictException" || httpStatus == 409 }
    public var isThrottling: Bool {
        httpStatus == 429 || ["ThrottlingException", "Throttling", "TooManyRequestsException", "SlowDown",
                              "RequestLimitExceeded"].contains(code)
    }
}
