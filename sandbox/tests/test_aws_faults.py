"""Fault injection and the request log, as tests of retrying clients use them."""

import time
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError


def requests_for(sandbox, operation):
    return [r for r in sandbox.control("GET", "/_sandbox/requests")[1]["requests"] if r["operation"] == operation]


def add_fault(sandbox, **rule):
    status, body = sandbox.control("POST", "/_sandbox/faults", rule)
    assert status == 200, body


def test_throttling_makes_boto3_retry_and_then_succeed(sandbox, agentcore):
    sandbox.control("DELETE", "/_sandbox/requests")
    add_fault(sandbox, service="bedrock-agentcore", operation="ListAgentRuntimes", fault="throttle", count=2)
    response = agentcore.list_agent_runtimes()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [r["status"] for r in requests_for(sandbox, "ListAgentRuntimes")] == [429, 429, 200]


def test_throttled_agentcore_call_is_a_429_throttling_exception(sandbox):
    add_fault(sandbox, service="bedrock-agentcore", operation="*", fault="throttle", count=1)
    with pytest.raises(ClientError) as excinfo:
        sandbox.client("bedrock-agentcore-control", retries=False).list_agent_runtimes()
    response = excinfo.value.response
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (429, "ThrottlingException")


def test_throttled_s3_call_is_a_503_slow_down_and_is_retried(sandbox, s3):
    add_fault(sandbox, service="s3", operation="PutObject", fault="throttle", count=1)
    with pytest.raises(ClientError) as excinfo:
        sandbox.client("s3", retries=False).put_object(Bucket=sandbox.info["s3_bucket"], Key="t/a", Body=b"a")
    response = excinfo.value.response
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (503, "SlowDown")
    add_fault(sandbox, service="s3", operation="PutObject", fault="throttle", count=1)
    assert s3.put_object(Bucket=sandbox.info["s3_bucket"], Key="t/a", Body=b"a")["ResponseMetadata"]["RetryAttempts"] == 1


@pytest.mark.parametrize(("fault", "status", "code"), [("error500", 500, "InternalServerException"),
                                                        ("error503", 503, "ServiceUnavailableException"),
                                                        ("access_denied", 403, "AccessDeniedException")])
def test_server_errors_are_shaped_per_service(sandbox, fault, status, code):
    add_fault(sandbox, service="*", operation="ListAgentRuntimes", fault=fault, count=1)
    with pytest.raises(ClientError) as excinfo:
        sandbox.client("bedrock-agentcore-control", retries=False).list_agent_runtimes()
    response = excinfo.value.response
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (status, code)


def test_latency_delays_the_matching_operation_only(sandbox, agentcore):
    add_fault(sandbox, service="bedrock-agentcore", operation="ListAgentRuntimes", fault="latency", latency_ms=400, count=1)
    started = time.monotonic()
    agentcore.list_agent_runtimes()
    assert time.monotonic() - started >= 0.4


def test_dropped_connection_surfaces_as_a_connection_error_and_retries_recover(sandbox, agentcore):
    add_fault(sandbox, service="bedrock-agentcore", operation="ListAgentRuntimes", fault="drop", count=1)
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        sandbox.client("bedrock-agentcore-control", retries=False).list_agent_runtimes()
    add_fault(sandbox, service="bedrock-agentcore", operation="ListAgentRuntimes", fault="drop", count=1)
    assert agentcore.list_agent_runtimes()["ResponseMetadata"]["RetryAttempts"] == 1
    assert 0 in [r["status"] for r in requests_for(sandbox, "ListAgentRuntimes")]


def test_probability_one_hits_every_request_until_cleared(sandbox):
    client = sandbox.client("sts", retries=False)
    add_fault(sandbox, service="sts", operation="GetCallerIdentity", fault="error500", probability=1.0)
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            client.get_caller_identity()
        assert excinfo.value.response["Error"]["Code"] == "InternalFailure"
    sandbox.control("DELETE", "/_sandbox/faults")
    assert client.get_caller_identity()["Account"] == "123456789012"


