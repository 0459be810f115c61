"""The WSGI application on `aws_endpoint`: control API, then the front door, then moto.

For each AWS request, in order: identify it and log it, apply fail-after and fault rules,
verify its SigV4 signature, answer AccessDenied if it needs a denied IAM action, check an S3
payload against its declared hashes, and hand it to moto (whose AgentCore control plane
`agentcore.install` has replaced), or to what moto lacks: the AgentCore data plane
(`dataplane.py`, which runs agents) and a Bedrock model stand-in for those agents
(`bedrock_standin.py`).

Importing moto is most of the start-up time, so `load()` does it on a background thread
while the server already listens: AWS requests that arrive meanwhile wait for it.
"""

import json
import logging
import os
import secrets
import socket
import string
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import bedrock_standin
from .calls import call_resources, created_runtime_id, denied
from .control import ControlError, LoggedRequest, SandboxState
from .dataplane import DataPlane
from .errors import ErrorReply, access_denied, internal_error, throttled, unavailable
from .models import rest_routes, service_model
from .payload import s3_payload_problem
from .request import AwsRequest, read_request
from .signing import CredentialStore, SigV4Verifier

log = logging.getLogger("sandbox.aws")
LOAD_TIMEOUT_SECONDS = 60
# Agent code packages are tens of MB (AgentCore allows up to 250 MB zipped); the larger spill to disk.
S3_OBJECTS_IN_MEMORY_UP_TO = 128 * 1024 * 1024
WARM_REQUESTS = [  # (signing name, method, path, body, content type): read-only, one per service
    ("s3", "GET", "/", b"", None),
    ("bedrock-agentcore", "POST", "/runtimes/", b"{}", "application/json"),
    ("sts", "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15", "application/x-www-form-urlencoded"),
]


class DropConnection(ConnectionAbortedError):
    """Raised after closing the socket: the server treats it as a client that went away."""


