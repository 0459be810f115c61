"""S3's checks on what a PutObject carries, which moto skips.

S3 compares the body with `x-amz-content-sha256` (the hash the signature covers), with
`Content-MD5`, and with any `x-amz-checksum-*` header, and refuses a mismatch instead of storing
corrupt bytes. moto stores whatever arrives, so without this an upload that AWS would refuse
passes locally.
"""

import base64
import binascii
import hashlib
import re
import zlib

from .errors import ErrorReply
from .request import AwsRequest

STREAMING_PAYLOADS = {
    "UNSIGNED-PAYLOAD",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
}
# Checksums S3 verifies that Python computes without extra packages (CRC32C and CRC64NVME
# need one; those headers pass through unchecked).
CHECKSUMS = {
    "x-amz-checksum-sha256": ("SHA256", lambda body: hashlib.sha256(body).digest()),
    "x-amz-checksum-sha1": ("SHA1", lambda body: hashlib.sha1(body).digest()),
    "x-amz-checksum-crc32": ("CRC32", lambda body: zlib.crc32(body).to_bytes(4, "big")),
}


def s3_payload_problem(request: AwsRequest) -> ErrorReply | None:
    sha256 = _once(lambda: hashlib.sha256(request.body).digest())  # both headers name it: one pass of the body
    declared = request.headers.get("x-amz-content-sha256")
    if declared is None:
        if request.authorization is not None and not request.presigned:
            return ErrorReply("s3", 400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
    elif declared not in STREAMING_PAYLOADS:
        if not re.fullmatch(r"[0-9a-f]{64}", declared):
            return ErrorReply("s3", 400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, or a valid sha256 value.")
        if sha256().hex() != declared:
            return ErrorReply("s3", 400, "XAmzContentSHA256Mismatch",
                              "The provided 'x-amz-content-sha256' header does not match what was computed.")
    if "aws-chunked" in request.headers.get("content-encoding", "") or (declared or "").startswith("STREAMING-"):
        return None  # the body is framed in chunks; moto unwraps it, and trailing checksums are its business

    md5 = request.headers.get("content-md5")
    if md5 is not None:
        given = _base64(md5)
        if given is None or len(given) != 16:
            return ErrorReply("s3", 400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
        if given != hashlib.md5(request.body).digest():
            return ErrorReply("s3", 400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    for header, (name, compute) in CHECKSUMS.items():
        value = request.headers.get(header)
        if value is None:
            continue
        expected = sha256() if header == "x-amz-checksum-sha256" else compute(request.body)
        given = _base64(value)
        if given is None or len(given) != len(expected):
            return ErrorReply("s3", 400, "InvalidRequest", f"Value for {header} header is invalid.")
        if given != expected:
            return ErrorReply("s3", 400, "BadDigest", f"The {name} you specified did not match the calculated checksum.")
    return None


def _once(compute):
    """`compute`, run on the first call only."""
    results = []

    def value():
        if not results:
            results.append(compute())
        return results[0]
    return value


def _base64(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
