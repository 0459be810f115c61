"""The repository's sample agent, packaged as AgentCore gets it (ARM64 wheels), answers through boto3.

Its real code path runs: BedrockAgentCoreApp, the Strands agent, boto3's bedrock-runtime client,
ConverseStream against the sandbox's deterministic Bedrock stand-in. The ARM64 dependencies are
installed with uv once per requirements set; the tests skip, saying why, only when they cannot be.
"""

import json

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from agent_fixtures import (ROOT, DependenciesUnavailable, agent_of, arm64_dependencies, dependency_zip, deploy,
                            update, wait_until_ready, with_agent)
from aws.bedrock_standin import PERSONAS

HAIKU, DAD_JOKE = PERSONAS[0].answer, PERSONAS[1].answer

# An agent on the same SDK whose handler raises for one payload and streams for another.
TROUBLED_AGENT = '''
import os
from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


@app.entrypoint
def invoke(payload):
    if payload.get("stream"):
        return (f"part {n}" for n in range(3))
    raise RuntimeError("the handler failed on purpose")


if __name__ == "__main__":
    app.run(port=int(os.environ.get("PORT", "8080")))
'''


@pytest.fixture(scope="module")
def base_package(tmp_path_factory):
    try:
        dependencies = arm64_dependencies()
    except DependenciesUnavailable as error:
        pytest.skip(f"the sample agent's ARM64 dependencies could not be installed with uv: {error}")
    return dependency_zip(dependencies, tmp_path_factory.mktemp("packages") / "dependencies.zip")


def prompt(name: str) -> str:
    return (ROOT / "prompts" / name).read_text()


def invoke(sandbox, arn: str, payload: dict, **options) -> dict:
    client = sandbox.client("bedrock-agentcore", config=Config(read_timeout=300, retries={"total_max_attempts": 1}))
    answer = client.invoke_agent_runtime(agentRuntimeArn=arn, payload=json.dumps(payload).encode(), **options)
    assert answer["statusCode"] == 200
    return json.loads(answer["response"].read())


def test_the_sample_agent_answers_offline_and_each_version_with_its_prompt(sandbox, base_package, tmp_path, unique_name):
    haiku_zip = with_agent(base_package, tmp_path / "haiku.zip", prompt("haiku_bot.txt"))
    created = deploy(sandbox, unique_name("sample"), haiku_zip)
    runtime_id, arn = created["agentRuntimeId"], created["agentRuntimeArn"]
    wait_until_ready(sandbox, runtime_id)
    sandbox.control("DELETE", "/_sandbox/requests")

    assert invoke(sandbox, arn, {"prompt": "Autumn leaves"}) == {"result": HAIKU + "\n"}
    calls = [(r["service"], r["operation"]) for r in sandbox.control("GET", "/_sandbox/requests")[1]["requests"]]
    assert calls == [("bedrock-agentcore", "InvokeAgentRuntime"), ("bedrock", "ConverseStream")]
    assert agent_of(sandbox, runtime_id)["startSeconds"]["boot"] > 0

    control = sandbox.client("bedrock-agentcore-control")
    control.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod", agentRuntimeVersion="1")
    update(sandbox, runtime_id, with_agent(base_package, tmp_path / "joke.zip", prompt("dad_joke_bot.txt")))
    wait_until_ready(sandbox, runtime_id)
    assert invoke(sandbox, arn, {"prompt": "Autumn leaves"}) == {"result": DAD_JOKE + "\n"}
    assert invoke(sandbox, arn, {"prompt": "Autumn leaves"}, qualifier="prod") == {"result": HAIKU + "\n"}
    assert "error" in invoke(sandbox, arn, {})  # the agent's own answer to a missing prompt


@pytest.fixture(scope="module")
def troubled(sandbox, base_package, tmp_path_factory):
    package = with_agent(base_package, tmp_path_factory.mktemp("troubled") / "agent.zip", "", TROUBLED_AGENT)
    created = deploy(sandbox, "troubled", package)
    wait_until_ready(sandbox, created["agentRuntimeId"])
    return created


def test_a_handler_that_raises_is_a_runtime_client_error_the_caller_can_read(sandbox, troubled):
    with pytest.raises(ClientError) as excinfo:
        invoke(sandbox, troubled["agentRuntimeArn"], {"prompt": "hi"})
    response = excinfo.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["Error"]["Code"] == "RuntimeClientError"
    assert response["Error"]["Message"] == ("Received error (500) from runtime. "
                                            "Please check your CloudWatch logs for more information.")
    assert "the handler failed on purpose" in open(agent_of(sandbox, troubled["agentRuntimeId"])["log"]).read()


def test_a_generator_handler_streams_server_sent_events(sandbox, troubled):
    answer = sandbox.client("bedrock-agentcore").invoke_agent_runtime(
        agentRuntimeArn=troubled["agentRuntimeArn"], payload=b'{"stream": true}')
    assert answer["contentType"].startswith("text/event-stream")
    events = [line for line in answer["response"].iter_lines() if line]
    assert events == [b'data: "part 0"', b'data: "part 1"', b'data: "part 2"']
