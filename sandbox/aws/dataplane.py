"""The AgentCore data plane: InvokeAgentRuntime runs the code zip of the version an endpoint serves.

    POST /runtimes/{URL-encoded runtime ARN, or runtime id with ?accountId=}/invocations?qualifier=ENDPOINT

The qualifier names an endpoint (default `DEFAULT`, which follows the newest ready version); the
endpoint's live version names the zip in S3 that the sandbox runs (agent_host), started on first
use and kept while the version exists. What the agent answers goes back as AgentCore passes it
on: a 2xx answer as is (an event stream chunk by chunk), any other status as the
RuntimeClientError (424) AgentCore makes of it, the body dropped. Requests reach this module
after the front door has checked their signature and applied fault rules.

`GET /_sandbox/agents` lists the running agents: version, pid, port, log file (the sandbox's
CloudWatch) and where their start-up time went.
"""

import logging
import os
import re
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from .agent_host import INIT_BUDGET_SECONDS, AgentCode, AgentError, AgentHost, HostSettings, Spawner
from .code_cache import CodeCache
from .errors import ErrorReply
from .request import AwsRequest

log = logging.getLogger("sandbox.agents")

SERVICE = "bedrock-agentcore"
API = "bedrock-agentcore"  # botocore's name for the data plane (the control plane is bedrock-agentcore-control)
INVOKE_PATH = re.compile(r"/runtimes/([^/]+)/invocations/?")
RUNTIME_ARN = re.compile(r"arn:aws[a-z-]*:bedrock-agentcore:([a-z0-9-]+):(\d{12}):runtime/([^/]+)")
DEFAULT_QUALIFIER = "DEFAULT"
SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
REQUEST_ID_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id"
SESSION_ID_LENGTH = (33, 256)
MAX_PAYLOAD_BYTES = 100_000_000
# Agents kept running at once; the least recently used idle ones beyond it are stopped.
MAX_RUNNING_AGENTS = 8
# Request headers AgentCore hands to the agent (lower case), besides X-Amzn-Bedrock-AgentCore-Runtime-Custom-*.
FORWARDED_HEADERS = {
    "content-type", "accept", SESSION_HEADER.lower(), "x-amzn-bedrock-agentcore-runtime-user-id", "mcp-session-id",
    "mcp-protocol-version", "x-amzn-trace-id", "traceparent", "tracestate", "baggage",
}
CUSTOM_HEADER_PREFIX = "x-amzn-bedrock-agentcore-runtime-custom-"
WORKSPACE_PREFIX = "agentcore-sandbox-agents-"
RUNTIME_ERROR = "Received error ({status}) from runtime. Please check your CloudWatch logs for more information."


class InvokeError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.reply = ErrorReply(SERVICE, status, code, message, extra)


def validation_error(field: str, message: str) -> InvokeError:
    return InvokeError(400, "ValidationException", f"1 validation error detected: {message}",
                       reason="FieldValidationFailed", fieldList=[{"name": field, "message": message}])


