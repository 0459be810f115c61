"""The sample agent starts without network or credentials and answers AgentCore's health check.

Its dependencies are installed for this interpreter with uv, once per requirements set, into
`.cache/agentcore/pytest-deps/<hash>` (shared by every run). The tests skip, saying why, only
when those dependencies cannot be installed (no uv, or no package index reachable).
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

AGENT_DIR = Path(__file__).resolve().parent.parent
ROOT = AGENT_DIR.parent
REQUIREMENTS = AGENT_DIR / "requirements.txt"


@pytest.fixture(scope="session")
def deps():
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode() + sys.executable.encode()).hexdigest()
    target = ROOT / ".cache" / "agentcore" / "pytest-deps" / key
    if target.is_dir():
        return target
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (pip install uv), so the agent's dependencies cannot be installed")
    staging = target.with_name(f".staging-{uuid.uuid4().hex}")
    result = subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", sys.executable, "--target", str(staging), "-r", str(REQUIREMENTS)],
        capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip(f"the agent's dependencies could not be installed with uv: {result.stderr.strip()[-500:]}")
    try:
        staging.rename(target)
    except OSError:  # another run finished first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def clean_env(deps, **extra):
    """No AWS credentials, no proxies, nothing from the developer's shell but PATH."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent", "LANG": "C.UTF-8",
           "PYTHONPATH": f"{deps}{os.pathsep}{AGENT_DIR}", "AWS_EC2_METADATA_DISABLED": "true"}
    env.update(extra)
    return env


def run_python(deps, code):
    return subprocess.run([sys.executable, "-c", code], cwd=AGENT_DIR, env=clean_env(deps, LOG_LEVEL="ERROR"),
                          capture_output=True, text=True, timeout=60)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_import_creates_no_agent_and_loads_no_strands(deps):
    result = run_python(deps, "import sys, agent; print(agent._agent is None, 'strands' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_system_prompt_is_read_from_the_file_or_falls_back(deps, tmp_path):
    prompt = tmp_path / "system_prompt.txt"
    prompt.write_text("  You are Haiku Bot.\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    code = (
        "import agent\n"
        f"print(repr(agent.load_system_prompt({str(prompt)!r})))\n"
        f"print(agent.load_system_prompt({str(empty)!r}) == agent.FALLBACK_PROMPT)\n"
        f"print(agent.load_system_prompt({str(tmp_path / 'missing.txt')!r}) == agent.FALLBACK_PROMPT)\n"
    )
    result = run_python(deps, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["'You are Haiku Bot.'", "True", "True"]


def test_server_answers_ping_and_rejects_an_empty_prompt(deps):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-u", "agent.py"], cwd=AGENT_DIR, env=clean_env(deps, PORT=str(port)),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as response:
                    status, body = response.status, json.load(response)
                    break
            except OSError:
                time.sleep(0.1)
        assert process.poll() is None, process.stdout.read()
        assert status == 200
        assert body["status"] == "Healthy"

        request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=b"{}",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert "error" in json.load(response)
    finally:
        process.terminate()
        process.wait(timeout=10)