@dataclass
class AwsSandbox:
    state: SandboxState
    credentials: CredentialStore
    region: str = "us-east-1"
    moto_app: object = None
    loaded: threading.Event = field(default_factory=threading.Event)
    load_error: Exception | None = None
    endpoint_url: str | None = None  # set once the server listens; the agents it runs call it

    def __post_init__(self):
        self.verifier = SigV4Verifier(self.credentials)
        self.dataplane = DataPlane(self._agent_environment, wheel_cache_dir())

    def _agent_environment(self) -> dict[str, str]:
        """What every agent gets: all its AWS calls (Bedrock's included) go to this sandbox, never to AWS."""
        endpoint = self.endpoint_url or ""
        return {
            "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": endpoint,
            "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": self.credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.credentials.own.secret_access_key,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def stop(self) -> None:
        """Stops the agents this sandbox started."""
        self.dataplane.stop()

    def load(self, prepare: Callable[[], None]) -> None:
        """Imports moto, routes its AgentCore control plane to ours, runs `prepare` (creating
        the bucket and role), lets AWS requests through, then warms up what first requests use."""
        # moto keeps an object in memory up to this size and spills larger ones to a temporary
        # file, which every read, copy and ETag then goes through: a 32 MB code package took
        # 0.22 s to copy that way and takes 0.07 s in memory.
        os.environ.setdefault("MOTO_S3_DEFAULT_KEY_BUFFER_SIZE", str(S3_OBJECTS_IN_MEMORY_UP_TO))
        try:
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

            from . import agentcore, s3_checksums, s3_conditional

            agentcore.install(self.state)
            s3_conditional.install()
            s3_checksums.install()
            self.moto_app = DomainDispatcherApplication(create_backend_app)
            prepare()
        except Exception as error:  # reported on every request, since the JSON line is already out
            log.exception("loading moto failed")
            self.load_error = error
        finally:
            self.loaded.set()
        if self.load_error is None:
            try:
                self._warm_up()
            except Exception:  # only costs speed: each service then warms on its first request
                log.exception("warming up moto failed")

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/_sandbox/"):
            return self._control(environ, start_response)
        if _opens_a_connection(environ):
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        if not self.loaded.wait(LOAD_TIMEOUT_SECONDS) or self.load_error is not None:
            message = f"the sandbox could not load moto: {self.load_error or 'timed out'}; see its log".encode()
            start_response("500 Internal Server Error", [("Content-Type", "text/plain"), ("Content-Length", str(len(message)))])
            return [message]
        request = read_request(environ)
        entry = LoggedRequest(request.service, request.operation, request.method, request.raw_path, None,
                              request.client_token, call_resources(request))
        self.state.log(entry)

        def recording_start_response(status, headers, exc_info=None):
            entry.status = int(status.split()[0])
            return start_response(status, headers, exc_info)

        reply = self._front_door(request, environ, entry)
        if reply is not None:
            status, headers, body = reply.render(request.method)
            recording_start_response(status, headers)
            return [body]
        if self.dataplane.handles(request):
            return self.dataplane.serve(request, recording_start_response)
        if bedrock_standin.handles(request):
            return bedrock_standin.serve(request, recording_start_response)
        if request.service == "bedrock-agentcore":
            try:
                return self._with_error_type(environ, recording_start_response, entry)
            finally:
                self.dataplane.reconcile()  # a deleted runtime or version takes its agent with it
        return self.moto_app(environ, recording_start_response)

    def _front_door(self, request: AwsRequest, environ: dict, entry: LoggedRequest) -> ErrorReply | None:
        fault = self.state.pick_fault(request.service, request.operation)
        if fault is not None:
            log.info("fault %s on %s %s", fault.fault, request.service, request.operation)
            if fault.fault == "latency":
                time.sleep(fault.latency_ms / 1000)
            elif fault.fault == "drop":
                entry.status = 0
                connection = environ.get("werkzeug.socket")
                if connection is not None:
                    connection.shutdown(socket.SHUT_RDWR)
                raise DropConnection("connection dropped by a sandbox fault rule")
            else:
                faults = {"throttle": throttled, "error500": internal_error, "error503": unavailable, "access_denied": access_denied}
                return faults[fault.fault](
                    request.service
                )
        problem = self.verifier.problem(request)
        if problem is None and self.state.denied_actions:
            with self.state.lock:
                actions = set(self.state.denied_actions)
            problem = denied(request, actions)
        if problem is None and request.service == "s3":
            problem = s3_payload_problem(request)
        return problem

    def _with_error_type(self, environ, start_response, entry: LoggedRequest):
        """moto's REST-JSON errors lack `__type` in the body, which AWS sends and some SDKs read.
        A created runtime's id, known only from the answer, goes into the log entry."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.moto_app(environ, capture))
        status, headers = captured["status"], captured["headers"]
        if entry.operation == "CreateAgentRuntime" and status.startswith("2"):
            entry.resources["runtime_id"] = created_runtime_id(body)
        error_type = next((v for k, v in headers if k.lower() == "x-amzn-errortype"), None)
        if error_type and body[:1] == b"{":
            document = json.loads(body)
            document.setdefault("__type", error_type.split(":")[0])
            body = json.dumps(document).encode()
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    def _control(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            if (environ["REQUEST_METHOD"], environ["PATH_INFO"].rstrip("/")) == ("GET", "/_sandbox/agents"):
                status, payload = 200, self.dataplane.describe()
            else:
                status, payload = self.state.handle(environ["REQUEST_METHOD"], environ["PATH_INFO"], body)
        except ControlError as error:
            status, payload = 400, {"message": str(error)}
        data = json.dumps(payload).encode()
        start_response(
            f"{status} {'OK' if status == 200 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _warm_up(self) -> None:
        """Pays each service's first-request costs (model files, moto's route tables and Flask
        apps) now, by sending moto one read-only request per service behind the front door,
        so neither the request log nor the fault rules see them."""
        from werkzeug.test import EnvironBuilder

        for model in ("bedrock-agentcore-control", "s3", "sts", "iam"):
            service_model(model)
        rest_routes("s3")
        rest_routes("bedrock-agentcore-control")
        date = time.strftime("%Y%m%d")
        for service, method, path, body, content_type in WARM_REQUESTS:
            scope = f"AWS4-HMAC-SHA256 Credential={self.credentials.access_key_id}/{date}/{self.region}/{service}/aws4_request"
            environ = EnvironBuilder(path=path, method=method, data=body, content_type=content_type,
                                     headers={"Authorization": f"{scope}, SignedHeaders=host, Signature=0"}).get_environ()
            b"".join(self.moto_app(environ, lambda status, headers, exc_info=None: None))


def wheel_cache_dir() -> Path:
    """Where host builds of agents' binary wheels are kept between runs, beside the packager's cache."""
    if os.environ.get("AGENTCORE_CACHE_DIR"):
        base = Path(os.environ["AGENTCORE_CACHE_DIR"])
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"]) / "agentcore"
    else:
        base = Path(__file__).resolve().parents[2] / ".cache" / "agentcore"
    return base / "sandbox-host-wheels"


def random_credentials() -> tuple[str, str]:
    upper = string.ascii_uppercase + string.digits
    access_key_id = "AKIA" + "".join(secrets.choice(upper) for _ in range(16))
    secret = "".join(secrets.choice(string.ascii_letters + string.digits + "+/") for _ in range(40))
    return access_key_id, secret


def _opens_a_connection(environ) -> bool:
    """An unsigned `HEAD /`: the tools' streaming session opens its connection with one ahead of
    an invocation (HTTPStreaming.swift). No AWS API call, so it is neither logged nor faulted."""
    return (environ["REQUEST_METHOD"] == "HEAD" and environ.get("PATH_INFO", "") in ("", "/")
            and not environ.get("QUERY_STRING") and "HTTP_AUTHORIZATION" not in environ)


def build_aws_app(region: str = "us-east-1", ready_delay_seconds: float = 0.0,
                  agent_start_budget_seconds: float = 60.0) -> AwsSandbox:
    """The app with fresh random credentials; call `load()` to bring in moto."""
    access_key_id, secret = random_credentials()
    state = SandboxState(ready_delay_seconds=ready_delay_seconds)
    aws = AwsSandbox(state, CredentialStore(access_key_id, secret), region)
    aws.dataplane.init_budget_seconds = agent_start_budget_seconds
    return aws
