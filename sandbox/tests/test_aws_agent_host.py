"""The data plane's parts on their own: routing, extraction, host builds of wheels, agent lifetime."""

import io
import shutil
import signal
import stat
import sys
import tempfile
import threading
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.test import EnvironBuilder

from aws import agent_host, agentcore, host_wheels
from aws.agent_host import AgentError, extract
from aws.dataplane import DataPlane
from aws.request import read_request

ARN_PATH = "/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fpr_1-0123456789/invocations"


def identify(method: str, path: str, service: str) -> tuple[str | None, str | None]:
    scope = f"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/{service}/aws4_request"
    environ = EnvironBuilder(path=path, method=method, data=b"{}",
                             headers={"Authorization": f"{scope}, SignedHeaders=host, Signature=0"}).get_environ()
    request = read_request(environ)
    return request.api, request.operation


@pytest.mark.parametrize(("method", "path", "service", "expected"), [
    ("POST", "/runtimes/", "bedrock-agentcore", ("bedrock-agentcore-control", "ListAgentRuntimes")),
    ("POST", "/runtimes/pr_1-0123456789/versions/", "bedrock-agentcore",
     ("bedrock-agentcore-control", "ListAgentRuntimeVersions")),
    ("POST", ARN_PATH, "bedrock-agentcore", ("bedrock-agentcore", "InvokeAgentRuntime")),
    ("POST", "/runtimes/pr_1-0123456789/invocations", "bedrock-agentcore", ("bedrock-agentcore", "InvokeAgentRuntime")),
    ("GET", ARN_PATH, "bedrock-agentcore", ("bedrock-agentcore-control", None)),  # no such operation
    ("POST", "/model/global.anthropic.claude-sonnet-4-6/converse-stream", "bedrock", ("bedrock-runtime", "ConverseStream")),
    ("POST", "/model/us.amazon.nova-lite-v1%3A0/converse", "bedrock", ("bedrock-runtime", "Converse")),
    ("GET", "/foundation-models", "bedrock", ("bedrock", "ListFoundationModels")),
])
def test_requests_sharing_a_signing_name_are_told_apart_by_route(method, path, service, expected):
    assert identify(method, path, service) == expected


def zip_of(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, content)
    return buffer.getvalue()


class TestExtract:
    def test_modes_come_from_the_archive(self, tmp_path):
        extract(zip_of([("pkg/", b"", stat.S_IFDIR | 0o755), ("pkg/a.py", b"A = 1", stat.S_IFREG | 0o644),
                        ("secret.py", b"", stat.S_IFREG | 0o600), ("bin/tool", b"#!", stat.S_IFREG | 0o755)]), tmp_path)
        assert (tmp_path / "pkg" / "a.py").read_bytes() == b"A = 1"
        modes = {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("pkg", "pkg/a.py", "secret.py", "bin/tool")}
        assert modes == {"pkg": 0o755, "pkg/a.py": 0o644, "secret.py": 0o600, "bin/tool": 0o755}

    @pytest.mark.parametrize("name", ["../escape.py", "/etc/evil.py", "pkg\\..\\evil.py"])
    def test_paths_leaving_the_root_are_refused(self, tmp_path, name):
        with pytest.raises(AgentError, match="unsafe path"):
            extract(zip_of([(name, b"", stat.S_IFREG | 0o644)]), tmp_path / "root")
        assert not (tmp_path / "escape.py").exists()

    def test_links_are_refused(self, tmp_path):
        with pytest.raises(AgentError, match="symbolic link"):
            extract(zip_of([("link", b"/etc/passwd", stat.S_IFLNK | 0o777)]), tmp_path)

    def test_something_else_than_a_zip_is_a_clear_error(self, tmp_path):
        with pytest.raises(AgentError, match="not a zip archive"):
            extract(b"PK but not really", tmp_path)


