"""Every AWS request must be SigV4-signed with the sandbox's credentials (or ones its STS issued)."""

import datetime
import hashlib
import json
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def status_and_code(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


# What replaces the sandbox's good credentials: a wrong secret, or a key it never issued.
BAD_CREDENTIALS = {
    "wrong_secret": {"aws_secret_access_key": "not-the-secret"},
    "unknown_key": {"aws_access_key_id": "AKIAUNKNOWNUNKNOWN00"},
}


@pytest.mark.parametrize(
    ("credentials", "service", "call", "expected_code"),
    [
        ("wrong_secret", "s3", lambda c, info: c.list_objects_v2(Bucket=info["s3_bucket"]), "SignatureDoesNotMatch"),
        ("wrong_secret", "sts", lambda c, info: c.get_caller_identity(), "SignatureDoesNotMatch"),
        ("wrong_secret", "bedrock-agentcore-control", lambda c, info: c.list_agent_runtimes(), "InvalidSignatureException"),
        # HEAD: no body, so the code is the status.
        ("unknown_key", "s3", lambda c, info: c.head_bucket(Bucket=info["s3_bucket"]), "403"),
        ("unknown_key", "s3", lambda c, info: c.list_objects_v2(Bucket=info["s3_bucket"]), "InvalidAccessKeyId"),
        ("unknown_key", "sts", lambda c, info: c.get_caller_identity(), "InvalidClientTokenId"),
        ("unknown_key", "bedrock-agentcore-control", lambda c, info: c.list_agent_runtimes(), "UnrecognizedClientException"),
    ],
)
def test_bad_credentials_are_a_403(sandbox, credentials, service, call, expected_code):
    client = sandbox.client(service, retries=False, **BAD_CREDENTIALS[credentials])
    with pytest.raises(ClientError) as excinfo:
        call(client, sandbox.info)
    assert status_and_code(excinfo) == (403, expected_code)


def test_unsigned_request_is_a_403(sandbox):
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(f"{sandbox.info['aws_endpoint']}/{sandbox.info['s3_bucket']}", timeout=10)
    assert excinfo.value.code == 403
    assert b"<Code>AccessDenied</Code>" in excinfo.value.read()


def test_signed_get_and_delete_with_empty_bodies_pass(sandbox, agentcore, runtime_request, unique_name):
    """plain moto rejects these for the AgentCore control plane even when they are signed correctly."""
    runtime_id = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request)["agentRuntimeId"]
    assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")["agentRuntimeId"] == runtime_id
    assert agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")["name"] == "DEFAULT"
    assert agentcore.delete_agent_runtime(agentRuntimeId=runtime_id)["status"] == "DELETING"
    statuses = [r["status"] for r in sandbox.control("GET", "/_sandbox/requests")[1]["requests"]
                if r["path"].startswith(f"/runtimes/{runtime_id}/")]
    assert statuses == [200, 200, 202]


def test_tampered_body_fails_the_signature(sandbox):
    url = sandbox.info["aws_endpoint"] + "/runtimes/"
    request = AWSRequest(method="POST", url=url, data=b"{}", headers={"Content-Type": "application/json"})
    credentials = Credentials(sandbox.info["aws_access_key_id"], sandbox.info["aws_secret_access_key"])
    SigV4Auth(credentials, "bedrock-agentcore", sandbox.info["region"]).add_auth(request)
    sent = urllib.request.Request(url, data=b'{"maxResults": 1}', headers=dict(request.headers.items()), method="POST")
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(sent, timeout=10)
    assert excinfo.value.code == 403
    assert excinfo.value.headers["X-Amzn-Errortype"] == "InvalidSignatureException"
    # As AWS does, the answer shows what was expected, so a hand-written signer can be debugged.
    message = json.loads(excinfo.value.read())["message"]
    assert "The Canonical String for this request should have been\n'POST\n/runtimes/\n" in message
    assert hashlib.sha256(b'{"maxResults": 1}').hexdigest() in message


