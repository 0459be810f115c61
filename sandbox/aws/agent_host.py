"""Runs one runtime version's code zip the way AgentCore Runtime does, and forwards invocations to it.

AgentCore extracts the zip, starts `python3.X -u <entry point>` in the extracted root as a
non-root user, waits for `GET /ping` to answer 200 on port 8080 and then sends `POST /invocations`.
Here each version gets its own directory and process; the process is told `PORT` (a free port),
which agents that read it use, while one that insists on 8080 is found there. When the sandbox
runs as root the agent runs as `nobody`, so files the package made unreadable fail as they would
in AgentCore; binary wheels built for ARM64 are swapped for this machine's builds (host_wheels).
The interpreter is a bare virtual environment of the machine's python3.X: the packages installed
on this machine stay out of the agent's reach, as they are absent from AgentCore's.
"""

import http.client
import io
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from queue import Queue
from typing import Callable

from . import host_wheels
from .code_cache import CodeCache

log = logging.getLogger("sandbox.agents")

AGENTCORE_PORT = 8080
# AgentCore's own words for a start that misses the budget (RuntimeClientError).
INIT_BUDGET_SECONDS = 60
INIT_EXCEEDED = "Runtime initialization time exceeded. Please make sure that initialization completes in {budget}s."
INVOKE_TIMEOUT_SECONDS = 900  # per socket read: a streaming agent may pause between chunks
MAX_UNZIPPED_BYTES = 750 * 1024 * 1024  # AgentCore's limit for an extracted code package
STOP_GRACE_SECONDS = 2.0


class AgentError(Exception):
    """The agent could not be started or reached; the message is for the caller of InvokeAgentRuntime."""


@dataclass(frozen=True)
class AgentCode:
    """What one runtime version runs: its zip (fetched on first use) and how to start it."""

    label: str  # "pr_42 version 3", for logs and messages
    python_minor: int  # 11 for PYTHON_3_11
    entry_point: tuple[str, ...]  # 1 or 2 strings, as in codeConfiguration
    environment: dict[str, str]  # the runtime's environmentVariables
    fetch_zip: Callable[[], bytes] = field(compare=False)


@dataclass(frozen=True)
class HostSettings:
    """What every agent process gets from the sandbox."""

    base_environment: dict[str, str]  # AWS endpoint, credentials and region pointing at the sandbox
    wheel_cache: Path
    interpreters: Path  # where the bare virtual environments go, one per Python version
    init_budget_seconds: float = INIT_BUDGET_SECONDS
    code_cache: CodeCache | None = None  # files and bytecode shared between versions; None extracts afresh


@dataclass
class StartTimes:
    """Where a cold start's time went, in seconds (all but boot are 0 on a restart)."""

    extract: float = 0.0
    install: float = 0.0
    bytecode: float = 0.0
    boot: float = 0.0


class Spawner:
    """Starts processes from one long-lived thread.

    Each agent gets `--pdeathsig KILL` so it dies with the sandbox, even a SIGKILLed one. Linux
    sends that signal when the *thread* that forked the child ends, so the short-lived request
    threads must not be the parent: this thread, which lives as long as the sandbox, is.
    """

    def __init__(self):
        self._jobs: Queue = Queue()
        threading.Thread(target=self._run, name="agent-spawner", daemon=True).start()

    def popen(self, argv: list[str], **options) -> subprocess.Popen:
        result: Future = Future()
        self._jobs.put((argv, options, result))
        return result.result()

    def _run(self) -> None:
        while True:
            argv, options, result = self._jobs.get()
            try:
                result.set_result(subprocess.Popen(argv, **options))
            except Exception as error:  # handed to the waiting caller
                result.set_exception(error)


