"""The Bedrock AgentCore control plane for runtimes and endpoints, as AWS behaves.

moto 5.2 answers these operations, but not as AWS does (see ../shared/reference/agentcore-api.md):
no input validation (500 on a missing field), duplicate names accepted, ids unlike AWS's, no
DEFAULT endpoint, no pagination, no UPDATING -> READY, no DELETING, endpoint versions unchecked,
client tokens ignored, only the older configuration members kept, no deleting of one version,
tags on ARNs that name nothing. `install()` swaps moto's backend and response class for the
subclasses below, which keep moto's routing, parsing and serialization and replace the runtime
and endpoint operations. Other AgentCore operations (gateways, memories) stay moto's, with input
validation. What a version keeps and the cross-field rules live in `runtime_config.py`.
"""

import base64
import binascii
import copy
import json
import math
import secrets
import string
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

import moto.bedrockagentcorecontrol as moto_package
from moto.bedrockagentcorecontrol import models as moto_models
from moto.bedrockagentcorecontrol import responses as moto_responses
from moto.bedrockagentcorecontrol import urls as moto_urls
from moto.bedrockagentcorecontrol.exceptions import (
    BedrockAgentCoreControlClientError,
    ConflictException,
    ResourceNotFoundException,
)
from moto.core.base_backend import BackendDict
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from .control import SandboxState
from .models import service_model
from .runtime_config import configuration_problems, version_configuration
from .validation import validation_errors

SERVICE = "bedrock-agentcore-control"
DEFAULT_ENDPOINT = "DEFAULT"
DEFAULT_PAGE_SIZE = 10
MAX_ENDPOINTS_PER_RUNTIME = 10
ID_ALPHABET = string.ascii_letters + string.digits


class ValidationException(BedrockAgentCoreControlClientError):
    code = "ValidationException"

    def __init__(self, message: str, reason: str = "FieldValidationFailed", field_list: list | None = None):
        super().__init__(message)
        self.reason = reason
        if field_list:
            self.fieldList = field_list


class ServiceQuotaExceededException(BedrockAgentCoreControlClientError):
    code = "ServiceQuotaExceededException"


def invalid_field(name: str, problem: str) -> ValidationException:
    return invalid_fields([(name, problem)])


def invalid_fields(problems: list[tuple[str, str]]) -> ValidationException:
    count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected"
    return ValidationException(
        f"{count}: " + "; ".join(f"{name}: {problem}" for name, problem in problems),
        field_list=[{"name": name, "message": problem} for name, problem in problems],
    )


class Lifecycle:
    """A status that moves from a transitional state to a final one after a delay.

    Transitions settle lazily: the backend settles every due transition before each operation,
    so `ready_delay_seconds = 0` means "READY on the next call", as a fast AWS would answer.
    """

    def __init__(self, status: str):
        self.status = status
        self.failure_reason: str | None = None
        self._due: float | None = None
        self._final: tuple[str, str | None] = (status, None)
        self._on_settle: Callable[[], None] | None = None

    def start(self, transitional: str, final: str, delay: float, failure_reason: str | None = None,
              on_settle: Callable[[], None] | None = None) -> None:
        self.status = transitional
        self.failure_reason = None
        self._due = time.monotonic() + delay
        self._final = (final, failure_reason)
        self._on_settle = on_settle

    def settle(self, now: float) -> None:
        if self._due is None or now < self._due:
            return
        self.status, self.failure_reason = self._final
        self._due = None
        callback, self._on_settle = self._on_settle, None
        if callback:
            callback()

    @property
    def busy(self) -> bool:
        return self._due is not None


class RuntimeVersion:
    def __init__(self, number: str, config: dict[str, Any]):
        self.number = number
        self.config = config
        self.lifecycle = Lifecycle("CREATING")
        self.last_updated_at = utcnow()