def test_fail_after_lets_n_requests_through_then_fails_every_one(sandbox):
    client = sandbox.client("bedrock-agentcore-control", retries=False)
    assert sandbox.control("POST", "/_sandbox/fail-after", {"n": 2})[0] == 200
    client.list_agent_runtimes()
    client.list_agent_runtimes()
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            client.list_agent_runtimes()
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    sandbox.control("DELETE", "/_sandbox/fail-after")
    client.list_agent_runtimes()


def test_access_denied_on_s3_is_a_403_access_denied(sandbox):
    add_fault(sandbox, service="s3", operation="HeadObject", fault="access_denied", count=1)
    with pytest.raises(ClientError) as excinfo:
        sandbox.client("s3", retries=False).head_object(Bucket=sandbox.info["s3_bucket"], Key="missing")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_logged_requests_carry_their_arrival_time(sandbox):
    sandbox.control("DELETE", "/_sandbox/requests")
    before = time.time()
    sandbox.client("bedrock-agentcore-control", retries=False).list_agent_runtimes()
    logged = sandbox.control("GET", "/_sandbox/requests")[1]["requests"]
    assert len(logged) == 1 and before <= logged[0]["time"] <= time.time()


def test_request_log_records_client_tokens_from_body_and_query(sandbox, agentcore, runtime_request, unique_name):
    sandbox.control("DELETE", "/_sandbox/requests")
    create_token, delete_token = str(uuid.uuid4()), str(uuid.uuid4())
    runtime_id = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), clientToken=create_token,
                                                **runtime_request)["agentRuntimeId"]
    agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, clientToken=delete_token)
    logged = sandbox.control("GET", "/_sandbox/requests")[1]["requests"]
    assert [(r["service"], r["operation"], r["method"], r["status"], r["client_token"]) for r in logged] == [
        ("bedrock-agentcore", "CreateAgentRuntime", "PUT", 202, create_token),
        ("bedrock-agentcore", "DeleteAgentRuntime", "DELETE", 202, delete_token),
    ]
    assert logged[1]["path"] == f"/runtimes/{runtime_id}/"


def test_bad_fault_rules_are_refused_with_a_reason(sandbox):
    status, body = sandbox.control("POST", "/_sandbox/faults", {"fault": "explode", "count": 1})
    assert status == 400 and "throttle" in body["message"]
    status, body = sandbox.control("POST", "/_sandbox/faults", {"fault": "throttle"})
    assert status == 400 and "count" in body["message"]
    status, body = sandbox.control("POST", "/_sandbox/faults", {"service": "bedrock", "fault": "drop", "count": 1})
    assert status == 400 and "bedrock-agentcore" in body["message"]
    status, body = sandbox.control("POST", "/_sandbox/faults", {"operation": "CreateRuntime", "fault": "drop", "count": 1})
    assert status == 400 and "CreateRuntime" in body["message"]
    assert sandbox.control("GET", "/_sandbox/faults") == (200, {"faults": [], "fail_after": None})
    status, body = sandbox.control("GET", "/_sandbox/nothing")
    assert status == 404 and "/_sandbox/faults" in body["message"]


def test_an_unsigned_head_of_the_root_is_answered_unlogged_and_unfaulted(sandbox):
    add_fault(sandbox, service="*", operation="*", fault="error500", count=1)
    sandbox.control("DELETE", "/_sandbox/requests")
    request = urllib.request.Request(sandbox.info["aws_endpoint"] + "/", method="HEAD")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    assert answer.value.code == 404
    assert sandbox.control("GET", "/_sandbox/requests")[1]["requests"] == []
    status, rules = sandbox.control("GET", "/_sandbox/faults")
    assert status == 200 and rules["faults"][0]["count"] == 1, rules
