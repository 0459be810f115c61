"""One sandbox for the whole session, started the way every consumer starts it: `scripts/sandbox`."""

import json
import os
import pathlib
import subprocess
import sys
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "sandbox"))  # the unit tests import the `aws` package directly


class RunningSandbox:
    def __init__(self, process: subprocess.Popen, info: dict):
        self.process = process
        self.info = info

    def client(self, service: str, retries: bool = True, **overrides):
        """A boto3 client for this sandbox; `retries=False` shows the first answer as it came."""
        import boto3
        from botocore.config import Config

        attempts = 4 if retries else 1
        config = overrides.pop("config", None) or Config(retries={"mode": "standard", "total_max_attempts": attempts})
        settings = {
            "endpoint_url": self.info["aws_endpoint"],
            "region_name": self.info["region"],
            "aws_access_key_id": self.info["aws_access_key_id"],
            "aws_secret_access_key": self.info["aws_secret_access_key"],
            "config": config,
            **overrides,
        }
        return boto3.client(service, **settings)

    def control(self, method: str, path: str, payload: dict | None = None, api: str = "aws") -> tuple[int, dict]:
        """Calls a `/_sandbox/` control API: the AWS one, or with `api="github"` the emulator's."""
        base = self.info["aws_endpoint"] if api == "aws" else self.info["github_api_url"]
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self) -> int:
        # A sandbox stops its agents first; on a loaded machine that takes a while, not forever.
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=60)


def start_sandbox(*arguments: str) -> RunningSandbox:
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "sandbox"), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=10)
        raise RuntimeError(f"scripts/sandbox exited with {process.returncode} before printing its JSON line")
    return RunningSandbox(process, json.loads(line))


def process_alive(pid: int) -> bool:
    """Whether the process exists; a zombie (exited, not yet reaped) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):  # it went away between the two looks
        return False


@pytest.fixture(scope="session")
def sandbox():
    running = start_sandbox("--exit-with-parent")
    yield running
    assert running.stop() == 0


@pytest.fixture(autouse=True)
def clean_controls(request):
    """Faults, delays and pending failures are global to a sandbox: no test leaves any behind."""
    yield
    if "sandbox" in request.fixturenames:
        running = request.getfixturevalue("sandbox")
        running.control("DELETE", "/_sandbox/faults")
        running.control("DELETE", "/_sandbox/fail-next")
        running.control("POST", "/_sandbox/settings", {"ready_delay_seconds": 0})


@pytest.fixture
def agentcore(sandbox):
    return sandbox.client("bedrock-agentcore-control")


@pytest.fixture
def s3(sandbox):
    return sandbox.client("s3")


@pytest.fixture
def runtime_request(sandbox):
    """The arguments of a valid CreateAgentRuntime, minus the name."""
    return {
        "agentRuntimeArtifact": {
            "codeConfiguration": {
                "code": {"s3": {"bucket": sandbox.info["s3_bucket"], "prefix": "agents/agent.zip"}},
                "runtime": "PYTHON_3_12",
                "entryPoint": ["main.py"],
            }
        },
        "roleArn": sandbox.info["role_arn"],
        "networkConfiguration": {"networkMode": "PUBLIC"},
    }


_names = iter(range(1, 10_000))


@pytest.fixture
def unique_name():
    """A fresh valid runtime name per call, so tests sharing the sandbox never collide."""
    return lambda prefix="pr": f"{prefix}_{next(_names)}"
