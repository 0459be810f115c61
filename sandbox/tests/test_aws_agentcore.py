"""The AgentCore control plane answers boto3 as AWS does, where plain moto does not."""

import json
import re
import time
import urllib.request
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def error_of(excinfo) -> tuple[int, str, dict]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response


def wait_for(read, predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if predicate(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def create(agentcore, runtime_request, name, **extra):
    return agentcore.create_agent_runtime(agentRuntimeName=name, **runtime_request, **extra)


def update(agentcore, runtime_request, runtime_id, **extra):
    return agentcore.update_agent_runtime(agentRuntimeId=runtime_id, **runtime_request, **extra)


class TestValidation:
    def test_runtime_name_with_a_hyphen_is_refused_with_its_field(self, agentcore, runtime_request):
        with pytest.raises(ClientError) as excinfo:
            create(agentcore, runtime_request, "pr-42")
        status, code, response = error_of(excinfo)
        assert (status, code) == (400, "ValidationException")
        assert response["reason"] == "FieldValidationFailed"
        assert response["fieldList"][0]["name"] == "agentRuntimeName"
        assert "[a-zA-Z][a-zA-Z0-9_]{0,47}" in response["fieldList"][0]["message"]

    def test_name_longer_than_48_characters_is_refused(self, agentcore, runtime_request):
        with pytest.raises(ClientError) as excinfo:
            create(agentcore, runtime_request, "a" * 49)
        assert error_of(excinfo)[:2] == (400, "ValidationException")

    def test_missing_required_fields_are_a_400_not_a_500(self, sandbox, unique_name):
        # boto3 checks required fields itself; switch that off to send what another client might.
        raw = sandbox.client("bedrock-agentcore-control", config=Config(parameter_validation=False))
        with pytest.raises(ClientError) as excinfo:
            raw.create_agent_runtime(agentRuntimeName=unique_name())
        status, code, response = error_of(excinfo)
        assert (status, code) == (400, "ValidationException")
        # botocore 1.44's model: networkConfiguration is no longer required.
        assert {f["name"] for f in response["fieldList"]} == {"agentRuntimeArtifact", "roleArn"}

    def test_endpoint_name_is_checked_too(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        with pytest.raises(ClientError) as excinfo:
            agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod-live")
        status, code, response = error_of(excinfo)
        assert (status, code) == (400, "ValidationException")
        assert response["fieldList"][0]["name"] == "name"

    def test_error_body_and_header_are_shaped_like_aws(self, sandbox):
        client = sandbox.client("bedrock-agentcore-control")
        with pytest.raises(ClientError) as excinfo:
            client.get_agent_runtime(agentRuntimeId="missing_runtime-0123456789")
        status, code, response = error_of(excinfo)
        assert (status, code) == (404, "ResourceNotFoundException")
        headers = response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-amzn-errortype"].startswith("ResourceNotFoundException")
        assert headers["content-type"] == "application/json"


class TestRuntimes:
    def test_ids_have_the_real_shape(self, agentcore, runtime_request, unique_name):
        name = unique_name()
        created = create(agentcore, runtime_request, name)
        assert re.fullmatch(rf"{name}-[a-zA-Z0-9]{{10}}", created["agentRuntimeId"])
        assert created["status"] == "CREATING"
        assert created["agentRuntimeVersion"] == "1"

    def test_second_runtime_with_the_same_name_conflicts(self, agentcore, runtime_request, unique_name):
        name = unique_name()
        create(agentcore, runtime_request, name)
        with pytest.raises(ClientError) as excinfo:
            create(agentcore, runtime_request, name)
        assert error_of(excinfo)[:2] == (409, "ConflictException")
        listed = [r for r in agentcore.list_agent_runtimes(maxResults=100)["agentRuntimes"] if r["agentRuntimeName"] == name]
        assert len(listed) == 1

    def test_update_makes_a_new_version_and_old_versions_stay_readable(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        wait_for(lambda: agentcore.get_agent_runtime(agentRuntimeId=runtime_id), lambda r: r["status"] == "READY")
        updated = update(agentcore, runtime_request, runtime_id, description="second")
        assert (updated["agentRuntimeVersion"], updated["status"]) == ("2", "UPDATING")
        latest = wait_for(lambda: agentcore.get_agent_runtime(agentRuntimeId=runtime_id), lambda r: r["status"] == "READY")
        assert (latest["agentRuntimeVersion"], latest["description"]) == ("2", "second")
        first = agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")
        assert first["agentRuntimeVersion"] == "1" and "description" not in first
        versions = agentcore.list_agent_runtime_versions(agentRuntimeId=runtime_id)["agentRuntimes"]
        assert [v["agentRuntimeVersion"] for v in versions] == ["2", "1"]
        with pytest.raises(ClientError) as excinfo:
            agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="9")
        assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")

    def test_lifecycle_defaults_are_filled_in(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        got = agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        assert got["lifecycleConfiguration"] == {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800}

    def test_delete_passes_through_deleting_then_the_runtime_is_gone(self, sandbox, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 0.4})
        assert agentcore.delete_agent_runtime(agentRuntimeId=runtime_id)["status"] == "DELETING"
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "DELETING"
        with pytest.raises(ClientError) as excinfo:
            update(agentcore, {**self._minimal(sandbox)}, runtime_id)
        assert error_of(excinfo)[:2] == (409, "ConflictException")
        time.sleep(0.5)
        with pytest.raises(ClientError) as excinfo:
            agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")

    @staticmethod
    def _minimal(sandbox):
        return {
            "agentRuntimeArtifact": {"containerConfiguration": {"containerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"}},
            "roleArn": sandbox.info["role_arn"],
            "networkConfiguration": {"networkMode": "PUBLIC"},
        }


class TestEndpoints:
    def test_default_endpoint_comes_with_the_runtime_and_follows_the_latest_version(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        endpoints = agentcore.list_agent_runtime_endpoints(agentRuntimeId=runtime_id)["runtimeEndpoints"]
        assert [e["name"] for e in endpoints] == ["DEFAULT"]
        default = agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")
        assert (default["status"], default["liveVersion"]) == ("READY", "1")
        update(agentcore, runtime_request, runtime_id)
        default = wait_for(
            lambda: agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT"),
            lambda e: e["status"] == "READY",
        )
        assert (default["liveVersion"], default["targetVersion"]) == ("2", "2")

    def test_default_endpoint_cannot_be_deleted_alone(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        with pytest.raises(ClientError) as excinfo:
            agentcore.delete_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")
        assert error_of(excinfo)[:2] == (409, "ConflictException")
        assert agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")["status"] == "READY"

    def test_endpoint_at_a_version_that_does_not_exist_is_refused(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        with pytest.raises(ClientError) as excinfo:
            agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod", agentRuntimeVersion="7")
        status, code, response = error_of(excinfo)
        assert (status, code) == (400, "ValidationException")
        assert response["fieldList"][0]["name"] == "agentRuntimeVersion"
        agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod", agentRuntimeVersion="1")
        wait_for(lambda: agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod"),
                 lambda e: e["status"] == "READY")
        with pytest.raises(ClientError) as excinfo:
            agentcore.update_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod", agentRuntimeVersion="2")
        assert error_of(excinfo)[:2] == (400, "ValidationException")

    def test_live_version_moves_to_target_when_the_update_turns_ready(self, sandbox, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod")
        wait_for(lambda: agentcore.get_agent_runtime(agentRuntimeId=runtime_id), lambda r: r["status"] == "READY")
        update(agentcore, runtime_request, runtime_id)
        wait_for(lambda: agentcore.get_agent_runtime(agentRuntimeId=runtime_id), lambda r: r["status"] == "READY")
        sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 0.3})
        updating = agentcore.update_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod", agentRuntimeVersion="2")
        assert (updating["status"], updating["liveVersion"], updating["targetVersion"]) == ("UPDATING", "1", "2")
        with pytest.raises(ClientError) as excinfo:  # AWS refuses a second change while one is in flight
            agentcore.update_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod", agentRuntimeVersion="1")
        assert error_of(excinfo)[:2] == (409, "ConflictException")
        ready = wait_for(lambda: agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod"),
                         lambda e: e["status"] == "READY")
        assert (ready["liveVersion"], ready["targetVersion"]) == ("2", "2")

    def test_endpoint_deletion_passes_through_deleting(self, sandbox, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="staging")
        sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 0.3})
        deleted = agentcore.delete_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="staging")
        assert deleted["status"] == "DELETING"
        gone = wait_for(lambda: [e["name"] for e in agentcore.list_agent_runtime_endpoints(agentRuntimeId=runtime_id)["runtimeEndpoints"]],
                        lambda names: "staging" not in names)
        assert gone == ["DEFAULT"]


class TestDelaysAndFailures:
    def test_creating_and_updating_last_the_configured_delay(self, sandbox, agentcore, runtime_request, unique_name):
        assert sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 0.4}) == (200, {"ready_delay_seconds": 0.4})
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "CREATING"
        default = agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")
        assert default["status"] == "CREATING" and "liveVersion" not in default
        time.sleep(0.45)
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "READY"
        update(agentcore, runtime_request, runtime_id)
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "UPDATING"
        default = agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")
        assert (default["status"], default["liveVersion"], default["targetVersion"]) == ("UPDATING", "1", "2")
        time.sleep(0.45)
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "READY"

    def test_settle_ends_a_long_update_on_the_next_call_only(self, sandbox, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 3600})
        update(agentcore, runtime_request, runtime_id)
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "UPDATING"
        assert sandbox.control("POST", "/_sandbox/settle") == (200, {"settle_requested": True})
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "READY"
        default = agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")
        assert (default["status"], default["liveVersion"]) == ("READY", "2")
        update(agentcore, runtime_request, runtime_id)  # a change after the settle keeps its delay
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "UPDATING"
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "UPDATING"

    def test_fail_next_create_ends_create_failed_with_the_reason(self, sandbox, agentcore, runtime_request, unique_name):
        name = unique_name("broken")
        status, _ = sandbox.control("POST", "/_sandbox/fail-next", {
            "operation": "CreateAgentRuntime", "name_contains": name, "failure_reason": "zip has no main.py"})
        assert status == 200
        bystander = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        runtime_id = create(agentcore, runtime_request, name)["agentRuntimeId"]
        failed = agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        assert (failed["status"], failed["failureReason"]) == ("CREATE_FAILED", "zip has no main.py")
        assert agentcore.get_agent_runtime(agentRuntimeId=bystander)["status"] == "READY"

    def test_fail_next_update_leaves_the_default_endpoint_on_the_good_version(self, sandbox, agentcore, runtime_request, unique_name):
        name = unique_name()
        runtime_id = create(agentcore, runtime_request, name)["agentRuntimeId"]
        sandbox.control("POST", "/_sandbox/fail-next", {"operation": "UpdateAgentRuntime", "name_contains": name,
                                                         "failure_reason": "image pull failed"})
        update(agentcore, runtime_request, runtime_id)
        failed = agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        assert (failed["status"], failed["agentRuntimeVersion"], failed["failureReason"]) == ("UPDATE_FAILED", "2", "image pull failed")
        default = agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="DEFAULT")
        assert (default["status"], default["liveVersion"]) == ("READY", "1")
        assert update(agentcore, runtime_request, runtime_id)["agentRuntimeVersion"] == "3"  # a failed version can be replaced
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["status"] == "READY"

    def test_fail_next_endpoint_update_keeps_the_live_version(self, sandbox, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod")
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        update(agentcore, runtime_request, runtime_id)
        sandbox.control("POST", "/_sandbox/fail-next", {"operation": "UpdateAgentRuntimeEndpoint", "name_contains": "prod",
                                                         "failure_reason": "health check failed"})
        agentcore.update_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod", agentRuntimeVersion="2")
        endpoint = agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod")
        assert (endpoint["status"], endpoint["liveVersion"], endpoint["failureReason"]) == ("UPDATE_FAILED", "1", "health check failed")

    def test_fail_next_endpoint_create_ends_create_failed(self, sandbox, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        sandbox.control("POST", "/_sandbox/fail-next", {"operation": "CreateAgentRuntimeEndpoint", "name_contains": "canary"})
        agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="canary")
        endpoint = agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="canary")
        assert endpoint["status"] == "CREATE_FAILED" and "liveVersion" not in endpoint
        assert "CreateAgentRuntimeEndpoint" in endpoint["failureReason"]

    def test_bad_control_requests_are_refused_with_a_reason(self, sandbox):
        status, body = sandbox.control("POST", "/_sandbox/fail-next", {"operation": "DeleteAgentRuntime"})
        assert status == 400 and "CreateAgentRuntime" in body["message"]
        status, body = sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": -1})
        assert status == 400 and "ready_delay_seconds" in body["message"]


