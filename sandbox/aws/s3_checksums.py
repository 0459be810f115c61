"""The checksum an object was written with, kept and returned as S3 does, on top of moto.

S3 stores the checksum a PutObject declares in an `x-amz-checksum-<algorithm>` header (after
checking it, see payload.py) and returns it with the checksum type: in PutObject's answer, and in
HeadObject's and GetObject's when the request sends `x-amz-checksum-mode: ENABLED`. A single
PutObject's checksum is of the whole object (`FULL_OBJECT`); a multipart object's COMPOSITE
checksum ends in `-<parts>`. moto 5.2 keeps a checksum only when the SDK also names the algorithm
in `x-amz-sdk-checksum-algorithm`, which boto3 and the tool leave out when they send the value, so
HeadObject answered without one and every check against it passed unchecked. moto's HeadObject
also leaves out the type and the part count, and adds the SDK's request header to its answer.
"""

from moto.s3.responses import S3Response

from . import s3_conditional

# The algorithms S3 accepts in `x-amz-checksum-<algorithm>`, as moto names them.
ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")
_moto_get_checksum = S3Response._get_checksum
_moto_put_object = S3Response.put_object
_moto_head_object = S3Response.head_object


def install() -> None:
    """Patches moto's S3 handlers; call once, before serving (after s3_conditional.install)."""
    S3Response._get_checksum = _declared_checksum
    S3Response.put_object = _put_object
    S3Response.head_object = _head_object


def _declared_checksum(self: S3Response, response_headers: dict) -> tuple[str, str | None]:
    """The algorithm and value a write declares; moto's own rules when the SDK header names one."""
    if not self.headers.get("x-amz-sdk-checksum-algorithm"):
        for algorithm in ALGORITHMS:
            header = f"x-amz-checksum-{algorithm.lower()}"
            value = self.headers.get(header)
            if value:
                response_headers[header] = value
                return algorithm, value
    return _moto_get_checksum(self, response_headers)


def _put_object(self: S3Response):
    status, headers, body = _moto_put_object(self)
    if status == 200 and any(header.startswith("x-amz-checksum-") for header in headers):
        # Object writes run one at a time (s3_conditional), so this is the object just written.
        key = self.backend.get_object(self.bucket_name, self.parse_key_name())
        if key is not None and key.checksum_algorithm:
            key.checksum_type = "FULL_OBJECT"
            headers["x-amz-checksum-type"] = "FULL_OBJECT"
    return status, headers, body


def _head_object(self: S3Response, bucket_name: str, query: dict, key_name: str, headers: dict):
    with s3_conditional.OBJECT_WRITES:  # moto's answer and the key read here are of the same object
        return _checksummed_head(self, bucket_name, query, key_name, headers)


def _checksummed_head(self: S3Response, bucket_name: str, query: dict, key_name: str, headers: dict):
    status, response_headers, body = _moto_head_object(self, bucket_name, query, key_name, headers)
    response_headers.pop("x-amz-sdk-checksum-algorithm", None)  # a request header, never in S3's answer
    if status != 200 or headers.get("x-amz-checksum-mode") != "ENABLED":
        return status, response_headers, body
    key = self.backend.head_object(bucket_name, key_name, version_id=query.get("versionId", [None])[0])
    if key is None or not key.checksum_algorithm:
        return status, response_headers, body
    header = f"x-amz-checksum-{key.checksum_algorithm.lower()}"
    kind = key.checksum_type or "FULL_OBJECT"
    value = key.checksum_value
    if kind == "COMPOSITE" and key.checksum_parts:
        value = f"{value}-{key.checksum_parts}"
    response_headers[header] = value
    response_headers["x-amz-checksum-type"] = kind
    return status, response_headers, body
