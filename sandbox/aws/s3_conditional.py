"""S3 conditional writes as S3 answers them, atomically, on top of moto's object handlers.

A lease object written with `If-None-Match: *` or `If-Match: <etag>` is only a lease if the
check and the write are one step. moto 5.2 checks, then writes, while other request threads run,
so two racing `If-None-Match: *` puts could both succeed; here every object write
(PUT, POST, DELETE on a key) runs under one lock. Also, as S3 does and moto does not:
- PutObject's `If-None-Match` accepts only `*`; another value is 501 NotImplemented;
- DeleteObject with `If-Match` (an ETag or `*`) on a key that does not exist is 404 NoSuchKey:
  the condition is about the object, so there is nothing it can hold for.
moto already answers 412 PreconditionFailed for `If-None-Match: *` on an existing key and for an
`If-Match` ETag that differs, and 404 NoSuchKey for `If-Match` on PutObject of an absent key.
"""

import threading
from urllib.parse import parse_qs, urlparse

from moto.s3.responses import S3Response

from .errors import ErrorReply

OBJECT_WRITES = threading.Lock()
WRITE_METHODS = {"PUT", "POST", "DELETE"}
_moto_key_response = S3Response._key_response


def install() -> None:
    """Routes moto's object requests through `_conditional_key_response`; call once, before serving."""
    S3Response._key_response = _conditional_key_response


def _conditional_key_response(self: S3Response, request, full_url: str):
    if request.method not in WRITE_METHODS:
        return _moto_key_response(self, request, full_url)
    with OBJECT_WRITES:
        refusal = _refusal(self, request, full_url)
        if refusal is not None:
            return refusal
        return _moto_key_response(self, request, full_url)


def _refusal(response: S3Response, request, full_url: str):
    query = {key for key in parse_qs(urlparse(full_url).query, keep_blank_values=True) if key != "x-id"}
    if query:  # a sub-resource (tagging, acl, multipart parts, versionId): moto's rules apply
        return None
    headers = request.headers
    if request.method == "PUT" and "x-amz-copy-source" not in headers:
        if_none_match = headers.get("If-None-Match")
        if if_none_match is not None and if_none_match.strip() != "*":
            return _reply(ErrorReply("s3", 501, "NotImplemented",
                                     "A header you provided implies functionality that is not implemented",
                                     {"Header": "If-None-Match"}))
    if request.method == "DELETE" and headers.get("If-Match") is not None:
        bucket = response.parse_bucket_name_from_url(request, full_url)
        key = response.parse_key_name()
        if response.backend.get_object(bucket, key) is None:
            return _reply(ErrorReply("s3", 404, "NoSuchKey", "The specified key does not exist.", {"Key": key}))
    return None


def _reply(error: ErrorReply):
    status, headers, body = error.render()
    return int(status.split()[0]), dict(headers), body