class AgentHost:
    """One version's extracted code and agent process: started on first use, reused, stopped on demand."""

    def __init__(self, code: AgentCode, directory: Path, settings: HostSettings, spawner: Spawner):
        self.code = code
        self.directory = directory
        self.root = directory / "code"
        self.log_path = directory / "agent.log"
        self.settings = settings
        self.spawner = spawner
        self.times: StartTimes | None = None  # of the last start
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._prepared = False
        self._compile_later = None  # the code cache's compile of this version's new bytecode
        self._closed = False
        self._in_flight = 0  # invocations being answered: the agent is busy
        self.last_used = time.monotonic()
        self._start_lock = threading.Lock()  # one start at a time; others wait for it
        self._state_lock = threading.Lock()  # guards _process and _closed against stop()

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def ensure_ready(self) -> int:
        """The port the agent answers on, starting it first when it is not running."""
        with self._start_lock:
            if self._closed:
                raise AgentError(f"{self.code.label} was deleted")
            process = self._process
            if process is not None and process.poll() is None and self.port is not None:
                return self.port
            if process is not None:
                log.warning("%s: the agent exited with status %s; starting it again", self.code.label, process.returncode)
            try:
                return self._start()
            except OSError as error:  # a full disk, a missing setpriv: the caller still gets an AWS-shaped error
                raise AgentError(f"{self.code.label}: the sandbox could not start it: {error}") from error

    @property
    def busy(self) -> bool:
        return self._in_flight > 0

    def begin(self) -> None:
        """An invocation starts: the agent is busy until `end()`."""
        with self._state_lock:
            self._in_flight += 1
            self.last_used = time.monotonic()

    def end(self) -> None:
        with self._state_lock:
            self._in_flight -= 1
            self.last_used = time.monotonic()

    def suspend(self) -> None:
        """Stops an idle agent's process and keeps its files: the next invocation starts it again."""
        with self._start_lock:
            with self._state_lock:
                process = self._process
                if self._closed or self._in_flight or process is None or process.poll() is not None:
                    return
                self._process = None
            _terminate(process)
            log.info("%s: idle agent stopped to make room; it starts again on its next invocation", self.code.label)

    def invoke(self, body: bytes, headers: dict[str, str]) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Sends `POST /invocations`; the caller reads the response and closes the connection."""
        port = self.ensure_ready()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=INVOKE_TIMEOUT_SECONDS)
        try:
            connection.request("POST", "/invocations", body=body, headers=headers)
            return connection, connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise AgentError(f"the connection to {self.code.label} failed: {error}; its output:\n{self.output_tail()}") from error

    def stop(self, graceful: bool = True) -> None:
        """SIGTERM to the agent's process group, SIGKILL after a grace period (at once when not
        `graceful`); then its files go."""
        with self._state_lock:
            self._closed = True
            process = self._process
        if process is not None:
            _terminate(process, graceful)
            log.info("%s: agent stopped", self.code.label)
        shutil.rmtree(self.directory, ignore_errors=True)

    def output_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no output)"
        return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"

    # Starting ----------------------------------------------------------------------------

    def _start(self) -> int:
        base_python = find_python(self.code.python_minor)
        python = bare_interpreter(base_python, self.settings.interpreters / f"python3.{self.code.python_minor}")
        times = StartTimes() if self._prepared else self._prepare(base_python)
        began = time.monotonic()
        process, port = self._launch(python)
        self.port = self._wait_for_ping(process, port, began)
        times.boot = time.monotonic() - began
        self.times = times
        if self._compile_later is not None:
            threading.Thread(target=self._compile_later, name=f"bytecode-{self.directory.name}", daemon=True).start()
            self._compile_later = None
        log.info("%s: agent pid %d answers on port %d (extract %.2f s, host wheels %.2f s, bytecode %.2f s, boot %.2f s)",
                 self.code.label, process.pid, self.port, times.extract, times.install, times.bytecode, times.boot)
        return self.port

    def _prepare(self, base_python: str) -> StartTimes:
        """Extracts the zip, swaps in this machine's builds of its foreign binary wheels and adds
        bytecode (once per version)."""
        times = StartTimes()
        cache = self.settings.code_cache
        began = time.monotonic()
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        os.chmod(self.directory, 0o755)
        extract(self.code.fetch_zip(), self.root, cache)
        times.extract = time.monotonic() - began
        began = time.monotonic()
        foreign = host_wheels.foreign_binary_distributions(self.root, self.code.python_minor)
        if foreign:
            try:
                builds = host_wheels.install_host_builds(foreign, base_python, self.code.python_minor, self.settings.wheel_cache)
            except host_wheels.HostWheelError as error:
                raise AgentError(f"{self.code.label}: {error}") from error
            host_wheels.swap_in(self.root, foreign, builds, copy_tree=cache.copy_tree if cache else None)
            log.info("%s: swapped in this machine's builds of %s", self.code.label, ", ".join(d.pin for d in foreign))
        times.install = time.monotonic() - began
        if cache is not None:
            began = time.monotonic()
            self._compile_later = cache.add_bytecode(self.root, base_python, self.code.python_minor)
            times.bytecode = time.monotonic() - began
        self._prepared = True
        return times

    def _launch(self, python: str) -> tuple[subprocess.Popen, int]:
        """Starts `python -u <entry point>` in the extracted root, told a free PORT; its output goes to the log."""
        port = _free_port()
        user = unprivileged_user(python)
        home = self.directory / "home"
        home.mkdir(exist_ok=True)
        if user is not None:
            os.chown(home, user.uid, user.gid)
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home),
            **self.code.environment, **self.settings.base_environment, "PORT": str(port),
        }
        command = [python, "-u", *self._entry_argv()]
        with self._state_lock:
            if self._closed:
                raise AgentError(f"{self.code.label} was deleted")
            with open(self.log_path, "ab") as output:
                self._process = self.spawner.popen(
                    _with_privileges(command, user), cwd=self.root, env=environment, stdin=subprocess.DEVNULL,
                    stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            return self._process, port

    def _entry_argv(self) -> list[str]:
        """`agent.py`, or for two entries (a launcher and the agent) the launcher's script from the root or `bin/`."""
        first, *rest = self.code.entry_point
        if rest and not (self.root / first).is_file() and (self.root / "bin" / first).is_file():
            first = f"bin/{first}"
        return [first, *rest]

    def _wait_for_ping(self, process: subprocess.Popen, port: int, began: float) -> int:
        budget = self.settings.init_budget_seconds
        while True:
            if process.poll() is not None:
                raise AgentError(
                    f"{self.code.label}: `python -u {' '.join(self.code.entry_point)}` exited with status "
                    f"{process.returncode} before answering GET /ping; its output:\n{self.output_tail()}")
            for candidate in _candidate_ports(process.pid, port):
                if ping(candidate) == 200:
                    return candidate
            if time.monotonic() - began > budget:
                _terminate(process)
                raise AgentError(f"{INIT_EXCEEDED.format(budget=f'{budget:g}')} ({self.code.label}: GET /ping did not "
                                 f"answer 200 on port {AGENTCORE_PORT} or $PORT; its output:\n{self.output_tail()})")
            time.sleep(0.05)


