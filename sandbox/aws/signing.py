"""SigV4 verification for every AWS request, recomputed from the bytes that arrived.

moto's own check is off: it skips most services and, for the AgentCore control plane, rejects
every correctly signed GET and DELETE (it signs an empty body differently). This verifier
rebuilds the canonical request per the SigV4 specification (S3 paths encoded once, other
services twice; S3 trusts `x-amz-content-sha256`, other services hash the body) and accepts
the sandbox's own credentials and those its STS issued, session token included.
"""

import datetime
import hashlib
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import quote

from .errors import ErrorReply, auth_error
from .request import AwsRequest

log = logging.getLogger("sandbox.aws")
MAX_SKEW = datetime.timedelta(minutes=15)
UNSIGNED_PAYLOADS = {"UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}


@dataclass
class Credential:
    secret_access_key: str
    session_token: str | None = None
    expires: datetime.datetime | None = None


class CredentialStore:
    """The sandbox's own key pair, plus whatever moto's IAM and STS have issued since."""

    def __init__(self, access_key_id: str, secret_access_key: str):
        self.access_key_id = access_key_id
        self.own = Credential(secret_access_key)

    def find(self, access_key_id: str) -> Credential | None:
        if hmac.compare_digest(access_key_id, self.access_key_id):
            return self.own
        from moto.iam.models import iam_backends
        from moto.sts.models import sts_backends

        for account_id, account in list(iam_backends.items()):
            key = account["aws"].access_keys.get(access_key_id)
            if key is None:
                continue
            session = sts_backends[account_id]["aws"].get_assumed_role_from_access_key(access_key_id)
            if session is None:
                return Credential(key.secret_access_key)
            return Credential(key.secret_access_key, session.session_token, session.expiration)
        return None


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_query(request: AwsRequest) -> str:
    pairs = [(k, v) for k, v in request.query_pairs if not (request.presigned and k == "X-Amz-Signature")]
    return "&".join(f"{k}={v}" for k, v in sorted((_encode(k), _encode(v)) for k, v in pairs))


def canonical_path(request: AwsRequest) -> str:
    path = request.raw_path or "/"
    if request.service == "s3":
        return path  # S3 signs the path as sent, encoded once
    from botocore.utils import normalize_url_path

    return quote(normalize_url_path(path), safe="/~")


def payload_hash(request: AwsRequest) -> str:
    if request.service == "s3":
        declared = request.headers.get("x-amz-content-sha256")
        if declared:
            return declared
        if request.presigned:
            return "UNSIGNED-PAYLOAD"
    return hashlib.sha256(request.body).hexdigest()


def canonical_request(request: AwsRequest, signed_headers: list[str]) -> str:
    headers = "".join(f"{name}:{' '.join(request.headers.get(name, '').split())}\n" for name in signed_headers)
    return "\n".join([
        request.method,
        canonical_path(request),
        canonical_query(request),
        headers,
        ";".join(signed_headers),
        payload_hash(request),
    ])


def string_to_sign(amz_date: str, scope: list[str], canonical: str) -> str:
    return "\n".join(["AWS4-HMAC-SHA256", amz_date, "/".join(scope), hashlib.sha256(canonical.encode()).hexdigest()])


def signature(secret: str, scope: list[str], to_sign: str) -> str:
    date, region, service, terminator = scope
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), date), region), service), terminator)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def mismatch(request: AwsRequest, canonical: str, to_sign: str) -> ErrorReply:
    """AWS's answer to a wrong signature, which shows what it expected so a signer can be fixed."""
    reply = auth_error(request.service, "signature")
    if request.service == "s3":
        reply.extra = {"CanonicalRequest": canonical, "StringToSign": to_sign,
                       "SignatureProvided": request.authorization["Signature"]}
    else:
        reply.message += (f"\n\nThe Canonical String for this request should have been\n'{canonical}'"
                          f"\n\nThe String-to-Sign should have been\n'{to_sign}'\n")
    return reply


class SigV4Verifier:
    def __init__(self, credentials: CredentialStore):
        self.credentials = credentials

    def problem(self, request: AwsRequest, now: datetime.datetime | None = None) -> ErrorReply | None:
        """None when the request is signed correctly with a live credential; else AWS's 403."""
        service = request.service
        auth = request.authorization
        if auth is None:
            if request.operation in ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"):
                return None
            return auth_error(service, "missing")
        scope = auth["Credential"].split("/")
        signed_headers = [h for h in auth["SignedHeaders"].split(";") if h]
        if auth["Algorithm"] != "AWS4-HMAC-SHA256" or len(scope) != 5 or not auth["Signature"] or "host" not in signed_headers:
            return auth_error(service, "malformed", "Use AWS4-HMAC-SHA256 with Credential, SignedHeaders (incl. host), Signature.")
        access_key_id, *scope = scope
        amz_date = request.query.get("X-Amz-Date") if request.presigned else request.headers.get("x-amz-date")
        try:
            signed_at = datetime.datetime.strptime(amz_date or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return auth_error(service, "malformed", "X-Amz-Date is missing or not in the form YYYYMMDDTHHMMSSZ.")
        if scope[0] != amz_date[:8] or scope[3] != "aws4_request":
            return auth_error(service, "signature", "The credential scope date does not match X-Amz-Date.")
        now = now or datetime.datetime.now(datetime.timezone.utc)
        if request.presigned:
            expires = int(request.query.get("X-Amz-Expires", "0") or 0)
            if now > signed_at + datetime.timedelta(seconds=expires):
                return ErrorReply(service, 403, "AccessDenied", "Request has expired")
        elif abs(now - signed_at) > MAX_SKEW:
            return auth_error(service, "skewed")

        credential = self.credentials.find(access_key_id)
        if credential is None:
            return auth_error(service, "unknown_key")
        token = request.query.get("X-Amz-Security-Token") if request.presigned else request.headers.get("x-amz-security-token")
        if credential.session_token is None and token:
            return auth_error(service, "bad_token")
        if credential.session_token is not None:
            if not token or not hmac.compare_digest(token, credential.session_token):
                return auth_error(service, "unknown_key" if not token else "bad_token")
            if credential.expires is not None and now.replace(tzinfo=None) > credential.expires.replace(tzinfo=None):
                return auth_error(service, "expired_token")

        canonical = canonical_request(request, signed_headers)
        to_sign = string_to_sign(amz_date, scope, canonical)
        if not hmac.compare_digest(signature(credential.secret_access_key, scope, to_sign), auth["Signature"]):
            log.info("signature mismatch: %s %s (signed headers %s)", request.method, request.raw_path, ";".join(signed_headers))
            return mismatch(request, canonical, to_sign)
        return None