class DataPlane:
    """The agent processes of every version invoked so far, by (account, region, runtime id, version)."""

    def __init__(self, base_environment: Callable[[], dict[str, str]], wheel_cache: Path):
        self.base_environment = base_environment
        self.wheel_cache = wheel_cache
        self.init_budget_seconds: float = INIT_BUDGET_SECONDS
        self.hosts: dict[tuple[str, str, str, str], AgentHost] = {}
        self.max_running_agents = MAX_RUNNING_AGENTS
        self.lock = threading.Lock()
        self._spawner: Spawner | None = None
        self._workspace: Path | None = None
        self._code_cache: CodeCache | None = None
        self._stoppers: list[threading.Thread] = []

    @staticmethod
    def handles(request: AwsRequest) -> bool:
        return request.service == SERVICE and request.api == API and request.operation == "InvokeAgentRuntime"

    def serve(self, request: AwsRequest, start_response):
        try:
            return self._invoke(request, start_response)
        except InvokeError as error:
            status, headers, body = error.reply.render(request.method)
            start_response(status, headers)
            return [body]

    def _invoke(self, request: AwsRequest, start_response):
        session_id = request.headers.get(SESSION_HEADER.lower()) or str(uuid.uuid4())
        low, high = SESSION_ID_LENGTH
        if not low <= len(session_id) <= high:
            raise validation_error("runtimeSessionId", f"Member must have length between {low} and {high} "
                                   f"(got {len(session_id)}); a UUID fits")
        if len(request.body) > MAX_PAYLOAD_BYTES:
            raise validation_error("payload", f"Member must have length less than or equal to {MAX_PAYLOAD_BYTES}")
        host = self._host_for(request)
        self._make_room(keep=host)
        request_id = str(uuid.uuid4())
        headers = {name: value for name, value in request.headers.items()
                   if name in FORWARDED_HEADERS or name.startswith(CUSTOM_HEADER_PREFIX)}
        headers[SESSION_HEADER] = session_id
        headers[REQUEST_ID_HEADER] = request_id
        host.begin()  # a busy agent is never stopped to make room
        try:
            connection, response = host.invoke(request.body, headers)
        except AgentError as error:
            host.end()
            log.warning("InvokeAgentRuntime %s: %s", host.code.label, error)
            raise InvokeError(424, "RuntimeClientError", str(error)) from error
        try:
            return self._reply(host, connection, response, session_id, request_id, start_response)
        except BaseException:
            host.end()
            raise

    def _reply(self, host: AgentHost, connection, response, session_id: str, request_id: str, start_response):
        """The agent's answer as InvokeAgentRuntime gives it; `host.end()` once it is passed on."""
        if not 200 <= response.status < 300:
            response.read()
            connection.close()
            log.warning("%s answered %d; its output (the sandbox's CloudWatch):\n%s",
                        host.code.label, response.status, host.output_tail())
            raise InvokeError(424, "RuntimeClientError", RUNTIME_ERROR.format(status=response.status))
        reply_headers = [("Content-Type", response.getheader("Content-Type") or "application/json"),
                         (SESSION_HEADER, session_id), ("x-amzn-RequestId", request_id)]
        if response.getheader("Mcp-Session-Id"):
            reply_headers.append(("Mcp-Session-Id", response.getheader("Mcp-Session-Id")))
        status = f"{response.status} {response.reason}"
        if response.getheader("Content-Length") is not None and "text/event-stream" not in reply_headers[0][1]:
            body = response.read()
            connection.close()
            host.end()
            start_response(status, reply_headers + [("Content-Length", str(len(body)))])
            return [body]
        start_response(status, reply_headers)
        return _relay(connection, response, on_end=host.end)

    def _make_room(self, keep: AgentHost) -> None:
        """Stops the least recently used idle agents beyond `max_running_agents`, as AgentCore ends
        idle sessions: a suite deploys hundreds of versions, and each agent holds its memory. A
        stopped agent starts again on its next invocation, from the files it already has."""
        with self.lock:
            idle = [h for h in self.hosts.values() if h is not keep and h.pid is not None and not h.busy]
        excess = len(idle) + 1 - self.max_running_agents
        for host in sorted(idle, key=lambda h: h.last_used)[:max(0, excess)]:
            threading.Thread(target=host.suspend, name=f"suspend-{host.directory.name}", daemon=True).start()

    def _host_for(self, request: AwsRequest) -> AgentHost:
        """The agent host of the version the addressed endpoint serves (created, not yet started, when new)."""
        from .agentcore import agentcore_backends

        account, region, runtime_id = _target(request)
        qualifier = request.query.get("qualifier") or DEFAULT_QUALIFIER
        backend = (agentcore_backends.get(account) or {}).get(region)
        if backend is None:
            raise _runtime_not_found(runtime_id)
        with backend.lock:
            backend.settle()
            runtime = backend.runtimes.get(runtime_id)
            if runtime is None or runtime.lifecycle.status == "DELETING":
                raise _runtime_not_found(runtime_id)
            endpoint = runtime.endpoints.get(qualifier)
            if endpoint is None or endpoint.lifecycle.status == "DELETING":
                raise InvokeError(404, "ResourceNotFoundException",
                                  f"No endpoint named '{qualifier}' for agent runtime {runtime_id}; "
                                  f"its endpoints: {', '.join(runtime.endpoints)}")
            number = endpoint.live_version
            if number is None:
                if endpoint.lifecycle.status in ("CREATING", "UPDATING"):
                    raise InvokeError(409, "RetryableConflictException",
                                      f"Endpoint '{qualifier}' of agent runtime {runtime_id} is {endpoint.lifecycle.status}; "
                                      "retry once it is READY")
                reason = endpoint.lifecycle.failure_reason
                raise InvokeError(424, "RuntimeClientError",
                                  f"Endpoint '{qualifier}' of agent runtime {runtime_id} serves no version "
                                  f"({endpoint.lifecycle.status}{': ' + reason if reason else ''})")
            version = runtime.versions.get(number)
            if version is None:
                raise InvokeError(404, "ResourceNotFoundException",
                                  f"Version {number} of agent runtime {runtime_id} no longer exists")
            config = version.config
            label = f"{runtime.name} version {number}"
        key = (account, region, runtime_id, number)
        with self.lock:
            host = self.hosts.get(key)
            if host is None:
                code = _agent_code(label, config, account)
                directory = self._workspace_dir() / f"{runtime_id}-v{number}"
                host = AgentHost(code, directory, self._settings(), self._spawner)
                self.hosts[key] = host
        return host

    def _settings(self) -> HostSettings:
        environment = self.base_environment()
        if not environment.get("AWS_ENDPOINT_URL"):  # agents must never reach real AWS
            raise InvokeError(500, "InternalServerException", "the sandbox does not know its own address to give agents")
        workspace = self._workspace_dir()
        return HostSettings(environment, self.wheel_cache, workspace / "interpreters", self.init_budget_seconds,
                            self._code_cache)

    def _workspace_dir(self) -> Path:
        """One directory per sandbox (traversable by the agents' user), made on first use."""
        if self._workspace is None:
            parent = workspace_parent()
            remove_abandoned_workspaces(parent)
            self._workspace = Path(tempfile.mkdtemp(prefix=f"{WORKSPACE_PREFIX}{os.getpid()}-", dir=parent))
            self._workspace.chmod(0o755)
            self._spawner = Spawner()
            # Files shared by versions live beside them (links); bytecode is kept between runs.
            self._code_cache = CodeCache(self._workspace / "code-cache", self.wheel_cache.parent / "sandbox-bytecode")
        return self._workspace

    # Keeping processes to versions that exist ------------------------------------------

    def reconcile(self) -> None:
        """Stops the agents of versions and runtimes that were deleted (called after control-plane calls)."""
        from .agentcore import agentcore_backends

        with self.lock:
            items = list(self.hosts.items())
        for key, host in items:
            account, region, runtime_id, number = key
            backend = (agentcore_backends.get(account) or {}).get(region)
            runtime = backend.runtimes.get(runtime_id) if backend is not None else None
            version = runtime.versions.get(number) if runtime is not None else None
            if version is not None and runtime.lifecycle.status != "DELETING" and version.lifecycle.status != "DELETING":
                continue
            with self.lock:
                if self.hosts.get(key) is not host:
                    continue
                del self.hosts[key]
                stopper = threading.Thread(target=host.stop, name=f"stop-{runtime_id}-v{number}", daemon=True)
                self._stoppers.append(stopper)
            log.info("%s was deleted: stopping its agent", host.code.label)
            stopper.start()

    def stop(self) -> None:
        """Stops every agent and removes their files: the sandbox is shutting down."""
        with self.lock:
            hosts, self.hosts = list(self.hosts.values()), {}
            stoppers = list(self._stoppers)
        # Killed at once: the sandbox is going away, and no agent's work outlives it.
        threads = [threading.Thread(target=host.stop, kwargs={"graceful": False}, daemon=True) for host in hosts]
        for thread in threads:
            thread.start()
        for thread in threads + stoppers:
            thread.join()
        if self._workspace is not None:
            shutil.rmtree(self._workspace, ignore_errors=True)

    def describe(self) -> dict:
        """`GET /_sandbox/agents`: each version's agent, its process and where its start-up time went."""
        with self.lock:
            items = list(self.hosts.items())
        agents = []
        for (account, region, runtime_id, number), host in items:
            times = host.times
            agents.append({
                "runtimeId": runtime_id, "version": number, "label": host.code.label, "pid": host.pid,
                "port": host.port, "log": str(host.log_path),
                "startSeconds": None if times is None else {"extract": round(times.extract, 3),
                                                            "hostWheels": round(times.install, 3),
                                                            "bytecode": round(times.bytecode, 3),
                                                            "boot": round(times.boot, 3)},
            })
        return {"agents": agents}