def extract(data: bytes, root: Path, cache: CodeCache | None = None) -> None:
    """Unzips with the archive's Unix modes, refusing paths that leave `root` and links; each file
    comes from `cache` when one is given."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise AgentError(f"the code package is not a zip archive ({error})") from error
    with archive:
        entries = archive.infolist()
        unzipped = sum(entry.file_size for entry in entries)
        if unzipped > MAX_UNZIPPED_BYTES:
            raise AgentError(f"the code package unzips to {unzipped} bytes, over AgentCore's 750 MB limit")
        for entry in entries:
            parts = PurePosixPath(entry.filename).parts
            if entry.filename.startswith("/") or "\\" in entry.filename or ".." in parts or not parts:
                raise AgentError(f"the code package holds an unsafe path: {entry.filename!r}")
            mode = entry.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise AgentError(f"the code package holds a symbolic link, which the sandbox does not extract: {entry.filename}")
            target = root.joinpath(*parts)
            if entry.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                os.chmod(target, (mode & 0o777) or 0o755)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if cache is not None:
                cache.extract(archive, entry, target, (mode & 0o777) or 0o644)
                continue
            with archive.open(entry) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
            os.chmod(target, (mode & 0o777) or 0o644)


# Interpreters and users ---------------------------------------------------------------------

@cache
def find_python(minor: int) -> str:
    """The real path of a `python3.<minor>`: system ones first (every user can run those), then PATH, then uv's."""
    name = f"python3.{minor}"
    for candidate in (f"/usr/bin/{name}", f"/usr/local/bin/{name}", shutil.which(name)):
        if found := _interpreter(candidate, minor):
            return found
    if found := _interpreter(_uv_python(minor), minor):
        return found
    raise AgentError(f"this machine has no {name}, which PYTHON_3_{minor} runtimes run on; "
                     f"install it (apt-get install {name}, or uv python install 3.{minor})")


