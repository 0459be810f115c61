"""Agents for data-plane tests: small standard-library ones and the repository's sample agent as
AgentCore gets it (ARM64 wheels), zipped, uploaded and deployed through boto3."""

import hashlib
import io
import json
import pathlib
import shutil
import subprocess
import time
import uuid
import zipfile

from aws.host_wheels import HostWheelError, find_uv
from conftest import ROOT, process_alive

SAMPLE_AGENT = ROOT / "agent"
ARM64_PLATFORMS = ("aarch64-manylinux2014", "aarch64-manylinux_2_28", "aarch64-manylinux_2_34")

# Answers AgentCore's two routes as the contract says. The runtime's environment variables steer
# it: IGNORE_PORT makes it listen on 8080 whatever PORT says, ANSWER_STATUS sets its status.
ECHO_AGENT = '''
import json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RELEASED = threading.Event()
STATUS = int(os.environ.get("ANSWER_STATUS", "200"))
PORT = 8080 if os.environ.get("IGNORE_PORT") else int(os.environ.get("PORT", "8080"))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.answer(200 if self.path == "/ping" else 404, {"status": "Healthy"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = json.loads(body or b"{}")
        if payload.get("stream"):
            return self.stream()
        if payload.get("release"):
            RELEASED.set()
        self.answer(STATUS, {
            "payload": payload,
            "contentType": self.headers.get("Content-Type"),
            "session": self.headers.get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"),
            "custom": self.headers.get("X-Amzn-Bedrock-AgentCore-Runtime-Custom-Flavour"),
            "uid": os.getuid(), "port": PORT, "cwd": os.getcwd(), "sysPath": sys.path,
            "bedrockEndpoint": os.environ.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"),
            "greeting": os.environ.get("GREETING"),
        })

    def stream(self):
        # HTTP/1.0 without a length: the answer ends when the connection closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b"data: first\\n\\n")
        self.wfile.flush()
        released = RELEASED.wait(60)  # a second invocation releases it, once the first chunk was read
        self.wfile.write(b"data: released\\n\\n" if released else b"data: never released\\n\\n")

    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


print("echo agent on port", PORT)
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
'''

CRASHING_AGENT = 'import sys\nprint("loading the model settings")\nraise SystemExit("settings.toml is missing")\n'
SILENT_AGENT = 'import time\nprint("thinking before listening")\ntime.sleep(600)\n'


def zip_bytes(files: dict[str, str | bytes], mode: int = 0o644) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def deploy(sandbox, name: str, package: bytes, entry_point: str = "agent.py", environment: dict | None = None,
           runtime: str = "PYTHON_3_11") -> dict:
    """Uploads the zip and creates a runtime from it; returns CreateAgentRuntime's answer."""
    key = f"agents/{name}/{time.monotonic_ns()}.zip"
    sandbox.client("s3").put_object(Bucket=sandbox.info["s3_bucket"], Key=key, Body=package)
    extra = {"environmentVariables": environment} if environment else {}
    return sandbox.client("bedrock-agentcore-control").create_agent_runtime(
        agentRuntimeName=name, agentRuntimeArtifact=artifact(sandbox, key, entry_point, runtime),
        roleArn=sandbox.info["role_arn"], networkConfiguration={"networkMode": "PUBLIC"}, **extra)


def update(sandbox, runtime_id: str, package: bytes, entry_point: str = "agent.py") -> dict:
    """Uploads the zip as a new version of the runtime; returns UpdateAgentRuntime's answer."""
    key = f"agents/{runtime_id}/{time.monotonic_ns()}.zip"
    sandbox.client("s3").put_object(Bucket=sandbox.info["s3_bucket"], Key=key, Body=package)
    return sandbox.client("bedrock-agentcore-control").update_agent_runtime(
        agentRuntimeId=runtime_id, agentRuntimeArtifact=artifact(sandbox, key, entry_point, "PYTHON_3_11"),
        roleArn=sandbox.info["role_arn"], networkConfiguration={"networkMode": "PUBLIC"})


