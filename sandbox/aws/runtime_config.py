"""What a runtime version keeps, and the rules AWS applies beyond each field's own constraints.

A version stores every configuration member the current service model has (the members
Create/UpdateAgentRuntime take that GetAgentRuntime returns), so a field added to the model is
kept and returned without a change here. `validation.py` checks each field against its shape;
`configuration_problems` adds the rules the model states only in its documentation.
"""

import copy
import functools
from typing import Any

from .models import service_model

SERVICE = "bedrock-agentcore-control"
# AWS fills these in when a request leaves them out, and GetAgentRuntime returns them.
LIFECYCLE_DEFAULTS = {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800}
# "Omit this field to keep the runtime's current template" / "Immutable after creation":
# an update that leaves these out keeps the runtime's value instead of clearing it.
KEPT_WHEN_OMITTED = ("workloadIdentityTemplateArn", "cpuConfigurations")
RESERVED_PORT = 8443  # "Ports must be between 8000 and 12000, excluding the reserved port 8443."


@functools.cache
def configuration_members() -> tuple[str, ...]:
    model = service_model(SERVICE)
    returned = model.operation_model("GetAgentRuntime").output_shape.members
    names: list[str] = []
    for operation in ("CreateAgentRuntime", "UpdateAgentRuntime"):
        for name in model.operation_model(operation).input_shape.members:
            if name in returned and name not in names:
                names.append(name)
    return tuple(names)


def version_configuration(params: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings a new version keeps: the request's members, defaults filled in."""
    config = {name: copy.deepcopy(params[name]) for name in configuration_members() if params.get(name) is not None}
    for name in KEPT_WHEN_OMITTED:
        if previous and name not in config and previous.get(name) is not None:
            config[name] = copy.deepcopy(previous[name])
    config["lifecycleConfiguration"] = {**LIFECYCLE_DEFAULTS, **config.get("lifecycleConfiguration", {})}
    return config


def configuration_problems(params: dict[str, Any], previous: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(field, problem) for each documented cross-field rule the request breaks; `previous` is
    the runtime's latest configuration on an update, None on a create."""
    problems: list[tuple[str, str]] = []
    network = params.get("networkConfiguration") or {}
    if network.get("networkMode") == "VPC" and not network.get("networkModeConfig"):
        problems.append(("networkConfiguration.networkModeConfig",
                         "networkMode VPC needs networkModeConfig with subnets and securityGroups"))
    problems += _port_problems(params)
    # "Lifecycle hooks are available for agent runtimes that use platform version V2"; V1 is the default.
    if params.get("hooksConfiguration") is not None and params.get("platformVersion", "V1") == "V1":
        problems.append(("hooksConfiguration", "lifecycle hooks need platform version V2; set platformVersion to V2"))
    authorizer = (params.get("authorizerConfiguration") or {}).get("customJWTAuthorizer") or {}
    unknown_scopes = sorted(set(authorizer.get("advertisedScopeMapping") or {}) - set(authorizer.get("allowedScopes") or []))
    if unknown_scopes:
        problems.append(("authorizerConfiguration.customJWTAuthorizer.advertisedScopeMapping",
                         f"keys {unknown_scopes} are not in allowedScopes; each key must be an allowed scope"))
    if previous is not None:
        if params.get("cpuConfigurations") is not None and params["cpuConfigurations"] != previous.get("cpuConfigurations"):
            problems.append(("cpuConfigurations", "cpuConfigurations are immutable after creation; leave them out of the update"))
        if params.get("workloadIdentityTemplateArn") and not previous.get("workloadIdentityTemplateArn"):
            problems.append(("workloadIdentityTemplateArn",
                             "a runtime created without a workload identity template cannot have one added"))
    return problems


def _port_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    port = (params.get("protocolConfiguration") or {}).get("port")
    if port == RESERVED_PORT:
        problems.append(("protocolConfiguration.port", f"port {RESERVED_PORT} is reserved; choose another from 8000 to 12000"))
    ranges: list[tuple[int, int]] = []
    for index, entry in enumerate(params.get("allowedPorts") or [], start=1):
        path = f"allowedPorts.{index}.member"
        span = entry.get("portRange") or {}
        low, high = (entry["port"], entry["port"]) if entry.get("port") is not None else (span.get("from"), span.get("to"))
        if not isinstance(low, int) or not isinstance(high, int):
            continue  # a missing or mistyped port is validation.py's to report
        if low > high:
            problems.append((f"{path}.portRange", f"from {low} is above to {high}"))
            continue
        if low <= RESERVED_PORT <= high:
            problems.append((path, f"port {RESERVED_PORT} is reserved; leave it out of allowedPorts"))
        if any(low <= other_high and other_low <= high for other_low, other_high in ranges):
            problems.append((path, f"ports {low}-{high} overlap an earlier entry; entries must not overlap"))
        ranges.append((low, high))
    return problems
