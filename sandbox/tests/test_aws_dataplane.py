"""InvokeAgentRuntime against the sandbox runs the version's zip, as AgentCore Runtime does.

These use small standard-library agents (agent_fixtures), so they need no package index; the
sample Strands agent has its own module (test_aws_sample_agent.py).
"""

import json
import os
import signal
import socket
import urllib.parse
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from agent_fixtures import (CRASHING_AGENT, ECHO_AGENT, SILENT_AGENT, agent_of, agents, deploy, invoke_json, update,
                            wait_until_gone, wait_until_ready, zip_bytes)
from conftest import process_alive, start_sandbox


def error_of(excinfo) -> tuple[int, str, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


@pytest.fixture(scope="module")
def echo(sandbox):
    """One runtime running the echo agent, shared by the tests that only read from it."""
    created = deploy(sandbox, "echo_shared", zip_bytes({"agent.py": ECHO_AGENT}), environment={"GREETING": "hello"})
    wait_until_ready(sandbox, created["agentRuntimeId"])
    return created


class TestInvocation:
    def test_boto3_invokes_the_zip_and_the_agent_gets_payload_headers_and_environment(self, sandbox, echo):
        session = f"session-{uuid.uuid4()}"
        answer = sandbox.client("bedrock-agentcore").invoke_agent_runtime(
            agentRuntimeArn=echo["agentRuntimeArn"], runtimeSessionId=session, contentType="application/json",
            payload=b'{"prompt": "hi"}')
        assert answer["statusCode"] == 200
        assert answer["contentType"] == "application/json"
        assert answer["runtimeSessionId"] == session
        seen = json.loads(answer["response"].read())
        assert seen["payload"] == {"prompt": "hi"}
        assert seen["session"] == session
        assert seen["contentType"] == "application/json"
        assert seen["greeting"] == "hello"  # the runtime's environmentVariables
        assert seen["bedrockEndpoint"] == sandbox.info["aws_endpoint"]
        assert seen["cwd"].endswith("/code")  # started in the extracted root
        if os.geteuid() == 0:
            assert seen["uid"] != 0  # as AgentCore: never as root
        # A bare interpreter: the machine's own packages are not on the agent's path.
        site_directories = [entry for entry in seen["sysPath"] if entry.endswith(("site-packages", "dist-packages"))]
        assert site_directories and all("/interpreters/" in entry for entry in site_directories)

    def test_the_process_is_started_once_and_reused(self, sandbox, echo):
        invoke_json(sandbox, echo["agentRuntimeArn"], {"n": 1})
        first = agent_of(sandbox, echo["agentRuntimeId"])
        invoke_json(sandbox, echo["agentRuntimeArn"], {"n": 2})
        assert agent_of(sandbox, echo["agentRuntimeId"])["pid"] == first["pid"]
        assert first["startSeconds"]["boot"] > 0

    def test_runtime_id_with_account_id_addresses_the_runtime_too(self, sandbox, echo):
        seen = invoke_json(sandbox, echo["agentRuntimeId"], {"by": "id"}, accountId="123456789012")
        assert seen["payload"] == {"by": "id"}

    def test_custom_headers_reach_the_agent(self, sandbox, echo):
        client = sandbox.client("bedrock-agentcore")

        def add_header(request, **_):
            request.headers["X-Amzn-Bedrock-AgentCore-Runtime-Custom-Flavour"] = "lemon"

        client.meta.events.register_first("before-sign.bedrock-agentcore.InvokeAgentRuntime", add_header)
        answer = client.invoke_agent_runtime(agentRuntimeArn=echo["agentRuntimeArn"], payload=b"{}")
        assert json.loads(answer["response"].read())["custom"] == "lemon"

    def test_the_request_log_names_the_data_plane_operation(self, sandbox, echo):
        sandbox.control("DELETE", "/_sandbox/requests")
        invoke_json(sandbox, echo["agentRuntimeArn"], {})
        logged = sandbox.control("GET", "/_sandbox/requests")[1]["requests"]
        encoded = urllib.parse.quote(echo["agentRuntimeArn"], safe="")
        assert [(r["service"], r["operation"], r["path"], r["status"]) for r in logged] == [
            ("bedrock-agentcore", "InvokeAgentRuntime", f"/runtimes/{encoded}/invocations", 200)]

    def test_the_call_log_names_the_runtime_and_endpoint_iam_checks(self, sandbox, echo):
        sandbox.control("DELETE", "/_sandbox/requests")
        invoke_json(sandbox, echo["agentRuntimeArn"], {})
        invoke_json(sandbox, echo["agentRuntimeArn"], {}, qualifier="DEFAULT")
        invoke_json(sandbox, echo["agentRuntimeId"], {}, accountId="123456789012")
        calls = sandbox.control("GET", "/_sandbox/calls")[1]["calls"]
        expected = {"runtime_id": echo["agentRuntimeId"], "endpoint_name": "DEFAULT"}
        assert [(c["operation"], c["resources"]) for c in calls] == [("InvokeAgentRuntime", expected)] * 3

    def test_an_event_stream_arrives_chunk_by_chunk(self, sandbox, echo):
        answer = sandbox.client("bedrock-agentcore").invoke_agent_runtime(
            agentRuntimeArn=echo["agentRuntimeArn"], payload=b'{"stream": true}')
        assert answer["contentType"] == "text/event-stream"
        lines = answer["response"].iter_lines(chunk_size=1)
        assert next(lines) == b"data: first"
        # The agent holds the rest back until a second invocation releases it: had the sandbox
        # waited for the whole answer, the first line could not have arrived before this one.
        invoke_json(sandbox, echo["agentRuntimeArn"], {"release": True})
        assert [line for line in lines if line] == [b"data: released"]


class TestVersions:
    def test_each_endpoint_runs_the_zip_of_its_own_version(self, sandbox, unique_name):
        created = deploy(sandbox, unique_name("versions"), zip_bytes({"agent.py": ECHO_AGENT + "\n# version one\n"}),
                         environment={"GREETING": "one"})
        runtime_id, arn = created["agentRuntimeId"], created["agentRuntimeArn"]
        wait_until_ready(sandbox, runtime_id)
        control = sandbox.client("bedrock-agentcore-control")
        control.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="pinned", agentRuntimeVersion="1")
        assert invoke_json(sandbox, arn, {})["greeting"] == "one"

        update(sandbox, runtime_id, zip_bytes({"main.py": ECHO_AGENT.replace('os.environ.get("GREETING")', '"two"')}),
               entry_point="main.py")
        wait_until_ready(sandbox, runtime_id)
        assert invoke_json(sandbox, arn, {})["greeting"] == "two"  # DEFAULT follows the newest version
        assert invoke_json(sandbox, arn, {}, qualifier="pinned")["greeting"] == "one"
        assert {a["version"] for a in agents(sandbox) if a["runtimeId"] == runtime_id} == {"1", "2"}

    def test_deleting_a_version_stops_its_agent_and_no_other(self, sandbox, unique_name):
        created = deploy(sandbox, unique_name("old_version"), zip_bytes({"agent.py": ECHO_AGENT}))
        runtime_id, arn = created["agentRuntimeId"], created["agentRuntimeArn"]
        wait_until_ready(sandbox, runtime_id)
        invoke_json(sandbox, arn, {})
        old = agent_of(sandbox, runtime_id, "1")["pid"]
        update(sandbox, runtime_id, zip_bytes({"agent.py": ECHO_AGENT}))
        wait_until_ready(sandbox, runtime_id)
        invoke_json(sandbox, arn, {})
        new = agent_of(sandbox, runtime_id, "2")["pid"]

        sandbox.client("bedrock-agentcore-control").delete_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")
        assert wait_until_gone(old)
        assert process_alive(new)
        assert invoke_json(sandbox, arn, {"still": "here"})["payload"] == {"still": "here"}

    def test_deleting_the_runtime_stops_its_agents(self, sandbox, unique_name):
        created = deploy(sandbox, unique_name("deleted"), zip_bytes({"agent.py": ECHO_AGENT}))
        wait_until_ready(sandbox, created["agentRuntimeId"])
        invoke_json(sandbox, created["agentRuntimeArn"], {})
        pid = agent_of(sandbox, created["agentRuntimeId"])["pid"]
        assert process_alive(pid)
        sandbox.client("bedrock-agentcore-control").delete_agent_runtime(agentRuntimeId=created["agentRuntimeId"])
        assert wait_until_gone(pid)
        assert all(a["runtimeId"] != created["agentRuntimeId"] for a in agents(sandbox))
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, created["agentRuntimeArn"], {})
        assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")


