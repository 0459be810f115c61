"""`GET /_sandbox/calls` (what IAM authorizes each call against) and `POST /_sandbox/deny`."""

import botocore.exceptions
import pytest


def calls(sandbox):
    return sandbox.control("GET", "/_sandbox/calls")[1]["calls"]


def test_calls_name_the_resources_iam_authorizes(sandbox, agentcore, s3, runtime_request, unique_name):
    bucket = sandbox.info["s3_bucket"]
    sandbox.control("DELETE", "/_sandbox/requests")
    s3.put_object(Bucket=bucket, Key="calls/a b.zip", Body=b"zip")
    s3.copy_object(Bucket=bucket, Key="calls/copy.zip", CopySource={"Bucket": bucket, "Key": "calls/a b.zip"})
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="calls/missing.zip")
    name = unique_name()
    runtime_id = agentcore.create_agent_runtime(agentRuntimeName=name, **runtime_request)["agentRuntimeId"]
    agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")

    put, copy, head, create, endpoint = calls(sandbox)
    assert put["operation"] == "PutObject" and put["resources"] == {"bucket": bucket, "key": "calls/a b.zip", "version_id": None}
    assert copy["operation"] == "CopyObject" and copy["resources"] == {
        "bucket": bucket, "key": "calls/copy.zip", "version_id": None,
        "copy_source_bucket": bucket, "copy_source_key": "calls/a b.zip", "copy_source_version_id": None}
    assert head["operation"] == "HeadObject" and head["status"] == 404 and head["resources"]["key"] == "calls/missing.zip"
    code = runtime_request["agentRuntimeArtifact"]["codeConfiguration"]["code"]["s3"]
    assert create["resources"] == {
        "runtime_id": runtime_id, "runtime_name": name, "role_arn": sandbox.info["role_arn"],
        "code_bucket": code["bucket"], "code_key": code["prefix"], "code_version_id": None}
    assert endpoint["resources"] == {"runtime_id": runtime_id, "endpoint_name": "DEFAULT"}
    assert endpoint["path"] == f"/runtimes/{runtime_id}/runtime-endpoints/DEFAULT/"


def test_a_denied_action_answers_access_denied_naming_it(sandbox, agentcore, s3, runtime_request, unique_name):
    try:
        assert sandbox.control("POST", "/_sandbox/deny", {"actions": ["bedrock-agentcore:ListAgentRuntimes", "IAM:PassRole"]}) == (
            200, {"actions": ["bedrock-agentcore:listagentruntimes", "iam:passrole"]})
        with pytest.raises(botocore.exceptions.ClientError) as listing:
            agentcore.list_agent_runtimes()
        assert listing.value.response["Error"]["Code"] == "AccessDeniedException"
        assert "not authorized to perform: bedrock-agentcore:ListAgentRuntimes" in listing.value.response["Error"]["Message"]
        # CreateAgentRuntime passes the execution role, so it needs iam:PassRole too.
        name = unique_name()
        with pytest.raises(botocore.exceptions.ClientError) as creation:
            agentcore.create_agent_runtime(agentRuntimeName=name, **runtime_request)
        assert "perform: iam:PassRole" in creation.value.response["Error"]["Message"]
        # Other calls go through.
        s3.head_bucket(Bucket=sandbox.info["s3_bucket"])
    finally:
        assert sandbox.control("DELETE", "/_sandbox/deny") == (200, {"actions": []})
    assert name not in [r["agentRuntimeName"] for r in agentcore.list_agent_runtimes()["agentRuntimes"]]


def test_a_denied_s3_action_answers_like_s3(sandbox, s3):
    try:
        sandbox.control("POST", "/_sandbox/deny", {"actions": ["s3:ListBucket"]})
        with pytest.raises(botocore.exceptions.ClientError) as error:
            s3.head_bucket(Bucket=sandbox.info["s3_bucket"])
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        s3.put_object(Bucket=sandbox.info["s3_bucket"], Key="calls/allowed.zip", Body=b"zip")
    finally:
        sandbox.control("DELETE", "/_sandbox/deny")


@pytest.mark.parametrize("payload", [{}, {"actions": []}, {"actions": ["ListAgentRuntimes"]}, {"actions": "s3:PutObject"}])
def test_bad_deny_requests_are_refused(sandbox, payload):
    status, body = sandbox.control("POST", "/_sandbox/deny", payload)
    assert status == 400 and "IAM actions" in body["message"]
    assert sandbox.control("GET", "/_sandbox/deny") == (200, {"actions": []})
