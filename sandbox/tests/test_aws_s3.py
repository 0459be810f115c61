"""S3 refuses uploads whose bytes do not match what the request declares (moto alone stores them), and
returns the checksum an upload declared (moto alone forgets it)."""

import base64
import hashlib

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def error_of(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def assert_absent(s3, bucket, key):
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key=key)
    assert error_of(excinfo)[0] == 404


def test_the_bucket_the_sandbox_created_exists(sandbox, s3):
    s3.head_bucket(Bucket=sandbox.info["s3_bucket"])
    role_name = sandbox.info["role_arn"].rsplit("/", 1)[1]
    role = sandbox.client("iam").get_role(RoleName=role_name)["Role"]
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": "bedrock-agentcore.amazonaws.com"}


def test_put_with_the_right_sha256_checksum_is_stored(sandbox, s3):
    bucket, body = sandbox.info["s3_bucket"], b"agent zip bytes"
    s3.put_object(Bucket=bucket, Key="checksum/good.zip", Body=body, ChecksumSHA256=sha256_b64(body))
    assert s3.get_object(Bucket=bucket, Key="checksum/good.zip")["Body"].read() == body


def test_the_declared_sha256_comes_back_from_head_and_get_with_checksum_mode(sandbox, s3):
    bucket, body = sandbox.info["s3_bucket"], b"agent zip bytes"
    put = s3.put_object(Bucket=bucket, Key="checksum/kept.zip", Body=body, ChecksumSHA256=sha256_b64(body))
    assert (put["ChecksumSHA256"], put["ChecksumType"]) == (sha256_b64(body), "FULL_OBJECT")
    head = s3.head_object(Bucket=bucket, Key="checksum/kept.zip", ChecksumMode="ENABLED")
    assert (head.get("ChecksumSHA256"), head.get("ChecksumType")) == (sha256_b64(body), "FULL_OBJECT")
    assert "x-amz-sdk-checksum-algorithm" not in head["ResponseMetadata"]["HTTPHeaders"]
    got = s3.get_object(Bucket=bucket, Key="checksum/kept.zip", ChecksumMode="ENABLED")
    assert (got.get("ChecksumSHA256"), got.get("ChecksumType")) == (sha256_b64(body), "FULL_OBJECT")
    # Without checksum mode, S3 leaves checksums out.
    assert not any(k.startswith("Checksum") for k in s3.head_object(Bucket=bucket, Key="checksum/kept.zip"))


def test_an_object_written_again_reports_the_new_bytes_checksum(sandbox, s3):
    bucket = sandbox.info["s3_bucket"]
    for body in (b"first build", b"replaced by someone"):
        s3.put_object(Bucket=bucket, Key="checksum/replaced.zip", Body=body, ChecksumSHA256=sha256_b64(body))
    head = s3.head_object(Bucket=bucket, Key="checksum/replaced.zip", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256_b64(b"replaced by someone")


def test_a_put_without_a_checksum_header_reports_none_of_sha256(sandbox):
    s3 = sandbox.client("s3", config=Config(request_checksum_calculation="when_required"))
    bucket = sandbox.info["s3_bucket"]
    s3.put_object(Bucket=bucket, Key="checksum/none.zip", Body=b"no checksum sent")
    assert "ChecksumSHA256" not in s3.head_object(Bucket=bucket, Key="checksum/none.zip", ChecksumMode="ENABLED")


def test_put_with_a_wrong_sha256_checksum_is_refused_and_not_stored(sandbox):
    s3 = sandbox.client("s3", retries=False)
    bucket = sandbox.info["s3_bucket"]
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="checksum/bad.zip", Body=b"agent zip bytes", ChecksumSHA256=sha256_b64(b"other"))
    assert error_of(excinfo) == (400, "BadDigest")
    assert_absent(s3, bucket, "checksum/bad.zip")


def test_put_with_a_malformed_checksum_is_an_invalid_request(sandbox):
    s3 = sandbox.client("s3", retries=False)
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=sandbox.info["s3_bucket"], Key="checksum/malformed.zip", Body=b"x", ChecksumSHA256="abc")
    assert error_of(excinfo) == (400, "InvalidRequest")


def test_body_changed_after_signing_fails_the_content_hash(sandbox):
    s3 = sandbox.client("s3", retries=False)
    bucket = sandbox.info["s3_bucket"]

    def swap_body(request, **_):
        request.body = b"swapped!"
        request.headers["Content-Length"] = str(len(request.body))

    s3.meta.events.register("before-send.s3.PutObject", swap_body)
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="checksum/swapped.txt", Body=b"original")
    assert error_of(excinfo) == (400, "XAmzContentSHA256Mismatch")
    assert_absent(s3, bucket, "checksum/swapped.txt")


def test_unsigned_payload_is_accepted(sandbox):
    s3 = sandbox.client("s3", config=Config(s3={"payload_signing_enabled": False}))
    sent = []
    s3.meta.events.register("before-send.s3.PutObject", lambda request, **_: sent.append(request.headers["X-Amz-Content-SHA256"]))
    s3.put_object(Bucket=sandbox.info["s3_bucket"], Key="unsigned/file.txt", Body=b"payload")
    assert sent == [b"UNSIGNED-PAYLOAD"]  # botocore keeps prepared header values as bytes
    assert s3.get_object(Bucket=sandbox.info["s3_bucket"], Key="unsigned/file.txt")["Body"].read() == b"payload"


def test_keys_with_spaces_and_unicode_sign_and_round_trip(sandbox, s3):
    bucket, key = sandbox.info["s3_bucket"], "dir with space/ünïcode+plus=.zip"
    s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="dir with space/")["Contents"]
    assert [o["Key"] for o in listed] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    assert_absent(s3, bucket, key)
