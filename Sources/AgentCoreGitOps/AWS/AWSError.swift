import Foundation

/// An error AWS returned, decoded from the response: code, message, status, request id and,
/// for ValidationException, the reason and the offending fields.
public struct AWSError: Error, Sendable, Equatable {
    public struct Field: Sendable, Equatable, Codable {
        public var name: String
        public var message: String
    }

    /// The error type without namespace, e.g. `ValidationException`, `NoSuchKey`.
    public var code: String
    public var message: String
    public var httpStatus: Int
    public var requestID: String?
    /// The operation that failed, e.g. `CreateAgentRuntime`.
    public var operation: String
    public var reason: String?
    public var fieldList: [Field] = []
    /// The signing name of the service that answered (`bedrock-agentcore`, `s3`, `sts`), which is
    /// also its IAM action prefix.
    public var service: String?

    public var isNotFound: Bool {
        code == "ResourceNotFoundException" || code == "NoSuchKey" || code == "NotFound" || httpStatus == 404
    }
    /// IAM (or a bucket policy) refused the call: the credentials lack a permission.
    public var isAccessDenied: Bool { code == "AccessDenied" || code == "AccessDeniedException" }
    public var isConflict: Bool { code == "ConflictException" || httpStatus == 409 }
    /// A conditional S3 write whose condition did not hold (412), or that lost a race with
    /// another conditional write of the same key (409 ConditionalRequestConflict).
    public var isPreconditionFailed: Bool {
        code == "PreconditionFailed" || httpStatus == 412 || code == "ConditionalRequestConflict"
    }
    public var isThrottling: Bool {
        httpStatus == 429 || ["ThrottlingException", "Throttling", "TooManyRequestsException", "SlowDown",
                              "RequestLimitExceeded"].contains(code)
    }
}

extension AWSError: CustomStringConvertible, LocalizedError {
    /// One line for a person: what failed and what AWS said, then what to do about it.
    public var description: String { ActionableError(problem, fix: fix).description }

    public var errorDescription: String? { description }

    /// What failed and what AWS said: operation, code, status, message, reason, the fields a
    /// ValidationException names, and the request id AWS support asks for.
    public var problem: String { "\(operation) failed: \(details)" }

    /// What AWS said, without the operation: code, status, message, reason, fields, request id.
    public var details: String {
        var text = "\(code) (HTTP \(httpStatus))"
        if !message.isEmpty { text += ": \(message)" }
        if let reason { text += " [reason: \(reason)]" }
        if !fieldList.isEmpty { text += " (" + fieldList.map { "\($0.name): \($0.message)" }.joined(separator: "; ") + ")" }
        if let requestID { text += " (request id \(requestID))" }
        return text
    }

    /// The IAM action the call needs, e.g. `bedrock-agentcore:CreateAgentRuntime`.
    public var iamAction: String? {
        guard let service else { return nil }
        // HeadObject has no action of its own: S3 checks s3:GetObject.
        let action = service == "s3" && operation == "HeadObject" ? "GetObject" : operation
        return "\(service):\(action)"
    }

    /// What to do about it: the one advice table for AWS's error codes. Front ends may name
    /// their own commands instead (the CLI does, for a few codes).
    public var fix: String {
        switch code {
        case "AccessDenied", "AccessDeniedException":
            let permission = iamAction.map { "`\($0)`" } ?? "the permission for \(operation)"
            let alsoNeeded = ["CreateAgentRuntime", "UpdateAgentRuntime"].contains(operation)
                ? " (plus `iam:PassRole` on the execution role and `s3:GetObject` on the code zip)" : ""
            return "The AWS identity in use may not call \(operation). Grant it \(permission)\(alsoNeeded) in an "
                + "IAM policy, or use credentials of a role that has it."
        case "SignatureDoesNotMatch", "InvalidSignatureException", "UnrecognizedClientException",
             "InvalidClientTokenId", "InvalidAccessKeyId", "IncompleteSignature", "MissingAuthenticationToken":
            return "AWS rejected the credentials. Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile in "
                + "AWS_PROFILE) for typos or deactivated keys, that AWS_SESSION_TOKEN belongs to them, and that "
                + "the system clock is right."
        case "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired":
            return "The temporary credentials have expired. Refresh them (`aws sso login`, re-run "
                + "aws-actions/configure-aws-credentials, or export new AWS_SESSION_TOKEN values) and retry."
        case "ServiceQuotaExceededException":
            return "An AgentCore quota is reached (e.g. 1,000 runtimes or versions, 10 endpoints per runtime). "
                + "Delete unused runtimes or ask AWS for a higher quota."
        case "ValidationException":
            return "Correct the value AWS names and run again."
        default:
            if isThrottling { return "AWS is throttling requests. Wait and retry, or raise AWS_MAX_ATTEMPTS." }
            if isNotFound { return "Check the names and ids: the resource does not exist (or no longer does)." }
            if isConflict { return "It exists already or is busy changing. Wait until it settles, then run again." }
            return httpStatus >= 500
                ? "AWS had a temporary problem. Run again: every step is safe to repeat."
                : "Correct the request and run again."
        }
    }
}