class TestPagination:
    def test_list_runtimes_honours_max_results_and_next_token(self, agentcore, runtime_request, unique_name):
        names = {unique_name("page") for _ in range(5)}
        for name in names:
            create(agentcore, runtime_request, name)
        first = agentcore.list_agent_runtimes(maxResults=2)
        assert len(first["agentRuntimes"]) == 2 and first["nextToken"]
        seen = []
        for page in agentcore.get_paginator("list_agent_runtimes").paginate(PaginationConfig={"PageSize": 2}):
            assert len(page["agentRuntimes"]) <= 2
            seen += [r["agentRuntimeName"] for r in page["agentRuntimes"]]
        assert names <= set(seen) and len(seen) == len(set(seen))

    def test_versions_and_endpoints_are_paged_too(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        for _ in range(2):
            agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
            update(agentcore, runtime_request, runtime_id)
        for name in ("a", "b"):
            agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name=name)
        versions = agentcore.list_agent_runtime_versions(agentRuntimeId=runtime_id, maxResults=2)
        assert [v["agentRuntimeVersion"] for v in versions["agentRuntimes"]] == ["3", "2"]
        rest = agentcore.list_agent_runtime_versions(agentRuntimeId=runtime_id, maxResults=2, nextToken=versions["nextToken"])
        assert [v["agentRuntimeVersion"] for v in rest["agentRuntimes"]] == ["1"] and "nextToken" not in rest
        endpoints = agentcore.list_agent_runtime_endpoints(agentRuntimeId=runtime_id, maxResults=1)
        assert len(endpoints["runtimeEndpoints"]) == 1 and endpoints["nextToken"]

    def test_a_forged_next_token_is_refused(self, agentcore):
        with pytest.raises(ClientError) as excinfo:
            agentcore.list_agent_runtimes(nextToken="not-a-token")
        assert error_of(excinfo)[:2] == (400, "ValidationException")


