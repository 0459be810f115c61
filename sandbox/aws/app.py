"""The WSGI application on `aws_endpoint`: control API, then the front door, then moto.

For each AWS request, in order: identify it and log it, apply fail-after and fault rules,
verify its SigV4 signature, check an S3 payload against its declared hashes, and hand it
to moto (whose AgentCore control plane `agentcore.install` has replaced).
"""

import json
import logging
import secrets
import socket
import string
import time
from dataclasses import dataclass

from . import agentcore
from .control import ControlError, LoggedRequest, SandboxState
from .errors import ErrorReply, internal_error, throttled, unavailable
from .payload import s3_payload_problem
from .request import AwsRequest, read_request
from .signing import CredentialStore, SigV4Verifier

log = logging.getLogger("sandbox.aws")
WARM_SERVICES = ("s3", "bedrockagentcorecontrol", "sts", "iam")  # moto's backend names


class DropConnection(ConnectionAbortedError):
    """Raised after closing the socket: the server treats it as a client that went away."""


@dataclass
class AwsSandbox:
    state: SandboxState
    credentials: CredentialStore
    moto_app: object

    def __post_init__(self):
        self.verifier = SigV4Verifier(self.credentials)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/_sandbox/"):
            return self._control(environ, start_response)
        request = read_request(environ)
        entry = LoggedRequest(request.service, request.operation, request.method, request.raw_path, None,
                              request.client_token)
        self.state.log(entry)

        def recording_start_response(status, headers, exc_info=None):
            entry.status = int(status.split()[0])
            return start_response(status, headers, exc_info)

        reply = self._front_door(request, environ, entry)
        if reply is not None:
            status, headers, body = reply.render(request.method)
            recording_start_response(status, headers)
            return [body]
        if request.service == "bedrock-agentcore":
            return self._with_error_type(environ, recording_start_response)
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
                return {"throttle": throttled, "error500": internal_error, "error503": unavailable}[fault.fault](
                    request.service
                )
        problem = self.verifier.problem(request)
        if problem is None and request.service == "s3":
            problem = s3_payload_problem(request)
        return problem

    def _with_error_type(self, environ, start_response):
        """moto's REST-JSON errors lack `__type` in the body, which AWS sends and some SDKs read."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.moto_app(environ, capture))
        status, headers = captured["status"], captured["headers"]
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
            status, payload = self.state.handle(environ["REQUEST_METHOD"], environ["PATH_INFO"], body)
        except ControlError as error:
            status, payload = 400, {"message": str(error)}
        data = json.dumps(payload).encode()
        start_response(
            f"{status} {'OK' if status == 200 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def warm_up(self) -> None:
        """Builds moto's per-service apps now rather than on each service's first request."""
        dispatcher = self.moto_app
        for service in WARM_SERVICES:
            with dispatcher.lock:
                if service not in dispatcher.app_instances:
                    dispatcher.app_instances[service] = dispatcher.create_app(service)


def random_credentials() -> tuple[str, str]:
    upper = string.ascii_uppercase + string.digits
    access_key_id = "AKIA" + "".join(secrets.choice(upper) for _ in range(16))
    secret = "".join(secrets.choice(string.ascii_letters + string.digits + "+/") for _ in range(40))
    return access_key_id, secret


def build_aws_app(ready_delay_seconds: float = 0.0) -> AwsSandbox:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    state = SandboxState(ready_delay_seconds=ready_delay_seconds)
    agentcore.install(state)
    access_key_id, secret = random_credentials()
    return AwsSandbox(state, CredentialStore(access_key_id, secret), DomainDispatcherApplication(create_backend_app))