class TestErrors:
    def test_unknown_runtime_is_resource_not_found(self, sandbox):
        arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/missing_agent-0123456789"
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, arn, {})
        status, code, message = error_of(excinfo)
        assert (status, code) == (404, "ResourceNotFoundException")
        assert "missing_agent-0123456789" in message

    def test_unknown_endpoint_is_resource_not_found_naming_the_endpoints(self, sandbox, echo):
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, echo["agentRuntimeArn"], {}, qualifier="staging")
        status, code, message = error_of(excinfo)
        assert (status, code) == (404, "ResourceNotFoundException")
        assert "'staging'" in message and "DEFAULT" in message

    @pytest.mark.parametrize("session_id", ["too-short", "x" * 257])
    def test_session_id_must_have_33_to_256_characters(self, sandbox, echo, session_id):
        client = sandbox.client("bedrock-agentcore", config=Config(parameter_validation=False))
        with pytest.raises(ClientError) as excinfo:
            client.invoke_agent_runtime(agentRuntimeArn=echo["agentRuntimeArn"], runtimeSessionId=session_id, payload=b"{}")
        status, code, message = error_of(excinfo)
        assert (status, code) == (400, "ValidationException")
        assert excinfo.value.response["fieldList"][0]["name"] == "runtimeSessionId"
        assert "between 33 and 256" in message

    def test_a_malformed_arn_is_a_validation_error(self, sandbox):
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/g-0123456789", {})
        assert error_of(excinfo)[:2] == (400, "ValidationException")

    def test_the_agents_error_status_becomes_a_runtime_client_error(self, sandbox, unique_name):
        created = deploy(sandbox, unique_name("failing"), zip_bytes({"agent.py": ECHO_AGENT}),
                         environment={"ANSWER_STATUS": "500"})
        wait_until_ready(sandbox, created["agentRuntimeId"])
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, created["agentRuntimeArn"], {})
        assert error_of(excinfo) == (424, "RuntimeClientError", "Received error (500) from runtime. "
                                     "Please check your CloudWatch logs for more information.")

    def test_an_agent_that_exits_at_start_is_a_runtime_client_error_with_its_output(self, sandbox, unique_name):
        created = deploy(sandbox, unique_name("crashing"), zip_bytes({"agent.py": CRASHING_AGENT}))
        wait_until_ready(sandbox, created["agentRuntimeId"])
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, created["agentRuntimeArn"], {})
        status, code, message = error_of(excinfo)
        assert (status, code) == (424, "RuntimeClientError")
        assert "exited with status 1 before answering GET /ping" in message
        assert "settings.toml is missing" in message

    def test_a_missing_entry_point_fails_the_same_way(self, sandbox, unique_name):
        created = deploy(sandbox, unique_name("no_entry"), zip_bytes({"agent.py": ECHO_AGENT}), entry_point="main.py")
        wait_until_ready(sandbox, created["agentRuntimeId"])
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, created["agentRuntimeArn"], {})
        assert error_of(excinfo)[:2] == (424, "RuntimeClientError")
        assert "main.py" in error_of(excinfo)[2]

    def test_an_unreadable_module_fails_as_for_the_runtimes_non_root_user(self, sandbox, unique_name):
        if os.geteuid() != 0:
            pytest.skip("agents run as another user only when the sandbox runs as root")
        package = zip_bytes({"agent.py": "import helper\n", "helper.py": "VALUE = 1\n"}, mode=0o600)
        created = deploy(sandbox, unique_name("private"), package)
        wait_until_ready(sandbox, created["agentRuntimeId"])
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, created["agentRuntimeArn"], {})
        assert "Permission denied" in error_of(excinfo)[2]

    def test_a_runtime_for_another_python_is_refused_plainly(self, sandbox, unique_name):
        created = deploy(sandbox, unique_name("node"), zip_bytes({"agent.js": "//"}), entry_point="agent.js",
                         runtime="NODE_22")
        wait_until_ready(sandbox, created["agentRuntimeId"])
        with pytest.raises(ClientError) as excinfo:
            invoke_json(sandbox, created["agentRuntimeArn"], {})
        status, code, message = error_of(excinfo)
        assert (status, code) == (424, "RuntimeClientError")
        assert "NODE_22" in message and "Python" in message


