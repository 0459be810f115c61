"""The local sandbox as the story uses it: a `scripts/sandbox` process, its two control APIs, and
boto3 clients signed with the sandbox's random credentials. Everything stays on loopback."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]

# Started through this stub, so a seed makes the sandbox's fault dice repeatable.
SEEDED_LAUNCH = """
import random, runpy, sys
random.seed(int(sys.argv[1]))
sys.path.insert(0, sys.argv[2])
sys.argv = [sys.argv[2] + "/launcher.py"] + sys.argv[3:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


class HTTPFailure(Exception):
    def __init__(self, method, url, status, body):
        super().__init__(f"{method} {url} answered {status}: {body[:300]}")
        self.status = status
        self.body = body


def call(base, method, path, body=None, token=None, timeout=300):
    """One JSON request; the answer decoded (None when empty). Tokens go in a header only."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/vnd.github+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
    except urllib.error.HTTPError as error:
        raise HTTPFailure(method, path, error.code, error.read().decode(errors="replace")) from None
    return json.loads(text) if text else None


class Sandbox:
    """A running `scripts/sandbox`; stop() ends it (also used on failure and Ctrl-C)."""

    def __init__(self, seed=None):
        self.log = tempfile.NamedTemporaryFile(prefix="demo-sandbox-", suffix=".log", delete=False)
        if seed is None:
            command = [str(ROOT / "scripts" / "sandbox"), "--exit-with-parent"]
        else:
            command = [sys.executable, "-c", SEEDED_LAUNCH, str(seed), str(ROOT / "sandbox"), "--exit-with-parent"]
        started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                        start_new_session=True)
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"the sandbox did not start; its log: {self.log.name}")
        self.info = json.loads(line)
        self.aws_url = self.info["aws_endpoint"]
        self.github_url = self.info["github_api_url"]
        self.repository = self.info["repository"]
        self.logins = self.info["logins"]
        self.tokens = self.info["tokens"]
        self.agentcore = self._client("bedrock-agentcore-control")
        self.s3 = self._client("s3")
        # The AWS side answers once moto has loaded: wait for that, so timings are the story's.
        self.agentcore.list_agent_runtimes()
        self.start_seconds = time.perf_counter() - started

    def _client(self, service):
        return boto3.client(
            service, endpoint_url=self.aws_url, region_name=self.info["region"],
            aws_access_key_id=self.info["aws_access_key_id"], aws_secret_access_key=self.info["aws_secret_access_key"],
            config=Config(retries={"mode": "standard", "max_attempts": 10}))

    @property
    def secrets(self):
        return [self.info["aws_secret_access_key"], *self.tokens.values()]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def remove_log(self):
        os.unlink(self.log.name)

    # GitHub: the control API (pull requests, events, state, faults) and people's REST calls.

    def github_control(self, method, path, body=None):
        return call(self.github_url, method, path, body)

    def repo_control(self, path, body=None):
        return call(self.github_url, "POST", f"/_sandbox/repos/{self.repository}{path}", body if body is not None else {})

    def github_as(self, identity, method, path, body=None):
        """A REST call with a person's token, as their browser would make it."""
        return call(self.github_url, method, f"/repos/{self.repository}{path}", body, token=self.tokens[identity])

    def github_state(self):
        state = self.github_control("GET", "/_sandbox/state")
        return {
            "issues": [i for i in state["issues"] if i["repository"] == self.repository],
            "comments": [c for c in state["comments"] if c["repository"] == self.repository],
        }

    # AWS: the control API; the resources themselves are read with boto3.

    def aws_control(self, method, path, body=None):
        return call(self.aws_url, method, path, body)

    def aws_fault_lines(self):
        """The faults the AWS side injected, from its log (its request log has no fault column)."""
        self.log.flush()
        return [line for line in Path(self.log.name).read_text(errors="replace").splitlines() if " fault " in line]