def workspace_parent() -> str:
    """Memory-backed /dev/shm where there is one: a package is thousands of small files, which a
    disk makes slow to extract and to delete; else the temporary directory."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else tempfile.gettempdir()


def remove_abandoned_workspaces(parent: str) -> None:
    """Deletes the workspaces of sandboxes that died without cleaning up (their pid is in the name)."""
    for path in Path(parent).glob(f"{WORKSPACE_PREFIX}*-*"):
        pid = path.name[len(WORKSPACE_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _process_exists(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _relay(connection, response, on_end=lambda: None):
    """The agent's answer, passed on as each piece arrives."""
    try:
        while True:
            chunk = response.read1(64 * 1024)
            if not chunk:
                return
            yield chunk
    finally:
        connection.close()
        on_end()


def _target(request: AwsRequest) -> tuple[str, str, str]:
    """(account, region, runtime id) from the path's ARN, or from a runtime id plus `accountId`."""
    match = INVOKE_PATH.fullmatch(request.raw_path)
    identifier = unquote(match.group(1)) if match else ""
    scope = (request.authorization or {}).get("Credential", "").split("/")
    signed_region = scope[2] if len(scope) == 5 else ""
    if identifier.startswith("arn:"):
        arn = RUNTIME_ARN.fullmatch(identifier)
        if arn is None:
            raise validation_error("agentRuntimeArn", f"'{identifier}' is not an agent runtime ARN "
                                   "(arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/RUNTIME_ID)")
        return arn.group(2), arn.group(1), arn.group(3)
    account = request.query.get("accountId")
    if not account:
        raise validation_error("accountId", "accountId is required when agentRuntimeArn is a runtime id, not an ARN")
    if not re.fullmatch(r"[0-9]{12}", account):
        raise validation_error("accountId", "Member must satisfy regular expression pattern: [0-9]{12}")
    return account, signed_region, identifier


