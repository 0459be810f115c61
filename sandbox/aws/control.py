"""What tests can change in a running sandbox, and the `/_sandbox/` JSON API that changes it.

    POST   /_sandbox/faults       {"service", "operation", "fault", "count" | "probability", "latency_ms"}
                                  fault: throttle, error500, error503, latency, drop, access_denied (403)
    DELETE /_sandbox/faults       clears every fault rule and any fail-after countdown
    POST   /_sandbox/fail-after   {"n": N}: every AWS request after the N-th from now fails (500);
                                  {"n": null} or DELETE /_sandbox/fail-after switches it off
    POST   /_sandbox/settings     {"ready_delay_seconds": S}; GET returns the settings
    POST   /_sandbox/settle       every pending status change (CREATING, UPDATING, DELETING) ends on the
                                  next AWS call, whatever its delay: a test holds a resource busy with a
                                  long delay and lets it go once the code under test has seen it busy
    POST   /_sandbox/fail-next    {"operation", "name_contains", "failure_reason"}
    DELETE /_sandbox/fail-next    forgets pending failures
    GET    /_sandbox/requests     {"requests": [{"service", "operation", "method", "path", "status", "client_token", "time"}]}
    DELETE /_sandbox/requests     clears the log
    GET    /_sandbox/calls        the same log as IAM sees it: {"calls": [{"service", "operation", "method", "path",
                                  "status", "resources": {runtime_id, endpoint_name, role_arn, code_bucket, bucket, key, ...}}]}
    POST   /_sandbox/deny         {"actions": ["bedrock-agentcore:ListAgentRuntimes", ...]}: calls needing one of them
                                  answer AccessDenied naming it, as a policy without it would; DELETE allows them again
"""

import json
import random
import threading
import time
from dataclasses import asdict, dataclass, field

FAULTS = {"throttle", "error500", "error503", "latency", "drop", "access_denied"}
# Services by SigV4 signing name (as requests and the log name them), with their botocore models.
SERVICES = {"bedrock-agentcore": "bedrock-agentcore-control", "s3": "s3", "sts": "sts", "iam": "iam"}
FAILABLE_OPERATIONS = {
    "CreateAgentRuntime",
    "UpdateAgentRuntime",
    "CreateAgentRuntimeEndpoint",
    "UpdateAgentRuntimeEndpoint",
}


class ControlError(Exception):
    """A control request the sandbox cannot follow; answered with 400 and this message."""


@dataclass
class FaultRule:
    service: str
    operation: str
    fault: str
    count: int | None = None
    probability: float | None = None
    latency_ms: int = 0

    def matches(self, service: str | None, operation: str | None) -> bool:
        return self.service in ("*", service) and self.operation in ("*", operation)


@dataclass
class PendingFailure:
    operation: str
    name_contains: str
    failure_reason: str


@dataclass
class LoggedRequest:
    service: str | None
    operation: str | None
    method: str
    path: str
    status: int | None
    client_token: str | None
    # What IAM authorizes it against (`calls.call_resources`); the created runtime's id is added from the answer.
    resources: dict = field(default_factory=dict)
    # When it arrived (epoch seconds), to order it among the GitHub emulator's requests.
    time: float = field(default_factory=time.time)