def port_8080_is_free() -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind: TIME_WAIT is no obstacle
        try:
            probe.bind(("127.0.0.1", 8080))
            return True
        except OSError:
            return False


def test_an_agent_that_ignores_port_is_found_on_8080(sandbox, unique_name):
    if not port_8080_is_free():
        pytest.skip("something else on this machine listens on 8080")
    created = deploy(sandbox, unique_name("fixed_port"), zip_bytes({"agent.py": ECHO_AGENT}),
                     environment={"IGNORE_PORT": "1"})
    wait_until_ready(sandbox, created["agentRuntimeId"])
    try:
        assert invoke_json(sandbox, created["agentRuntimeArn"], {})["port"] == 8080
        assert agent_of(sandbox, created["agentRuntimeId"])["port"] == 8080
    finally:  # free 8080 for whoever needs it next
        sandbox.client("bedrock-agentcore-control").delete_agent_runtime(agentRuntimeId=created["agentRuntimeId"])


class TestLifetime:
    """Agents never outlive their sandbox, however it ends."""

    @staticmethod
    def start_one_agent(other) -> int:
        created = deploy(other, "lifetime", zip_bytes({"agent.py": ECHO_AGENT}))
        wait_until_ready(other, created["agentRuntimeId"])
        invoke_json(other, created["agentRuntimeArn"], {})
        pid = agent_of(other, created["agentRuntimeId"])["pid"]
        assert process_alive(pid)
        return pid

    def test_sigterm_stops_the_agents_and_removes_their_files(self):
        other = start_sandbox()
        try:
            pid = self.start_one_agent(other)
            log = next(a["log"] for a in agents(other))
        finally:
            other.process.send_signal(signal.SIGTERM)
            assert other.process.wait(timeout=30) == 0
        assert not process_alive(pid)
        assert not os.path.exists(log)

    def test_a_killed_sandbox_takes_its_agents_with_it_and_the_next_one_its_files(self):
        other = start_sandbox()
        try:
            pid = self.start_one_agent(other)
            workspace = os.path.dirname(os.path.dirname(next(a["log"] for a in agents(other))))
        finally:
            other.process.kill()
            other.process.wait(timeout=10)
        assert wait_until_gone(pid)
        assert os.path.isdir(workspace)  # nobody was left to clean up
        successor = start_sandbox()
        try:
            self.start_one_agent(successor)
            assert not os.path.exists(workspace)
        finally:
            successor.stop()

    def test_an_agent_that_never_answers_ping_is_stopped_at_the_start_budget(self):
        other = start_sandbox("--agent-start-budget", "1")
        try:
            created = deploy(other, "silent", zip_bytes({"agent.py": SILENT_AGENT}))
            wait_until_ready(other, created["agentRuntimeId"])
            with pytest.raises(ClientError) as excinfo:
                invoke_json(other, created["agentRuntimeArn"], {})
            status, code, message = error_of(excinfo)
            assert (status, code) == (424, "RuntimeClientError")
            assert message.startswith("Runtime initialization time exceeded. "
                                      "Please make sure that initialization completes in 1s.")
            assert "thinking before listening" in message
            assert agent_of(other, created["agentRuntimeId"])["pid"] is None  # stopped, not left running
        finally:
            other.stop()