def test_s3_signature_mismatch_shows_the_string_to_sign(sandbox):
    s3 = sandbox.client("s3", retries=False, aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket=sandbox.info["s3_bucket"])
    error = excinfo.value.response["Error"]
    assert error["StringToSign"].startswith("AWS4-HMAC-SHA256\n")
    assert error["CanonicalRequest"].startswith(f"GET\n/{sandbox.info['s3_bucket']}\n")


def test_credentials_issued_by_the_sandbox_sts_work_with_their_session_token(sandbox, runtime_request, unique_name):
    sts = sandbox.client("sts")
    issued = sts.assume_role_with_web_identity(
        RoleArn=sandbox.info["role_arn"], RoleSessionName="github-actions", WebIdentityToken="oidc-token-from-github"
    )["Credentials"]
    session = {
        "aws_access_key_id": issued["AccessKeyId"],
        "aws_secret_access_key": issued["SecretAccessKey"],
        "aws_session_token": issued["SessionToken"],
    }
    agentcore = sandbox.client("bedrock-agentcore-control", **session)
    created = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request)
    assert agentcore.get_agent_runtime(agentRuntimeId=created["agentRuntimeId"])["status"] == "READY"
    sandbox.client("s3", **session).put_object(Bucket=sandbox.info["s3_bucket"], Key="sts/ok.txt", Body=b"ok")

    without_token = sandbox.client("bedrock-agentcore-control", retries=False,
                                   **{**session, "aws_session_token": None})
    with pytest.raises(ClientError) as excinfo:
        without_token.list_agent_runtimes()
    assert status_and_code(excinfo) == (403, "UnrecognizedClientException")
    wrong_token = sandbox.client("s3", retries=False, **{**session, "aws_session_token": "forged"})
    with pytest.raises(ClientError) as excinfo:
        wrong_token.list_objects_v2(Bucket=sandbox.info["s3_bucket"])
    assert status_and_code(excinfo) == (400, "InvalidToken")


def test_sigv4_presigned_url_works_for_its_object_only(sandbox):
    s3 = sandbox.client("s3", config=Config(signature_version="s3v4"))  # SigV2 URLs are refused, as new buckets do
    bucket = sandbox.info["s3_bucket"]
    s3.put_object(Bucket=bucket, Key="presigned/file.txt", Body=b"shared")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "presigned/file.txt"}, ExpiresIn=60)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"shared"
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(url.replace("presigned/file.txt", "presigned/other.txt"), timeout=10)
    assert excinfo.value.code == 403


class TestVerifierUnit:
    """The clock checks, which a live client cannot easily trigger, against botocore's signer."""

    def sign(self):
        from aws.request import read_request

        request = AWSRequest(method="GET", url="http://127.0.0.1:1/runtimes/x-0123456789/")
        credentials = Credentials("AKIAEXAMPLEEXAMPLE00", "secret")
        signer = SigV4Auth(credentials, "bedrock-agentcore", "us-east-1")
        signer.add_auth(request)
        path = "/runtimes/x-0123456789/"
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "HTTP_HOST": "127.0.0.1:1"}
        for key, value in request.headers.items():
            environ["HTTP_" + key.upper().replace("-", "_")] = value
        return read_request(environ)

    def test_fresh_signature_passes_and_a_stale_one_is_refused(self):
        from aws.signing import CredentialStore, SigV4Verifier

        verifier = SigV4Verifier(CredentialStore("AKIAEXAMPLEEXAMPLE00", "secret"))
        request = self.sign()
        now = datetime.datetime.now(datetime.timezone.utc)
        assert verifier.problem(request, now=now) is None
        stale = verifier.problem(request, now=now + datetime.timedelta(minutes=16))
        assert (stale.status, stale.code) == (403, "InvalidSignatureException")
        assert "Signature expired" in stale.message