@dataclass
class SandboxState:
    """Shared by the front door (faults, log) and the AgentCore backend (delays, failures)."""

    ready_delay_seconds: float = 0.0
    fault_rules: list[FaultRule] = field(default_factory=list)
    fail_after_remaining: int | None = None
    pending_failures: list[PendingFailure] = field(default_factory=list)
    requests: list[LoggedRequest] = field(default_factory=list)
    denied_actions: set[str] = field(default_factory=set)  # lower-case, as IAM compares actions
    settle_requested: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pick_fault(self, service: str | None, operation: str | None) -> FaultRule | None:
        """The fault this request meets, if any; spends one use of a counted rule."""
        with self.lock:
            if self.fail_after_remaining is not None:
                if self.fail_after_remaining <= 0:
                    return FaultRule("*", "*", "error500")
                self.fail_after_remaining -= 1
            for rule in self.fault_rules:
                if not rule.matches(service, operation):
                    continue
                if rule.count is not None:
                    if rule.count <= 0:
                        continue
                    rule.count -= 1
                    return rule
                if random.random() < (rule.probability or 0.0):
                    return rule
        return None

    def may_drop(self) -> bool:
        """Whether a fault rule may still drop a connection (the server then keeps none open)."""
        with self.lock:
            return any(rule.fault == "drop" and (rule.count is None or rule.count > 0) for rule in self.fault_rules)

    def take_failure(self, operation: str, names: list[str]) -> str | None:
        """The failure reason for the next resource of `operation` named like one of `names`."""
        with self.lock:
            for pending in self.pending_failures:
                if pending.operation == operation and any(pending.name_contains in name for name in names):
                    self.pending_failures.remove(pending)
                    return pending.failure_reason
        return None

    def take_settle_request(self) -> bool:
        """Whether `/_sandbox/settle` was asked since the last call; asks only once."""
        with self.lock:
            requested, self.settle_requested = self.settle_requested, False
            return requested

    def log(self, entry: LoggedRequest) -> None:
        with self.lock:
            self.requests.append(entry)

    # The control API --------------------------------------------------------------------

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, dict]:
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError as error:
            raise ControlError(f"the body is not JSON ({error}); send a JSON object") from error
        if not isinstance(payload, dict):
            raise ControlError("the body must be a JSON object")
        route = (method, path.rstrip("/"))
        handlers = {
            ("POST", "/_sandbox/faults"): self._add_fault,
            ("DELETE", "/_sandbox/faults"): self._clear_faults,
            ("GET", "/_sandbox/faults"): self._list_faults,
            ("POST", "/_sandbox/fail-after"): self._fail_after,
            ("DELETE", "/_sandbox/fail-after"): lambda _: self._fail_after({"n": None}),
            ("POST", "/_sandbox/settings"): self._settings,
            ("GET", "/_sandbox/settings"): lambda _: self._settings({}),
            ("POST", "/_sandbox/settle"): self._settle,
            ("POST", "/_sandbox/fail-next"): self._fail_next,
            ("DELETE", "/_sandbox/fail-next"): self._clear_fail_next,
            ("GET", "/_sandbox/requests"): self._list_requests,
            ("DELETE", "/_sandbox/requests"): self._clear_requests,
            ("GET", "/_sandbox/calls"): self._list_calls,
            ("POST", "/_sandbox/deny"): self._deny,
            ("DELETE", "/_sandbox/deny"): self._clear_denied,
            ("GET", "/_sandbox/deny"): lambda _: {"actions": sorted(self.denied_actions)},
        }
        if route not in handlers:
            known = ", ".join(f"{m} {p}" for m, p in handlers)
            return 404, {"message": f"no control endpoint {method} {path}; known: {known}"}
        with self.lock:
            return 200, handlers[route](payload)

    def _add_fault(self, payload: dict) -> dict:
        fault = payload.get("fault")
        if fault not in FAULTS:
            raise ControlError(f"fault must be one of {sorted(FAULTS)}, got {fault!r}")
        count, probability = payload.get("count"), payload.get("probability")
        if (count is None) == (probability is None):
            raise ControlError('give exactly one of "count" (first N matching requests) or "probability" (0..1)')
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ControlError(f"count must be a positive integer, got {count!r}")
        if probability is not None and not (isinstance(probability, (int, float)) and 0 <= probability <= 1):
            raise ControlError(f"probability must be a number from 0 to 1, got {probability!r}")
        service, operation = self._fault_target(payload.get("service", "*"), payload.get("operation", "*"))
        latency_ms = payload.get("latency_ms", 0)
        if fault == "latency" and not (isinstance(latency_ms, int) and latency_ms > 0):
            raise ControlError('a "latency" fault needs "latency_ms", a positive integer')
        rule = FaultRule(
            service=service,
            operation=operation,
            fault=fault,
            count=count,
            probability=probability,
            latency_ms=latency_ms,
        )
        self.fault_rules.append(rule)
        return {"rule": asdict(rule)}

    @staticmethod
    def _fault_target(service: str, operation: str) -> tuple[str, str]:
        """Checks names so that a typo fails loudly instead of never matching."""
        from .models import service_model

        service = {"bedrock-agentcore-control": "bedrock-agentcore"}.get(service, service)
        if service != "*" and service not in SERVICES:
            raise ControlError(f"service must be one of {['*', *SERVICES]}, got {service!r}")
        if operation != "*":
            models = [SERVICES[service]] if service != "*" else list(SERVICES.values())
            if not any(operation in service_model(model).operation_names for model in models):
                raise ControlError(f"{operation!r} is not an operation of {service!r}; use its API name, e.g. CreateAgentRuntime")
        return service, operation

    def _clear_faults(self, _: dict) -> dict:
        self.fault_rules.clear()
        self.fail_after_remaining = None
        return {"faults": []}

    def _list_faults(self, _: dict) -> dict:
        return {"faults": [asdict(rule) for rule in self.fault_rules], "fail_after": self.fail_after_remaining}

    def _fail_after(self, payload: dict) -> dict:
        n = payload.get("n")
        if n is not None and (not isinstance(n, int) or n < 0):
            raise ControlError(f'"n" must be a non-negative integer or null (off), got {n!r}')
        self.fail_after_remaining = n
        return {"fail_after": n}

    def _settings(self, payload: dict) -> dict:
        if "ready_delay_seconds" in payload:
            delay = payload["ready_delay_seconds"]
            if not isinstance(delay, (int, float)) or delay < 0:
                raise ControlError(f"ready_delay_seconds must be a non-negative number, got {delay!r}")
            self.ready_delay_seconds = float(delay)
        return {"ready_delay_seconds": self.ready_delay_seconds}

    def _settle(self, _: dict) -> dict:
        self.settle_requested = True
        return {"settle_requested": True}

    def _fail_next(self, payload: dict) -> dict:
        operation = payload.get("operation")
        if operation not in FAILABLE_OPERATIONS:
            raise ControlError(f"operation must be one of {sorted(FAILABLE_OPERATIONS)}, got {operation!r}")
        pending = PendingFailure(
            operation=operation,
            name_contains=payload.get("name_contains", ""),
            failure_reason=payload.get("failure_reason") or f"{operation} failed (injected by the sandbox)",
        )
        self.pending_failures.append(pending)
        return {"pending": [asdict(p) for p in self.pending_failures]}

    def _clear_fail_next(self, _: dict) -> dict:
        self.pending_failures.clear()
        return {"pending": []}

    def _list_requests(self, _: dict) -> dict:
        return {"requests": [asdict(entry) for entry in self.requests]}

    def _clear_requests(self, _: dict) -> dict:
        self.requests.clear()
        return {"requests": []}

    def _list_calls(self, _: dict) -> dict:
        keys = ("service", "operation", "method", "path", "status", "resources")
        return {"calls": [{key: getattr(entry, key) for key in keys} for entry in self.requests]}

    def _deny(self, payload: dict) -> dict:
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and ":" in a for a in actions):
            raise ControlError('"actions" must be a non-empty list of IAM actions such as "bedrock-agentcore:ListAgentRuntimes"')
        self.denied_actions.update(action.lower() for action in actions)
        return {"actions": sorted(self.denied_actions)}

    def _clear_denied(self, _: dict) -> dict:
        self.denied_actions.clear()
        return {"actions": []}
