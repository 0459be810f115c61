"""DeleteAgentRuntime with a version deletes that one version, as AWS does."""

import uuid

import pytest
from botocore.exceptions import ClientError


def error_of(excinfo) -> tuple[int, str, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


@pytest.fixture
def runtime_with_versions(agentcore, runtime_request, unique_name):
    """A runtime with versions 1 to 4, all READY; DEFAULT serves 4."""

    def make(count: int = 4) -> str:
        runtime_id = agentcore.create_agent_runtime(agentRuntimeName=unique_name("history"), **runtime_request)["agentRuntimeId"]
        for _ in range(count - 1):
            agentcore.get_agent_runtime(agentRuntimeId=runtime_id)  # settles the previous version
            agentcore.update_agent_runtime(agentRuntimeId=runtime_id, **runtime_request)
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        return runtime_id

    return make


def listed_versions(agentcore, runtime_id) -> list[str]:
    pages = agentcore.get_paginator("list_agent_runtime_versions").paginate(agentRuntimeId=runtime_id)
    return [v["agentRuntimeVersion"] for page in pages for v in page["agentRuntimes"]]


def test_deleting_an_old_version_removes_it_from_the_list_and_from_get(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    deleted = agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2")
    assert (deleted["agentRuntimeId"], deleted["agentRuntimeVersion"], deleted["status"]) == (runtime_id, "2", "DELETING")
    assert listed_versions(agentcore, runtime_id) == ["4", "3", "1"]
    with pytest.raises(ClientError) as excinfo:
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2")
    assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")
    assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")["agentRuntimeVersion"] == "1"
    assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["agentRuntimeVersion"] == "4"


def test_deleting_it_again_is_not_found(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")
    for version in ("1", "77"):
        with pytest.raises(ClientError) as excinfo:
            agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion=version)
        assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")


def test_a_retry_with_the_same_client_token_gets_the_first_answer(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    token = str(uuid.uuid4())
    first = agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2", clientToken=token)
    again = agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2", clientToken=token)
    assert {k: v for k, v in again.items() if k != "ResponseMetadata"} == {k: v for k, v in first.items() if k != "ResponseMetadata"}
    with pytest.raises(ClientError) as excinfo:  # the same token for another request is refused
        agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="3", clientToken=token)
    assert error_of(excinfo)[:2] == (400, "ValidationException")
    assert listed_versions(agentcore, runtime_id) == ["4", "3", "1"]


def test_the_latest_version_cannot_be_deleted_because_default_serves_it(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    with pytest.raises(ClientError) as excinfo:
        agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="4")
    status, code, message = error_of(excinfo)
    assert (status, code) == (409, "ConflictException") and "DEFAULT" in message
    assert listed_versions(agentcore, runtime_id) == ["4", "3", "2", "1"]


def test_a_version_an_endpoint_targets_is_kept_until_the_endpoint_moves(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod", agentRuntimeVersion="2")
    agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod")
    with pytest.raises(ClientError) as excinfo:
        agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2")
    status, code, message = error_of(excinfo)
    assert (status, code) == (409, "ConflictException") and "prod" in message
    agentcore.update_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod", agentRuntimeVersion="3")
    agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod")  # now READY on 3
    assert agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2")["status"] == "DELETING"
    assert listed_versions(agentcore, runtime_id) == ["4", "3", "1"]


def test_a_version_an_endpoint_still_serves_while_it_moves_is_kept(sandbox, agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod", agentRuntimeVersion="2")
    agentcore.get_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod")
    sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 3600})
    moving = agentcore.update_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="prod", agentRuntimeVersion="3")
    assert (moving["liveVersion"], moving["targetVersion"]) == ("2", "3")
    for serving_or_targeted in ("2", "3"):
        with pytest.raises(ClientError) as excinfo:
            agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion=serving_or_targeted)
        status, code, message = error_of(excinfo)
        assert (status, code) == (409, "ConflictException") and "prod" in message


def test_version_numbers_are_never_reused(agentcore, runtime_request, runtime_with_versions):
    runtime_id = runtime_with_versions(3)
    agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2")
    assert agentcore.update_agent_runtime(agentRuntimeId=runtime_id, **runtime_request)["agentRuntimeVersion"] == "4"
    agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
    assert listed_versions(agentcore, runtime_id) == ["4", "3", "1"]


def test_an_endpoint_cannot_point_at_a_deleted_version(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")
    with pytest.raises(ClientError) as excinfo:
        agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="rollback", agentRuntimeVersion="1")
    assert error_of(excinfo)[:2] == (400, "ValidationException")


def test_with_a_ready_delay_the_version_is_deleting_until_it_is_gone(sandbox, agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions()
    sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 3600})
    agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")
    assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")["status"] == "DELETING"
    assert agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")["status"] == "DELETING"
    with pytest.raises(ClientError) as excinfo:  # a version on its way out cannot be served
        agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="late", agentRuntimeVersion="1")
    assert error_of(excinfo)[:2] == (400, "ValidationException")
    sandbox.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 0})
    agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2")  # settles with delay 0
    assert listed_versions(agentcore, runtime_id) == ["4", "3", "1"]  # 1 still waits out its own delay


def test_a_malformed_version_is_a_validation_error(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions(1)
    with pytest.raises(ClientError) as excinfo:
        agentcore.delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="0")
    assert error_of(excinfo)[:2] == (400, "ValidationException")


def test_without_a_version_the_whole_runtime_goes(agentcore, runtime_with_versions):
    runtime_id = runtime_with_versions(2)
    assert agentcore.delete_agent_runtime(agentRuntimeId=runtime_id)["status"] == "DELETING"
    with pytest.raises(ClientError) as excinfo:
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
    assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")