class Endpoint:
    def __init__(self, runtime: "Runtime", name: str, target_version: str, description: str | None):
        self.runtime = runtime
        self.name = name
        self.id = f"{name}-{random_suffix()}"
        self.arn = f"{runtime.arn}/runtime-endpoint/{name}"
        self.description = description
        self.target_version = target_version
        self.live_version: str | None = None
        self.lifecycle = Lifecycle("CREATING")
        self.created_at = self.last_updated_at = utcnow()

    def describe(self) -> dict[str, Any]:
        result = {
            "name": self.name,
            "id": self.id,
            "agentRuntimeEndpointArn": self.arn,
            "agentRuntimeArn": self.runtime.arn,
            "status": self.lifecycle.status,
            "targetVersion": self.target_version,
            "liveVersion": self.live_version,
            "description": self.description,
            "createdAt": self.created_at,
            "lastUpdatedAt": self.last_updated_at,
            "failureReason": self.lifecycle.failure_reason,
        }
        return {key: value for key, value in result.items() if value is not None}


class Runtime:
    def __init__(self, region: str, account_id: str, name: str, config: dict[str, Any]):
        self.name = name
        self.id = f"{name}-{random_suffix()}"
        self.arn = f"arn:aws:bedrock-agentcore:{region}:{account_id}:runtime/{self.id}"
        self.workload_identity_arn = (
            f"arn:aws:bedrock-agentcore:{region}:{account_id}:workload-identity-directory/default/workload-identity/{self.id}"
        )
        self.created_at = utcnow()
        self.versions: OrderedDict[str, RuntimeVersion] = OrderedDict()
        self.lifecycle = Lifecycle("CREATING")
        self.endpoints: OrderedDict[str, Endpoint] = OrderedDict()
        self.versions_made = 0  # numbers are never reused, also after a version is deleted
        self.add_version(config)

    def add_version(self, config: dict[str, Any]) -> RuntimeVersion:
        self.versions_made += 1
        version = RuntimeVersion(str(self.versions_made), config)
        self.versions[version.number] = version
        return version

    @property
    def latest(self) -> RuntimeVersion:
        return next(reversed(self.versions.values()))

    def describe(self, version: RuntimeVersion | None = None) -> dict[str, Any]:
        version = version or self.latest
        current = version is self.latest
        result = {
            "agentRuntimeArn": self.arn,
            "agentRuntimeName": self.name,
            "agentRuntimeId": self.id,
            "agentRuntimeVersion": version.number,
            "createdAt": self.created_at,
            "lastUpdatedAt": version.last_updated_at,
            "status": self.lifecycle.status if current else version.lifecycle.status,
            "failureReason": self.lifecycle.failure_reason if current else version.lifecycle.failure_reason,
            "workloadIdentityDetails": {"workloadIdentityArn": self.workload_identity_arn},
            **version.config,
        }
        return {key: value for key, value in result.items() if value is not None}

    def summary(self, version: RuntimeVersion | None = None) -> dict[str, Any]:
        described = self.describe(version)
        keys = ("agentRuntimeArn", "agentRuntimeId", "agentRuntimeVersion", "agentRuntimeName", "description",
                "lastUpdatedAt", "status")
        return {key: described[key] for key in keys if key in described}


def random_suffix() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(10))


