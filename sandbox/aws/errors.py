"""Error replies shaped the way each AWS protocol shapes them, so SDKs parse them as real ones.

S3 speaks REST-XML (`<Error><Code>`), STS and IAM speak the query protocol (`<ErrorResponse>`),
and the AgentCore control plane speaks REST-JSON (`{"message"}` plus `X-Amzn-Errortype`).
"""

import json
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

QUERY_SERVICES = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/", "iam": "https://iam.amazonaws.com/doc/2010-05-08/"}


@dataclass
class ErrorReply:
    """An AWS error for one service, ready to be written as a WSGI response."""

    service: str
    status: int
    code: str
    message: str
    extra: dict = field(default_factory=dict)

    def render(self, method: str = "GET") -> tuple[str, list[tuple[str, str]], bytes]:
        request_id = str(uuid.uuid4())
        if self.service == "s3":
            content_type = "application/xml"
            details = "".join(f"<{key}>{escape(value)}</{key}>" for key, value in self.extra.items())
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message>{details}"
                f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
            )
            headers = [("x-amz-request-id", request_id)]
        elif self.service in QUERY_SERVICES:
            content_type = "text/xml"
            fault = "Sender" if self.status < 500 else "Receiver"
            body = (
                f'<ErrorResponse xmlns="{QUERY_SERVICES[self.service]}"><Error><Type>{fault}</Type>'
                f"<Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>"
            )
            headers = [("x-amzn-RequestId", request_id)]
        else:
            content_type = "application/json"
            body = json.dumps({"__type": self.code, "message": self.message, **self.extra})
            headers = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", self.code)]
        payload = b"" if method == "HEAD" else body.encode()
        headers += [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
        return f"{self.status} {STATUS_TEXT.get(self.status, 'Error')}", headers, payload


STATUS_TEXT = {
    400: "Bad Request",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    424: "Failed Dependency",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def protocol_of(service: str) -> str:
    if service == "s3":
        return "rest-xml"
    if service in QUERY_SERVICES:
        return "query"
    return "json"


def throttled(service: str) -> ErrorReply:
    if service == "s3":
        return ErrorReply(service, 503, "SlowDown", "Please reduce your request rate.")
    if protocol_of(service) == "query":
        return ErrorReply(service, 400, "Throttling", "Rate exceeded")
    return ErrorReply(service, 429, "ThrottlingException", "Rate exceeded")


def internal_error(service: str) -> ErrorReply:
    if service == "s3":
        return ErrorReply(service, 500, "InternalError", "We encountered an internal error. Please try again.")
    if protocol_of(service) == "query":
        return ErrorReply(service, 500, "InternalFailure", "The request processing has failed because of an unknown error.")
    return ErrorReply(service, 500, "InternalServerException", "The server encountered an internal error.")


def access_denied(service: str) -> ErrorReply:
    """What a caller whose IAM policy lacks the action gets (no retry helps)."""
    if service == "s3":
        return ErrorReply(service, 403, "AccessDenied", "Access Denied")
    message = "User is not authorized to perform this action (injected by the sandbox)"
    if protocol_of(service) == "query":
        return ErrorReply(service, 403, "AccessDenied", message)
    return ErrorReply(service, 403, "AccessDeniedException", message)


def unavailable(service: str) -> ErrorReply:
    if service == "s3":
        return ErrorReply(service, 503, "ServiceUnavailable", "Service is unable to handle request.")
    if protocol_of(service) == "query":
        return ErrorReply(service, 503, "ServiceUnavailable", "Service is unavailable.")
    return ErrorReply(service, 503, "ServiceUnavailableException", "Service is unavailable.")


# Authentication failures, per protocol: (status, code, message).
_AUTH_ERRORS = {
    "missing": {
        "rest-xml": (403, "AccessDenied", "Access Denied"),
        "query": (403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        "json": (403, "MissingAuthenticationTokenException", "Missing Authentication Token"),
    },
    "malformed": {
        "rest-xml": (400, "AuthorizationHeaderMalformed", "The authorization header is malformed."),
        "query": (403, "IncompleteSignature", "The request signature does not conform to AWS standards."),
        "json": (403, "IncompleteSignatureException", "The request signature does not conform to AWS standards."),
    },
    "unknown_key": {
        "rest-xml": (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
        "query": (403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        "json": (403, "UnrecognizedClientException", "The security token included in the request is invalid."),
    },
    "bad_token": {
        "rest-xml": (400, "InvalidToken", "The provided token is malformed or otherwise invalid."),
        "query": (403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        "json": (403, "UnrecognizedClientException", "The security token included in the request is invalid."),
    },
    "expired_token": {
        "rest-xml": (400, "ExpiredToken", "The provided token has expired."),
        "query": (403, "ExpiredToken", "The security token included in the request is expired"),
        "json": (403, "ExpiredTokenException", "The security token included in the request is expired"),
    },
    "signature": {
        "rest-xml": (403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
        "query": (403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
        "json": (403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
    },
    "skewed": {
        "rest-xml": (403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."),
        "query": (403, "SignatureDoesNotMatch", "Signature expired: the request time is more than 15 minutes away from the server time."),
        "json": (403, "InvalidSignatureException", "Signature expired: the request time is more than 15 minutes away from the server time."),
    },
}


def auth_error(service: str, kind: str, detail: str = "") -> ErrorReply:
    status, code, message = _AUTH_ERRORS[kind][protocol_of(service)]
    return ErrorReply(service, status, code, f"{message} {detail}".strip())
