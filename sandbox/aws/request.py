"""One incoming AWS request, read once: who it is for, what it asks, and what it carries."""

import io
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from .models import SHARED_SIGNING_NAMES, SIGNING_NAME_TO_SERVICE, rest_operation, service_model

# Calls AWS accepts without a signature: they carry a token from an identity provider instead.
UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity": "sts", "AssumeRoleWithSAML": "sts"}


@dataclass
class AwsRequest:
    method: str
    raw_path: str  # as on the wire, percent-encoding intact
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    service: str  # the SigV4 signing name: "s3", "sts", "iam", "bedrock-agentcore"
    authorization: dict[str, str] | None  # Credential, SignedHeaders, Signature, Algorithm
    presigned: bool
    operation: str | None = None
    client_token: str | None = None
    api: str | None = None  # botocore's name of the API the operation belongs to, e.g. "bedrock-runtime"

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        return [(unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in self.raw_query.split("&") if p)]

    @property
    def query(self) -> dict[str, str]:
        return dict(self.query_pairs)


def read_request(environ: dict) -> AwsRequest:
    """Buffers the body (so later layers and moto can read it again) and identifies the request."""
    body = _read_body(environ)
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    raw_path, _, raw_query = raw_uri.partition("?")
    if not raw_query:
        raw_query = environ.get("QUERY_STRING", "")
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]

    request = AwsRequest(environ["REQUEST_METHOD"], raw_path, raw_query, headers, body, "s3", None, False)
    authorization = _parse_authorization(headers.get("authorization", ""))
    query = request.query
    if authorization:
        request.authorization = authorization
    elif "X-Amz-Signature" in query:
        request.presigned = True
        request.authorization = {
            "Algorithm": query.get("X-Amz-Algorithm", ""),
            "Credential": query.get("X-Amz-Credential", ""),
            "SignedHeaders": query.get("X-Amz-SignedHeaders", ""),
            "Signature": query.get("X-Amz-Signature", ""),
        }
    if request.authorization:
        scope = request.authorization["Credential"].split("/")
        if len(scope) == 5:
            request.service = scope[3]
    else:
        action = _form(request).get("Action") or query.get("Action")
        request.service = UNSIGNED_ACTIONS.get(action, "s3")  # moto also falls back to S3
    request.api, request.operation = _operation(request)
    request.client_token = _client_token(request)
    return request


def _read_body(environ: dict) -> bytes:
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH")
    if stream is None:
        body = b""
    elif length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated") or environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["wsgi.input_terminated"] = False
    if body or length:
        environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


def _parse_authorization(header: str) -> dict[str, str] | None:
    algorithm, _, rest = header.strip().partition(" ")
    if not algorithm:
        return None
    parts = {"Algorithm": algorithm}
    for item in rest.split(","):
        key, _, value = item.strip().partition("=")
        parts[key] = value
    for key in ("Credential", "SignedHeaders", "Signature"):
        parts.setdefault(key, "")
    return parts


def _form(request: AwsRequest) -> dict[str, str]:
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    return {}


def _operation(request: AwsRequest) -> tuple[str | None, str | None]:
    """(API, operation): the signing name's main API first, then the APIs sharing its name."""
    service = SIGNING_NAME_TO_SERVICE.get(request.service, request.service)
    try:
        protocol = service_model(service).protocol
    except Exception:  # a service botocore does not know: log it without an operation
        return None, None
    if protocol in ("query", "ec2"):
        return service, _form(request).get("Action") or request.query.get("Action")
    if protocol == "json":
        target = request.headers.get("x-amz-target", "")
        return service, target.rpartition(".")[2] or None
    query_keys = {key for key, _ in request.query_pairs}
    operation = rest_operation(service, request.method, unquote(request.raw_path), query_keys, set(request.headers))
    if operation is not None:
        return service, operation
    for shared in SHARED_SIGNING_NAMES.get(request.service, ()):
        # Matched on the path as sent: these APIs put ARNs in a path segment, `/` encoded as %2F.
        operation = rest_operation(shared, request.method, request.raw_path, query_keys, set(request.headers))
        if operation is not None:
            return shared, operation
    return service, None


def _client_token(request: AwsRequest) -> str | None:
    token = request.query.get("clientToken")
    if token:
        return token
    if request.body[:1] == b"{":
        try:
            value = json.loads(request.body).get("clientToken")
            return value if isinstance(value, str) else None
        except (ValueError, AttributeError):
            return None
    return None