def _runtime_not_found(runtime_id: str) -> InvokeError:
    return InvokeError(404, "ResourceNotFoundException", f"AgentRuntime not found for id: {runtime_id}")


def _agent_code(label: str, config: dict, account: str) -> AgentCode:
    """How to run a version, from its agentRuntimeArtifact; only Python code zips are runnable here."""
    artifact = config.get("agentRuntimeArtifact") or {}
    code = artifact.get("codeConfiguration")
    if code is None:
        raise InvokeError(424, "RuntimeClientError",
                          f"{label} is a container image; the sandbox runs code zips (codeConfiguration) only")
    runtime = code.get("runtime", "")
    found = re.fullmatch(r"PYTHON_3_(\d+)", runtime)
    if found is None:
        raise InvokeError(424, "RuntimeClientError", f"{label} runs {runtime}; the sandbox runs Python code zips only")
    location = code["code"]["s3"]
    bucket, key, object_version = location["bucket"], location["prefix"], location.get("versionId")

    def fetch_zip() -> bytes:
        from moto.s3.models import s3_backends

        try:
            stored = s3_backends[account]["aws"].get_object(bucket, key, version_id=object_version)
        except Exception as error:  # moto's missing-bucket and missing-version errors
            raise AgentError(f"{label}: cannot read its code package s3://{bucket}/{key}: {error}") from error
        if stored is None:
            raise AgentError(f"{label}: its code package s3://{bucket}/{key} does not exist")
        return stored.value

    return AgentCode(label, int(found.group(1)), tuple(code.get("entryPoint") or ["agent.py"]),
                     dict(config.get("environmentVariables") or {}), fetch_zip)