class AgentCoreBackend(moto_models.BedrockAgentCoreControlBackend):
    """moto's backend, with runtimes and endpoints kept the way AWS keeps them."""

    state = SandboxState()  # replaced by install()

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.runtimes: OrderedDict[str, Runtime] = OrderedDict()
        self.idempotency: dict[tuple[str, str], tuple[str, dict]] = {}
        self.deleting_versions: list[RuntimeVersion] = []  # settled with the rest, then forgotten
        self.lock = threading.RLock()

    @property
    def _url_module(self):
        return moto_urls  # moto finds a backend's routes next to its class; ours live in moto's module

    def settle(self) -> None:
        now = math.inf if self.state.take_settle_request() else time.monotonic()
        for runtime in list(self.runtimes.values()):
            runtime.lifecycle.settle(now)
            for endpoint in list(runtime.endpoints.values()):
                endpoint.lifecycle.settle(now)
        for version in list(self.deleting_versions):
            version.lifecycle.settle(now)
            if not version.lifecycle.busy:
                self.deleting_versions.remove(version)

    def runtime(self, runtime_id: str) -> Runtime:
        if runtime_id not in self.runtimes:
            raise ResourceNotFoundException(f"AgentRuntime not found for id: {runtime_id}")
        return self.runtimes[runtime_id]

    def endpoint(self, runtime_id: str, name: str) -> Endpoint:
        runtime = self.runtime(runtime_id)
        if name not in runtime.endpoints:
            raise ResourceNotFoundException(f"AgentRuntimeEndpoint not found: {name} for runtime {runtime_id}")
        return runtime.endpoints[name]

    def version(self, runtime: Runtime, number: str, field: str = "agentRuntimeVersion") -> RuntimeVersion:
        if number not in runtime.versions or runtime.versions[number].lifecycle.status == "DELETING":
            raise invalid_field(
                field,
                f"Version {number} does not exist for agent runtime {runtime.id} (latest is {runtime.latest.number})",
            )
        return runtime.versions[number]

    # Runtimes ---------------------------------------------------------------------------

    def create_runtime(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["agentRuntimeName"]
        if any(runtime.name == name for runtime in self.runtimes.values()):
            raise ConflictException(f"An agent runtime with the name '{name}' already exists")
        problems = configuration_problems(params)
        if problems:
            raise invalid_fields(problems)
        runtime = Runtime(self.region_name, self.account_id, name, version_configuration(params))
        self.runtimes[runtime.id] = runtime
        if params.get("tags"):
            self.tagger.tag_resource(runtime.arn, [{"Key": k, "Value": v} for k, v in params["tags"].items()])
        default = Endpoint(runtime, DEFAULT_ENDPOINT, "1", None)
        runtime.endpoints[DEFAULT_ENDPOINT] = default
        self._start_version(runtime, runtime.latest, "CreateAgentRuntime", "CREATING", "CREATE_FAILED")
        return self._new_version_answer(runtime, runtime.latest, "CREATING")

    def update_runtime(self, params: dict[str, Any]) -> dict[str, Any]:
        runtime = self.runtime(params["agentRuntimeId"])
        if runtime.lifecycle.busy:
            raise ConflictException(
                f"Agent runtime {runtime.id} is {runtime.lifecycle.status}; wait until it is READY before updating it"
            )
        problems = configuration_problems(params, runtime.latest.config)
        if problems:
            raise invalid_fields(problems)
        version = runtime.add_version(version_configuration(params, runtime.latest.config))
        self._start_version(runtime, version, "UpdateAgentRuntime", "UPDATING", "UPDATE_FAILED")
        return {**self._new_version_answer(runtime, version, "UPDATING"), "lastUpdatedAt": version.last_updated_at}

    @staticmethod
    def _new_version_answer(runtime: Runtime, version: RuntimeVersion, status: str) -> dict[str, Any]:
        answer = {
            "agentRuntimeArn": runtime.arn,
            "agentRuntimeId": runtime.id,
            "agentRuntimeVersion": version.number,
            "workloadIdentityDetails": {"workloadIdentityArn": runtime.workload_identity_arn},
            "createdAt": runtime.created_at,
            "status": status,
        }
        if version.config.get("workloadIdentityTemplateArn"):
            answer["workloadIdentityTemplateArn"] = version.config["workloadIdentityTemplateArn"]
        return answer

    def _start_version(self, runtime: Runtime, version: RuntimeVersion, operation: str, transitional: str,
                       failed: str) -> None:
        failure = self.state.take_failure(operation, [runtime.name])
        final = failed if failure else "READY"
        default = runtime.endpoints.get(DEFAULT_ENDPOINT)
        if default and transitional == "UPDATING":
            default.lifecycle.start("UPDATING", "UPDATING", float("inf"))
            default.target_version = version.number

        def settled() -> None:
            version.lifecycle.status, version.lifecycle.failure_reason = final, failure
            if default is None or default.name not in runtime.endpoints:
                return
            # DEFAULT follows the latest version that became READY.
            default.lifecycle = Lifecycle(default.lifecycle.status)
            if final == "READY":
                default.live_version = default.target_version = version.number
                default.lifecycle.status = "READY"
            elif transitional == "CREATING":
                default.lifecycle.status, default.lifecycle.failure_reason = "CREATE_FAILED", failure
            else:
                default.target_version = default.live_version
                default.lifecycle.status = "READY"
            default.last_updated_at = utcnow()

        version.lifecycle.start(transitional, final, float("inf"))
        runtime.lifecycle.start(transitional, final, self.state.ready_delay_seconds, failure, settled)

    def delete_runtime(self, runtime_id: str) -> dict[str, Any]:
        runtime = self.runtime(runtime_id)
        if runtime.lifecycle.status != "DELETING":
            delay = self.state.ready_delay_seconds
            for endpoint in runtime.endpoints.values():
                endpoint.lifecycle.start("DELETING", "DELETING", float("inf"))

            def gone() -> None:
                self.runtimes.pop(runtime.id, None)
                for arn in [runtime.arn, *(endpoint.arn for endpoint in runtime.endpoints.values())]:
                    self.tagger.delete_all_tags_for_resource(arn)

            runtime.lifecycle.start("DELETING", "DELETING", delay, on_settle=gone)
        return {"agentRuntimeId": runtime.id, "status": "DELETING"}

    def delete_version(self, runtime_id: str, number: str) -> dict[str, Any]:
        """Deletes one version, as DeleteAgentRuntime does when it names one.

        A version an endpoint targets or serves cannot go (ConflictException naming the
        endpoints), and the latest version never can: DEFAULT follows it. A version that is gone,
        or never was, is ResourceNotFoundException, as GetAgentRuntime answers for it; a retry
        with the same clientToken still gets the first answer (see `idempotent`).
        """
        runtime = self.runtime(runtime_id)
        if runtime.lifecycle.status == "DELETING":
            raise ConflictException(f"Agent runtime {runtime.id} is being deleted with all its versions")
        version = runtime.versions.get(number)
        if version is None:
            raise ResourceNotFoundException(f"Version {number} not found for agent runtime {runtime.id}")
        if version.lifecycle.status != "DELETING":
            if version is runtime.latest:
                raise ConflictException(
                    f"Version {number} is the latest version of agent runtime {runtime.id} and backs its "
                    f"{DEFAULT_ENDPOINT} endpoint; only older versions can be deleted"
                )
            holders = [e.name for e in runtime.endpoints.values() if number in (e.target_version, e.live_version)]
            if holders:
                raise ConflictException(
                    f"Version {number} of agent runtime {runtime.id} is used by endpoint(s) {', '.join(holders)}; "
                    "point them at another version before deleting it"
                )
            version.lifecycle.start("DELETING", "DELETING", self.state.ready_delay_seconds,
                                    on_settle=lambda: runtime.versions.pop(number, None))
            self.deleting_versions.append(version)
        return {"agentRuntimeId": runtime.id, "agentRuntimeVersion": number, "status": "DELETING"}

    # Endpoints --------------------------------------------------------------------------

    def create_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        runtime = self.runtime(params["agentRuntimeId"])
        name = params["name"]
        if runtime.lifecycle.status == "DELETING":
            raise ConflictException(f"Agent runtime {runtime.id} is being deleted")
        if name in runtime.endpoints:
            raise ConflictException(f"An endpoint named '{name}' already exists for agent runtime {runtime.id}")
        if len(runtime.endpoints) >= MAX_ENDPOINTS_PER_RUNTIME:
            raise ServiceQuotaExceededException(
                f"Agent runtime {runtime.id} already has {MAX_ENDPOINTS_PER_RUNTIME} endpoints, the quota"
            )
        number = params.get("agentRuntimeVersion") or runtime.latest.number
        self.version(runtime, number)
        endpoint = Endpoint(runtime, name, number, params.get("description"))
        runtime.endpoints[name] = endpoint
        if params.get("tags"):
            self.tagger.tag_resource(endpoint.arn, [{"Key": k, "Value": v} for k, v in params["tags"].items()])
        self._start_endpoint(endpoint, "CreateAgentRuntimeEndpoint", "CREATING", "CREATE_FAILED")
        return {
            "targetVersion": endpoint.target_version,
            "agentRuntimeEndpointArn": endpoint.arn,
            "agentRuntimeArn": runtime.arn,
            "agentRuntimeId": runtime.id,
            "endpointName": name,
            "status": "CREATING",
            "createdAt": endpoint.created_at,
        }

    def update_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.endpoint(params["agentRuntimeId"], params["endpointName"])
        if endpoint.lifecycle.busy:
            raise ConflictException(
                f"Endpoint {endpoint.name} is {endpoint.lifecycle.status}; wait until it settles before updating it"
            )
        if params.get("agentRuntimeVersion") is not None:
            endpoint.target_version = self.version(endpoint.runtime, params["agentRuntimeVersion"]).number
        if params.get("description") is not None:
            endpoint.description = params["description"]
        endpoint.last_updated_at = utcnow()
        self._start_endpoint(endpoint, "UpdateAgentRuntimeEndpoint", "UPDATING", "UPDATE_FAILED")
        return {
            "liveVersion": endpoint.live_version,
            "targetVersion": endpoint.target_version,
            "agentRuntimeEndpointArn": endpoint.arn,
            "agentRuntimeArn": endpoint.runtime.arn,
            "status": "UPDATING",
            "createdAt": endpoint.created_at,
            "lastUpdatedAt": endpoint.last_updated_at,
        }

    def _start_endpoint(self, endpoint: Endpoint, operation: str, transitional: str, failed: str) -> None:
        failure = self.state.take_failure(operation, [endpoint.name, endpoint.runtime.name])

        def settled() -> None:
            if not failure:
                endpoint.live_version = endpoint.target_version
            endpoint.last_updated_at = utcnow()

        endpoint.lifecycle.start(
            transitional, failed if failure else "READY", self.state.ready_delay_seconds, failure, settled
        )

    def delete_endpoint(self, runtime_id: str, name: str) -> dict[str, Any]:
        endpoint = self.endpoint(runtime_id, name)
        if name == DEFAULT_ENDPOINT:
            raise ConflictException(
                "The DEFAULT endpoint cannot be deleted on its own; it is deleted with its agent runtime"
            )
        if endpoint.lifecycle.status != "DELETING":
            runtime = endpoint.runtime

            def gone() -> None:
                runtime.endpoints.pop(name, None)
                self.tagger.delete_all_tags_for_resource(endpoint.arn)

            endpoint.lifecycle.start("DELETING", "DELETING", self.state.ready_delay_seconds, on_settle=gone)
        return {"agentRuntimeId": runtime_id, "endpointName": name, "status": "DELETING"}

    def check_taggable(self, arn: str) -> None:
        """AWS tags only what exists: a runtime or endpoint ARN that names nothing is not found.
        Other resources (gateways, memories) stay moto's."""
        prefix = f"arn:aws:bedrock-agentcore:{self.region_name}:{self.account_id}:runtime/"
        if not arn.startswith(prefix):
            return
        runtime_id, _, endpoint_part = arn[len(prefix):].partition("/")
        self.runtime(runtime_id)
        if endpoint_part:
            self.endpoint(runtime_id, endpoint_part.removeprefix("runtime-endpoint/"))

    # Idempotency and paging -------------------------------------------------------------

    def idempotent(self, operation: str, params: dict[str, Any], perform: Callable[[], dict]) -> dict:
        """Same client token and same request: the first result again. Different request: refused."""
        token = params.get("clientToken")
        if token is None:
            return perform()
        request = json.dumps({k: v for k, v in params.items() if k != "clientToken"}, sort_keys=True, default=str)
        key = (operation, token)
        if key in self.idempotency:
            seen_request, result = self.idempotency[key]
            if seen_request != request:
                raise ValidationException(
                    f"The client token {token} was already used for a different {operation} request; "
                    "use a new client token for a new request",
                    reason="IdempotentParameterMismatchException",
                )
            return copy.deepcopy(result)
        result = perform()
        self.idempotency[key] = (request, copy.deepcopy(result))
        return result


def page(items: list, params: dict[str, Any], scope: str) -> tuple[list, str | None]:
    """One page of `items` per `maxResults` / `nextToken`; the token is opaque and tied to `scope`."""
    size = params.get("maxResults") or DEFAULT_PAGE_SIZE
    start = 0
    token = params.get("nextToken")
    if token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
            if decoded["scope"] != scope:
                raise ValueError(scope)
            start = int(decoded["offset"])
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise ValidationException(
                "The nextToken is invalid: pass the nextToken from the previous page of the same list", reason="CannotParse"
            ) from error
    end = start + size
    next_token = None
    if end < len(items):
        next_token = base64.urlsafe_b64encode(json.dumps({"scope": scope, "offset": end}).encode()).decode()
    return items[start:end], next_token


class AgentCoreResponse(moto_responses.BedrockAgentCoreControlResponse):
    """moto's response class with validation first and the runtime/endpoint operations replaced."""

    @property
    def backend(self) -> AgentCoreBackend:
        return agentcore_backends[self.current_account][self.region]

    def setup_class(self, request: Any, full_url: str, headers: Any, use_raw_body: bool = False) -> None:
        self.parse_error: Exception | None = None
        try:
            super().setup_class(request, full_url, headers, use_raw_body)
        except (ValueError, TypeError, KeyError) as error:  # unparseable JSON or values of the wrong type
            self.parse_error = error
            self.params = {}

    def call_action(self):
        operation = self._get_action()
        if operation:
            try:
                self.validate(operation)
            except ValidationException as error:
                status, headers, body = self.serialized(ActionResult(error))
                return status, headers, body
        return super().call_action()

    def validate(self, operation: str) -> None:
        if self.parse_error is not None:
            raise ValidationException(f"Could not parse the request: {self.parse_error}", reason="CannotParse")
        shape = service_model(SERVICE).operation_model(operation).input_shape
        errors = validation_errors(shape, self.members_as_sent(shape)) if shape is not None else []
        if errors:
            count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
            raise ValidationException(
                f"{count}: " + "; ".join(message for _, _, message in errors),
                field_list=[{"name": path, "message": constraint} for path, constraint, _ in errors],
            )

    def members_as_sent(self, shape) -> dict:
        """The parsed parameters, with the JSON body's members as they were sent: moto's parser
        turns "900" into 900 for an integer member, AWS refuses it."""
        members = dict(self.params)
        try:
            body = json.loads(self.body) if self.body else {}
        except ValueError:
            return members
        if isinstance(body, dict):
            for name, member in shape.members.items():
                wire_name = member.serialization.get("name", name)
                if "location" not in member.serialization and wire_name in body:
                    members[name] = body[wire_name]
        return members

    def run(self, perform: Callable[[AgentCoreBackend, dict], dict], operation: str | None = None) -> ActionResult:
        backend = self.backend
        with backend.lock:
            backend.settle()
            params = self.params
            if operation:
                return ActionResult(backend.idempotent(operation, params, lambda: perform(backend, params)))
            return ActionResult(perform(backend, params))

    def create_agent_runtime(self) -> ActionResult:
        return self.run(lambda b, p: b.create_runtime(p), "CreateAgentRuntime")

    def update_agent_runtime(self) -> ActionResult:
        return self.run(lambda b, p: b.update_runtime(p), "UpdateAgentRuntime")

    def delete_agent_runtime(self) -> ActionResult:
        def delete(backend: AgentCoreBackend, params: dict) -> dict:
            if params.get("agentRuntimeVersion") is not None:
                return backend.delete_version(params["agentRuntimeId"], params["agentRuntimeVersion"])
            return backend.delete_runtime(params["agentRuntimeId"])

        return self.run(delete, "DeleteAgentRuntime")

    def get_agent_runtime(self) -> ActionResult:
        def get(backend: AgentCoreBackend, params: dict) -> dict:
            runtime = backend.runtime(params["agentRuntimeId"])
            number = params.get("agentRuntimeVersion")
            if number is None:
                return runtime.describe()
            if number not in runtime.versions:
                raise ResourceNotFoundException(f"Version {number} not found for agent runtime {runtime.id}")
            return runtime.describe(runtime.versions[number])

        return self.run(get)

    def list_agent_runtimes(self) -> ActionResult:
        def list_all(backend: AgentCoreBackend, params: dict) -> dict:
            items, token = page([r.summary() for r in backend.runtimes.values()], params, "runtimes")
            return {"agentRuntimes": items, "nextToken": token}

        return self.run(list_all)

    def list_agent_runtime_versions(self) -> ActionResult:
        def list_versions(backend: AgentCoreBackend, params: dict) -> dict:
            runtime = backend.runtime(params["agentRuntimeId"])
            newest_first = [runtime.summary(v) for v in reversed(runtime.versions.values())]
            items, token = page(newest_first, params, f"versions/{runtime.id}")
            return {"agentRuntimes": items, "nextToken": token}

        return self.run(list_versions)

    def create_agent_runtime_endpoint(self) -> ActionResult:
        return self.run(lambda b, p: b.create_endpoint(p), "CreateAgentRuntimeEndpoint")

    def update_agent_runtime_endpoint(self) -> ActionResult:
        return self.run(lambda b, p: b.update_endpoint(p), "UpdateAgentRuntimeEndpoint")

    def delete_agent_runtime_endpoint(self) -> ActionResult:
        return self.run(
            lambda b, p: b.delete_endpoint(p["agentRuntimeId"], p["endpointName"]), "DeleteAgentRuntimeEndpoint"
        )

    def get_agent_runtime_endpoint(self) -> ActionResult:
        return self.run(lambda b, p: b.endpoint(p["agentRuntimeId"], p["endpointName"]).describe())

    def list_agent_runtime_endpoints(self) -> ActionResult:
        def list_endpoints(backend: AgentCoreBackend, params: dict) -> dict:
            runtime = backend.runtime(params["agentRuntimeId"])
            summaries = [endpoint.describe() for endpoint in runtime.endpoints.values()]
            for summary in summaries:
                summary.pop("failureReason", None)
            items, token = page(summaries, params, f"endpoints/{runtime.id}")
            return {"runtimeEndpoints": items, "nextToken": token}

        return self.run(list_endpoints)

    def tag_resource(self) -> ActionResult:
        return self._on_taggable(super().tag_resource)

    def untag_resource(self) -> ActionResult:
        return self._on_taggable(super().untag_resource)

    def list_tags_for_resource(self) -> ActionResult:
        return self._on_taggable(super().list_tags_for_resource)

    def _on_taggable(self, operation: Callable[[], ActionResult]) -> ActionResult:
        backend = self.backend
        with backend.lock:
            backend.settle()
            backend.check_taggable(self._get_param("resourceArn"))
            return operation()


agentcore_backends = BackendDict(
    AgentCoreBackend,
    "bedrock-agentcore-control",
    use_boto3_regions=False,  # as moto: botocore has no endpoint data for this service
    additional_regions=moto_models.bedrockagentcorecontrol_backends._additional_regions,
)


def install(state: SandboxState) -> None:
    """Route moto's AgentCore control plane to the classes above; call before the server starts."""
    AgentCoreBackend.state = state
    for module in (moto_package, moto_models, moto_responses):
        module.bedrockagentcorecontrol_backends = agentcore_backends
    for path in moto_urls.url_paths:
        moto_urls.url_paths[path] = AgentCoreResponse.dispatch
