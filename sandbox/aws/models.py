"""The botocore service models, loaded once: the source of truth for shapes and routes."""

import functools
import re
from dataclasses import dataclass

# The SigV4 signing name in a request's credential scope, mapped to botocore's service name.
SIGNING_NAME_TO_SERVICE = {"bedrock-agentcore": "bedrock-agentcore-control"}
# Signing names that several APIs share, each told apart by its routes (no route of one matches
# a route of another): the AgentCore data plane signs as its control plane does, and the Bedrock
# model API (bedrock-runtime) as Bedrock's control plane.
SHARED_SIGNING_NAMES = {"bedrock-agentcore": ("bedrock-agentcore",), "bedrock": ("bedrock-runtime",)}


@functools.cache
def service_model(service_name: str):
    import botocore.session  # imported late: only needed once a request for the service arrives

    return botocore.session.get_session().get_service_model(service_name)


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    path: re.Pattern
    query_keys: frozenset  # literal query keys the route requires (S3's `?uploads`, `?tagging`)
    header_keys: frozenset  # headers the operation requires (S3's CopyObject vs PutObject)
    specificity: tuple


@functools.cache
def rest_routes(service_name: str) -> list[Route]:
    model = service_model(service_name)
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        input_shape = operation.input_shape
        required = [input_shape.members[member] for member in input_shape.required_members] if input_shape else []
        headers = frozenset(m.serialization["name"].lower() for m in required if m.serialization.get("location") == "header")
        required_query = {m.serialization["name"] for m in required if m.serialization.get("location") == "querystring"}
        uri, _, query = http["requestUri"].partition("?")
        # `x-id=...` only labels the operation for SDKs; other clients need not send it.
        keys = frozenset({part.split("=")[0] for part in query.split("&") if part} - {"x-id"} | required_query)
        pattern = "".join(
            ("(.+)" if segment.endswith("+}") else "([^/]+)") if segment.startswith("{") else re.escape(segment)
            for segment in re.split(r"(\{[^}]+\})", uri)
        )
        literal = len(re.sub(r"\{[^}]+\}", "", uri))
        specificity = (len(keys) + len(headers), literal)
        routes.append(Route(name, http["method"], re.compile(pattern + "/?"), keys, headers, specificity))
    return sorted(routes, key=lambda route: route.specificity, reverse=True)


def rest_operation(service_name: str, method: str, path: str, query_keys: set, header_keys: set) -> str | None:
    """The operation a REST request addresses, the most specific route first (as AWS routes)."""
    for route in rest_routes(service_name):
        if (
            route.method == method
            and route.query_keys <= query_keys
            and route.header_keys <= header_keys
            and route.path.fullmatch(path)
        ):
            return route.operation
    return None
