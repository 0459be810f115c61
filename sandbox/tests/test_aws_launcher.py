"""`scripts/sandbox` itself: the JSON line, random credentials, clean exits, and bad options."""

import json
import os
import pathlib
import signal
import socket
import subprocess
import time

from conftest import ROOT, process_alive, start_sandbox

EXPECTED_KEYS = {"aws_endpoint", "aws_access_key_id", "aws_secret_access_key", "region", "s3_bucket", "role_arn"}


def test_json_line_has_the_contract_fields(sandbox):
    info = sandbox.info
    assert EXPECTED_KEYS <= set(info)
    assert info["aws_endpoint"].startswith("http://127.0.0.1:")
    assert info["region"] == "us-east-1"
    assert info["role_arn"].startswith("arn:aws:iam::123456789012:role/")


def test_each_start_has_new_credentials_and_sigterm_exits_zero(sandbox):
    other = start_sandbox("--region", "eu-west-1", "--ready-delay", "0.25")
    try:
        assert other.info["aws_access_key_id"] != sandbox.info["aws_access_key_id"]
        assert other.info["aws_secret_access_key"] != sandbox.info["aws_secret_access_key"]
        assert other.info["aws_endpoint"] != sandbox.info["aws_endpoint"]
        assert other.info["region"] == "eu-west-1"
        assert other.control("GET", "/_sandbox/settings") == (200, {"ready_delay_seconds": 0.25})
        # The first sandbox's credentials mean nothing to the second.
        foreign = other.client("sts", retries=False, aws_access_key_id=sandbox.info["aws_access_key_id"],
                               aws_secret_access_key=sandbox.info["aws_secret_access_key"])
        try:
            foreign.get_caller_identity()
            raise AssertionError("a foreign key was accepted")
        except foreign.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "InvalidClientTokenId"
    finally:
        other.process.send_signal(signal.SIGTERM)
        assert other.process.wait(timeout=10) == 0


def test_exit_with_parent_stops_when_the_parent_dies(tmp_path: pathlib.Path):
    out = tmp_path / "line.json"
    parent = subprocess.Popen(
        ["bash", "-c", f'"{ROOT}/scripts/sandbox" --exit-with-parent > "{out}" 2>/dev/null & echo $!; sleep 30'],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(parent.stdout.readline())
    deadline = time.monotonic() + 10
    while not (out.exists() and out.read_text().endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(out.read_text())["aws_endpoint"]
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_alive(child)


def test_a_non_loopback_host_is_refused_with_a_clear_error():
    result = subprocess.run([str(ROOT / "scripts" / "sandbox"), "--host", "0.0.0.0"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "loopback" in result.stderr


def test_busy_port_is_a_clear_error(sandbox):
    port = sandbox.info["aws_endpoint"].rsplit(":", 1)[1]
    result = subprocess.run([str(ROOT / "scripts" / "sandbox"), "--port", port], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"Port {port} is in use" in result.stderr  # werkzeug says so, and which port


STUB_EMULATOR = """
import json, os
class Stub:
    def __init__(self, host, port):
        self.host, self.port = host, port
    def info(self):
        return {"github_api_url": f"http://{self.host}:{self.port}", "repository": "owner/repo",
                "tokens": {"bot": "t"}, "logins": {"bot": "github-actions[bot]"}}
    def stop(self):
        open(os.environ["STUB_STOPPED"], "w").write("stopped")
def start_github_emulator(host, port):
    return Stub(host, port)
"""


def test_the_github_emulator_is_started_merged_and_stopped(tmp_path: pathlib.Path):
    """The launcher's side of the GitHub contract, with a stand-in module when the real one is absent."""
    if (ROOT / "sandbox" / "github_emulator").exists():
        stub_path = None  # the real emulator is installed: check it is wired in
    else:
        stub_path = tmp_path / "github_emulator"
        stub_path.mkdir()
        (stub_path / "__init__.py").write_text(STUB_EMULATOR)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    stopped = tmp_path / "stopped"
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), "STUB_STOPPED": str(stopped)}
    process = subprocess.Popen([str(ROOT / "scripts" / "sandbox"), "--github-port", str(free_port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment)
    try:
        info = json.loads(process.stdout.readline())
        assert {"github_api_url", "repository", "tokens", "logins"} <= set(info)
        assert info["github_api_url"].endswith(f":{free_port}")
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    if stub_path is not None:
        assert stopped.read_text() == "stopped"
