import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Turns an error response into `AWSError`, whichever protocol the service speaks:
/// rest-json (AgentCore: type in `X-Amzn-Errortype` or `__type`/`code`, `message`, `reason`,
/// `fieldList`), or XML (S3 `<Error><Code>…`, STS `<ErrorResponse><Error><Code>…`).
/// A bodiless answer (S3 HEAD) gets its code from the HTTP status.
enum AWSErrorDecoder {
    static func decode(
        status: Int, headers: [String: String], body: Data, operation: String, service: String
    ) -> AWSError {
        var error = AWSError(
            code: codeForStatus(status), message: "", httpStatus: status,
            requestID: headers["x-amzn-requestid"] ?? headers["x-amz-request-id"] ?? headers["x-amzn-request-id"],
            operation: operation, service: service)

        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{"), let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            applyJSON(json, to: &error)
        } else if text.hasPrefix("<"), let code = XMLValues(body)["Code"] {
            let values = XMLValues(body)
            error.code = code
            error.message = values["Message"] ?? ""
            error.requestID = error.requestID ?? values["RequestId"]
        } else if !text.isEmpty {
            // Not an AWS error document (a proxy's or an emulator's HTML page): keep its start.
            error.message = String(text.prefix(300))
        }
        if let type = headers["x-amzn-errortype"], !type.isEmpty {
            error.code = shortName(type)
        }
        if error.message.isEmpty {
            error.message = HTTPURLResponse.localizedString(forStatusCode: status)
        }
        return error
    }

    private static func applyJSON(_ json: [String: Any], to error: inout AWSError) {
        if let type = (json["__type"] ?? json["code"] ?? json["Code"]) as? String {
            error.code = shortName(type)
        }
        error.message = (json["message"] ?? json["Message"] ?? json["errorMessage"]) as? String ?? ""
        error.reason = json["reason"] as? String
        if let fields = json["fieldList"] as? [[String: Any]] {
            error.fieldList = fields.map {
                AWSError.Field(name: $0["name"] as? String ?? "", message: $0["message"] as? String ?? "")
            }
        }
    }

    /// `aws.protocol#ValidationException` and `ValidationException:http://internal...` → `ValidationException`.
    static func shortName(_ type: String) -> String {
        var name = Substring(type)
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        if let hash = name.lastIndex(of: "#") { name = name[name.index(after: hash)...] }
        return name.trimmingCharacters(in: .whitespaces)
    }

    private static func codeForStatus(_ status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 400: "BadRequest"
        case 403: "AccessDenied"
        case 404: "NotFound"
        case 409: "Conflict"
        case 412: "PreconditionFailed"
        case 429: "TooManyRequestsException"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }
}