def _interpreter(candidate: str | None, minor: int) -> str | None:
    """The real path of `candidate` when it runs and is Python 3.<minor>."""
    if not candidate or not os.access(candidate, os.X_OK):
        return None
    probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2]); print(sys.executable)"],
                           capture_output=True, text=True, timeout=30)
    lines = probe.stdout.splitlines()
    return lines[1] if probe.returncode == 0 and len(lines) == 2 and lines[0] == f"(3, {minor})" else None


def _uv_python(minor: int) -> str | None:
    """An interpreter uv has installed (never downloading one); asked only when the usual places have none."""
    try:
        found = subprocess.run([host_wheels.find_uv(), "python", "find", f"3.{minor}"], capture_output=True, text=True,
                               timeout=30, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"})
    except (host_wheels.HostWheelError, OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() if found.returncode == 0 else None


_interpreter_lock = threading.Lock()


def bare_interpreter(base_python: str, directory: Path) -> str:
    """A virtual environment of `base_python` without pip or the system's packages, made once."""
    python = directory / "bin" / "python"
    with _interpreter_lock:
        if not python.exists():
            made = subprocess.run([base_python, "-m", "venv", "--without-pip", str(directory)],
                                  capture_output=True, text=True, timeout=120)
            if made.returncode != 0:
                raise AgentError(f"cannot make a bare environment of {base_python}: {made.stderr.strip()[-300:]}")
    return str(python)


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int


@cache
def unprivileged_user(python: str) -> User | None:
    """`nobody` when the sandbox runs as root and `nobody` can run `python`; else None (run as ourselves)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    user = User("nobody", entry.pw_uid, entry.pw_gid)
    probe = subprocess.run(_with_privileges([python, "-c", "pass"], user), capture_output=True, cwd="/", timeout=30)
    if probe.returncode != 0:
        log.warning("%s cannot be run by nobody; agents run as root instead", python)
        return None
    return user


def _with_privileges(command: list[str], user: User | None) -> list[str]:
    """The command under setpriv (Linux): as `user` when given, and killed when the sandbox dies."""
    if shutil.which("setpriv") is None:
        return command
    prefix = ["setpriv", "--pdeathsig", "KILL"]
    if user is not None:
        prefix += [f"--reuid={user.uid}", f"--regid={user.gid}", "--clear-groups"]
    return [*prefix, "--", *command]


# Processes and ports ------------------------------------------------------------------------

def _terminate(process: subprocess.Popen, graceful: bool = True) -> None:
    signals = ((signal.SIGTERM, STOP_GRACE_SECONDS),) if graceful else ()
    for signum, grace in (*signals, (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, signum)  # the whole group: whatever the agent started goes too
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ping(port: int) -> int | None:
    """The status of `GET /ping` on loopback, or None while nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/ping")
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def _candidate_ports(pid: int, port: int) -> list[int]:
    """$PORT and 8080, where the agent's own processes listen; both when /proc cannot tell."""
    listening = listening_ports(pid)
    wanted = [port, AGENTCORE_PORT]
    return wanted if listening is None else [p for p in wanted if p in listening]


def listening_ports(pid: int) -> set[int] | None:
    """TCP ports that `pid` or its children listen on (Linux /proc), None where /proc is missing."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        pids = [pid]
        for task in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{task}/children")
            if children.exists():
                pids += [int(child) for child in children.read_text().split()]
        inodes = set()
        for owner in pids:
            for descriptor in os.listdir(f"/proc/{owner}/fd"):
                try:
                    link = os.readlink(f"/proc/{owner}/fd/{descriptor}")
                except OSError:
                    continue
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        ports = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        return ports
    except (OSError, ValueError):
        return set()  # the process is gone or going: nothing of it listens