def dist_info(root: Path, name: str, version: str, tags: list[str], files: dict[str, str] | None = None) -> Path:
    directory = root / f"{name}-{version}.dist-info"
    directory.mkdir(parents=True)
    (directory / "WHEEL").write_text("Wheel-Version: 1.0\n" + "".join(f"Tag: {tag}\n" for tag in tags))
    (directory / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not this\n")
    record = []
    for relative, content in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        record.append(f"{relative},sha256=x,{len(content)}")
    (directory / "RECORD").write_text("\n".join(record + [f"{directory.name}/RECORD,,"]) + "\n")
    return directory


class TestHostWheels:
    def test_only_binary_wheels_for_another_platform_and_this_python_are_swapped(self, tmp_path):
        dist_info(tmp_path, "fast", "1.0", ["cp311-cp311-manylinux2014_aarch64", "cp311-cp311-manylinux_2_17_aarch64"])
        dist_info(tmp_path, "stable", "5.0", ["cp38-abi3-manylinux_2_28_aarch64"])
        dist_info(tmp_path, "pure", "2.0", ["py3-none-any"])
        dist_info(tmp_path, "native", "3.0", ["cp311-cp311-manylinux_2_17_x86_64"])
        dist_info(tmp_path, "old", "4.0", ["cp310-cp310-manylinux_2_17_aarch64"])  # fails here as on AgentCore
        found = host_wheels.foreign_binary_distributions(tmp_path, 11, machine="x86_64")
        assert [d.pin for d in found] == ["fast==1.0", "stable==5.0"]
        on_arm = host_wheels.foreign_binary_distributions(tmp_path, 11, machine="aarch64")
        assert [d.pin for d in on_arm] == ["native==3.0"]

    def test_swap_in_replaces_the_distribution_files_and_nothing_outside(self, tmp_path):
        root, builds = tmp_path / "root", tmp_path / "builds"
        (tmp_path / "outside.txt").write_text("keep")
        dist_info(root, "fast", "1.0", ["cp311-cp311-manylinux2014_aarch64"],
                  {"fast/__init__.py": "arm", "fast/_native.cpython-311-aarch64-linux-gnu.so": "arm"})
        (root / "fast-1.0.dist-info" / "RECORD").open("a").write("../outside.txt,,\n")
        dist_info(root, "pure", "2.0", ["py3-none-any"], {"pure.py": "pure"})
        dist_info(builds, "fast", "1.0", ["cp311-cp311-manylinux2014_x86_64"],
                  {"fast/__init__.py": "host", "fast/_native.cpython-311-x86_64-linux-gnu.so": "host"})
        (builds / ".complete").write_text("fast==1.0\n")

        distributions = host_wheels.foreign_binary_distributions(root, 11, machine="x86_64")
        host_wheels.swap_in(root, distributions, builds)
        assert sorted(p.name for p in (root / "fast").iterdir()) == ["__init__.py", "_native.cpython-311-x86_64-linux-gnu.so"]
        assert (root / "fast" / "__init__.py").read_text() == "host"
        assert "x86_64" in (root / "fast-1.0.dist-info" / "WHEEL").read_text()
        assert (root / "pure.py").read_text() == "pure"
        assert not (root / ".complete").exists()
        assert (tmp_path / "outside.txt").read_text() == "keep"

    def test_builds_are_installed_once_then_reused_and_a_failure_leaves_nothing(self, tmp_path):
        runs = tmp_path / "runs"
        fake_uv = tmp_path / "uv"
        fake_uv.write_text('#!/bin/sh\necho "$@" >> ' + str(runs) + '\n'
                           'while [ "$1" != "--target" ]; do shift; done\nmkdir -p "$2" && echo built > "$2/fast.py"\n')
        fake_uv.chmod(0o755)
        distribution = host_wheels.Distribution("fast", "1.0", tmp_path)
        cache = tmp_path / "cache"
        first = host_wheels.install_host_builds([distribution], "/usr/bin/python3", 11, cache, uv=str(fake_uv))
        again = host_wheels.install_host_builds([distribution], "/usr/bin/python3", 11, cache, uv=str(fake_uv))
        assert first == again and (first / "fast.py").read_text() == "built\n"
        assert len(runs.read_text().splitlines()) == 1
        assert "--no-deps" in runs.read_text() and "fast==1.0" in runs.read_text()

        other = host_wheels.Distribution("slow", "2.0", tmp_path)
        with pytest.raises(host_wheels.HostWheelError, match="slow==2.0"):
            host_wheels.install_host_builds([other], "/usr/bin/python3", 11, cache, uv="/bin/false")
        assert sorted(p.name for p in cache.iterdir()) == [first.name]


class FakeHost:
    def __init__(self):
        self.stopped = 0
        self.graceful: list[bool] = []
        self.code = SimpleNamespace(label="fake")

    def stop(self, graceful=True):
        self.stopped += 1
        self.graceful.append(graceful)


def test_agents_of_deleted_versions_and_runtimes_are_stopped(monkeypatch, tmp_path):
    versions = {"1": SimpleNamespace(lifecycle=SimpleNamespace(status="READY")),
                "2": SimpleNamespace(lifecycle=SimpleNamespace(status="READY"))}
    runtime = SimpleNamespace(versions=versions, lifecycle=SimpleNamespace(status="READY"))
    backend = SimpleNamespace(runtimes={"pr_1-0123456789": runtime})
    monkeypatch.setattr(agentcore, "agentcore_backends", {"123456789012": {"us-east-1": backend}})
    plane = DataPlane(lambda: {}, tmp_path)
    hosts = {number: FakeHost() for number in ("1", "2")}
    for number, host in hosts.items():
        plane.hosts[("123456789012", "us-east-1", "pr_1-0123456789", number)] = host

    plane.reconcile()
    assert [h.stopped for h in hosts.values()] == [0, 0]
    del versions["1"]  # DeleteAgentRuntime with a version
    plane.reconcile()
    plane.stop()
    assert hosts["1"].stopped == 1 and [key[3] for key in plane.hosts] == []
    assert hosts["2"].stopped == 1  # by stop(): the sandbox is going away
    assert hosts["1"].graceful == [True] and hosts["2"].graceful == [False]  # a deleted version's agent may finish

    survivor = FakeHost()
    plane.hosts[("123456789012", "us-east-1", "pr_1-0123456789", "2")] = survivor
    runtime.lifecycle.status = "DELETING"
    plane.reconcile()
    plane.stop()
    assert survivor.stopped == 1


@pytest.mark.parametrize(("graceful", "signals"), [(True, ["SIGTERM"]), (False, ["SIGKILL"])])
def test_a_graceful_stop_asks_first_and_a_sandbox_stop_kills_at_once(monkeypatch, tmp_path, graceful, signals):
    sent = []
    monkeypatch.setattr(agent_host.os, "killpg", lambda pid, signum: sent.append(signal.Signals(signum).name))
    process = SimpleNamespace(pid=12345, wait=lambda timeout: 0)  # it exits at the first signal
    code = agent_host.AgentCode("pr_1 version 1", 11, ("agent.py",), {}, fetch_zip=lambda: b"")
    host = agent_host.AgentHost(code, tmp_path / "v1", SimpleNamespace(), spawner=None)
    host._process = process
    host.stop(graceful=graceful)
    assert sent == signals


def test_idle_agents_beyond_the_limit_are_stopped_least_recently_used_first(tmp_path):
    plane = DataPlane(lambda: {}, tmp_path)
    plane.max_running_agents = 3
    suspended = threading.Event()

    def host(name, last_used, busy=False, running=True):
        fake = SimpleNamespace(directory=tmp_path / name, last_used=last_used, busy=busy, pid=1 if running else None,
                               suspended=False)

        def suspend():
            fake.suspended = True
            suspended.set()
        fake.suspend = suspend
        return fake

    hosts = [host("oldest", 1), host("busy", 0, busy=True), host("stopped", 0, running=False), host("newer", 5), host("newest", 9)]
    plane.hosts = {("a", "r", name.directory.name, "1"): name for name in hosts}
    invoked = host("invoked", 0)
    plane._make_room(keep=invoked)
    assert suspended.wait(5)
    # Three may run: the invoked one and the two most recently used idle ones; the busy one is never stopped.
    assert [h.directory.name for h in hosts if h.suspended] == ["oldest"]


def test_a_suspended_agent_starts_again_from_its_files(tmp_path):
    from agent_fixtures import ECHO_AGENT, zip_bytes
    from aws.agent_host import AgentCode, AgentHost, HostSettings, Spawner

    from aws.dataplane import workspace_parent

    # A directory the agent's user can reach, as the sandbox's workspace is.
    workspace = Path(tempfile.mkdtemp(prefix="suspend-test-", dir=workspace_parent()))
    workspace.chmod(0o755)
    package = zip_bytes({"agent.py": ECHO_AGENT})
    code = AgentCode("echo version 1", sys.version_info.minor, ("agent.py",), {}, lambda: package)
    settings = HostSettings({"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, tmp_path / "wheels", workspace / "interpreters")
    host = AgentHost(code, workspace / "echo-v1", settings, Spawner())
    try:
        host.ensure_ready()
        first = host.pid
        host.begin()
        host.suspend()
        assert host.pid == first, "a busy agent is not stopped"
        host.end()
        host.suspend()
        assert host.pid is None and (workspace / "echo-v1" / "code" / "agent.py").exists()
        host.ensure_ready()
        assert host.pid not in (None, first) and host.times.extract == 0, "started again without extracting"
    finally:
        host.stop()
        shutil.rmtree(workspace, ignore_errors=True)