class TestClientTokens:
    def test_same_token_and_request_returns_the_first_result(self, agentcore, runtime_request, unique_name):
        name, token = unique_name(), str(uuid.uuid4())
        first = create(agentcore, runtime_request, name, clientToken=token)
        again = create(agentcore, runtime_request, name, clientToken=token)
        assert again["agentRuntimeId"] == first["agentRuntimeId"]
        matching = [r for r in agentcore.list_agent_runtimes(maxResults=100)["agentRuntimes"] if r["agentRuntimeName"] == name]
        assert len(matching) == 1

    def test_retried_update_makes_one_version(self, agentcore, runtime_request, unique_name):
        runtime_id = create(agentcore, runtime_request, unique_name())["agentRuntimeId"]
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        token = str(uuid.uuid4())
        first = update(agentcore, runtime_request, runtime_id, clientToken=token)
        again = update(agentcore, runtime_request, runtime_id, clientToken=token)
        assert first["agentRuntimeVersion"] == again["agentRuntimeVersion"] == "2"
        assert len(agentcore.list_agent_runtime_versions(agentRuntimeId=runtime_id)["agentRuntimes"]) == 2

    def test_same_token_with_a_different_request_is_refused(self, agentcore, runtime_request, unique_name):
        token = str(uuid.uuid4())
        create(agentcore, runtime_request, unique_name(), clientToken=token)
        with pytest.raises(ClientError) as excinfo:
            create(agentcore, runtime_request, unique_name(), clientToken=token)
        status, code, response = error_of(excinfo)
        assert (status, code) == (400, "ValidationException")
        assert response["reason"] == "IdempotentParameterMismatchException"


def test_raw_error_body_carries_message_and_type(sandbox):
    """What a non-SDK client sees: JSON `message` and `__type`, type also in X-Amzn-Errortype."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = sandbox.info["aws_endpoint"] + "/runtimes/nothing_here-0123456789/"
    request = AWSRequest(method="GET", url=url)
    credentials = Credentials(sandbox.info["aws_access_key_id"], sandbox.info["aws_secret_access_key"])
    SigV4Auth(credentials, "bedrock-agentcore", sandbox.info["region"]).add_auth(request)
    prepared = urllib.request.Request(url, headers=dict(request.headers.items()), method="GET")
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(prepared, timeout=10)
    body = json.loads(excinfo.value.read())
    assert excinfo.value.code == 404
    assert excinfo.value.headers["X-Amzn-Errortype"].startswith("ResourceNotFoundException")
    assert body["__type"] == "ResourceNotFoundException" and "nothing_here" in body["message"]