def artifact(sandbox, key: str, entry_point: str, runtime: str) -> dict:
    return {"codeConfiguration": {"code": {"s3": {"bucket": sandbox.info["s3_bucket"], "prefix": key}},
                                  "runtime": runtime, "entryPoint": [entry_point]}}


def wait_until_ready(sandbox, runtime_id: str, timeout: float = 10.0) -> None:
    control = sandbox.client("bedrock-agentcore-control")
    deadline = time.monotonic() + timeout
    while control.get_agent_runtime(agentRuntimeId=runtime_id)["status"] != "READY":
        assert time.monotonic() < deadline, f"{runtime_id} did not become READY"
        time.sleep(0.05)


def invoke_json(sandbox, arn: str, payload: dict, **options) -> dict:
    answer = sandbox.client("bedrock-agentcore").invoke_agent_runtime(
        agentRuntimeArn=arn, payload=json.dumps(payload).encode(), contentType="application/json", **options)
    return json.loads(answer["response"].read())


def agents(sandbox) -> list[dict]:
    status, body = sandbox.control("GET", "/_sandbox/agents")
    assert status == 200, body
    return body["agents"]


def agent_of(sandbox, runtime_id: str, version: str = "1") -> dict:
    return next(a for a in agents(sandbox) if a["runtimeId"] == runtime_id and a["version"] == version)


def wait_until_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not process_alive(pid)


# The sample agent, packaged as for AgentCore ---------------------------------------------

class DependenciesUnavailable(Exception):
    """uv could not install the sample agent's requirements (no uv, or no package index)."""


def arm64_dependencies(python_version: str = "3.11") -> pathlib.Path:
    """The sample agent's requirements as ARM64 wheels, installed once per requirements set into .cache/agentcore."""
    requirements = SAMPLE_AGENT / "requirements.txt"
    key = hashlib.sha256(requirements.read_bytes() + f"\n{python_version} aarch64".encode()).hexdigest()
    target = ROOT / ".cache" / "agentcore" / "pytest-deps" / f"arm64-{key}"
    if (target / ".complete").exists():
        return target
    try:
        uv = find_uv()
    except HostWheelError as error:
        raise DependenciesUnavailable(str(error)) from error
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".staging-{uuid.uuid4().hex}")
    try:
        for platform in ARM64_PLATFORMS:  # newer manylinux tags only when a package lacks the older
            shutil.rmtree(staging, ignore_errors=True)
            result = subprocess.run(
                [uv, "pip", "install", "--quiet", "--python-platform", platform, "--python-version", python_version,
                 "--only-binary=:all:", "--target", str(staging), "-r", str(requirements)],
                capture_output=True, text=True)
            if result.returncode == 0:
                break
        else:
            raise DependenciesUnavailable(result.stderr.strip()[-500:])
        (staging / ".lock").unlink(missing_ok=True)
        (staging / ".complete").write_text(platform)
        try:
            staging.rename(target)
        except OSError:  # another run finished first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def dependency_zip(dependencies: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    """The dependencies at the zip root, with their modes (what a package holds before the agent's files)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(dependencies.rglob("*")):
            relative = path.relative_to(dependencies).as_posix()
            if relative == ".complete" or "__pycache__" in path.parts or path.is_dir():
                continue
            archive.write(path, relative)
    return out


def with_agent(base: pathlib.Path, out: pathlib.Path, prompt: str, agent_source: str | None = None) -> bytes:
    """A copy of `base` plus `agent.py` (the sample agent's unless given) and `system_prompt.txt`."""
    shutil.copyfile(base, out)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("agent.py", agent_source or (SAMPLE_AGENT / "agent.py").read_text()),
                              ("system_prompt.txt", prompt)):
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.read_bytes()
