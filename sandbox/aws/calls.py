"""What IAM would authorize for each AWS request: the resources a request names (for
`GET /_sandbox/calls`) and the IAM actions it needs (for `POST /_sandbox/deny`).

The full mapping, with resource ARNs and the evaluation against policies, is the Swift
library's (`Sources/AgentCoreGitOps/Setup/IAMCallMapping.swift`); here are only the actions,
enough to answer AccessDenied the way AWS does when a policy lacks one.
"""

import json
from urllib.parse import unquote

from .errors import ErrorReply, protocol_of
from .request import AwsRequest

# Operations that need more than `<service>:<Operation>` (../shared/reference/iam.md §1, §2).
EXTRA_ACTIONS = {
    ("bedrock-agentcore", "CreateAgentRuntime"): [
        "bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore:CreateAgentRuntimeEndpoint", "iam:PassRole"],
    ("bedrock-agentcore", "UpdateAgentRuntime"): ["bedrock-agentcore:UpdateAgentRuntime", "iam:PassRole"],
    ("bedrock-agentcore", "DeleteAgentRuntime"): [
        "bedrock-agentcore:DeleteAgentRuntime", "bedrock-agentcore:DeleteAgentRuntimeEndpoint",
        "bedrock-agentcore:DeleteWorkloadIdentity"],
    ("s3", "HeadObject"): ["s3:GetObject"],
    ("s3", "CopyObject"): ["s3:GetObject", "s3:PutObject"],
    ("s3", "HeadBucket"): ["s3:ListBucket"],
    ("s3", "ListObjects"): ["s3:ListBucket"],
    ("s3", "ListObjectsV2"): ["s3:ListBucket"],
}
UNAUTHORIZED_CALLS = {("sts", "AssumeRoleWithWebIdentity"), ("sts", "GetCallerIdentity")}


def iam_actions(service: str | None, operation: str | None) -> list[str]:
    if not service or not operation or (service, operation) in UNAUTHORIZED_CALLS:
        return []
    return EXTRA_ACTIONS.get((service, operation), [f"{service}:{operation}"])


def denied(request: AwsRequest, actions: set[str]) -> ErrorReply | None:
    """AccessDenied naming the first denied action the request needs, as AWS words it."""
    for action in iam_actions(request.service, request.operation):
        if action.lower() in actions:
            message = (f"User: arn:aws:sts::123456789012:assumed-role/sandbox/sandbox is not authorized to perform: "
                       f"{action} because no identity-based policy allows the {action} action (denied by the sandbox)")
            code = "AccessDeniedException" if protocol_of(request.service) == "json" else "AccessDenied"
            return ErrorReply(request.service, 403, code, message)
    return None


def call_resources(request: AwsRequest) -> dict:
    """The identifiers IAM authorizes the request against, as far as the request names them."""
    if request.service == "s3":
        return _s3_resources(request)
    if request.service == "bedrock-agentcore":
        return _agentcore_resources(request)
    return {}


def _s3_resources(request: AwsRequest) -> dict:
    bucket, _, key = unquote(request.raw_path).lstrip("/").partition("/")
    found = {"bucket": bucket or None, "key": key or None, "version_id": request.query.get("versionId")}
    source = request.headers.get("x-amz-copy-source")
    if source:
        path, _, query = source.partition("?")
        source_bucket, _, source_key = unquote(path).lstrip("/").partition("/")
        version = dict(p.partition("=")[::2] for p in query.split("&") if p).get("versionId")
        found.update(copy_source_bucket=source_bucket, copy_source_key=source_key, copy_source_version_id=version)
    return found


def _agentcore_resources(request: AwsRequest) -> dict:
    segments = [unquote(s) for s in request.raw_path.strip("/").split("/")]
    found = {}
    if len(segments) >= 2 and segments[0] == "runtimes":
        found["runtime_id"] = segments[1]
    if request.operation == "InvokeAgentRuntime":
        # The data plane names the runtime by its ARN (or id) and the endpoint by `qualifier`.
        found["runtime_id"] = found.get("runtime_id", "").rpartition("runtime/")[2] or None
        found["endpoint_name"] = request.query.get("qualifier") or "DEFAULT"
        return found
    if len(segments) >= 4 and segments[2] == "runtime-endpoints":
        found["endpoint_name"] = segments[3]
    try:
        body = json.loads(request.body) if request.body[:1] == b"{" else {}
    except ValueError:
        body = {}
    if request.operation == "CreateAgentRuntimeEndpoint" and isinstance(body.get("name"), str):
        found["endpoint_name"] = body["name"]
    if isinstance(body.get("agentRuntimeName"), str):
        found["runtime_name"] = body["agentRuntimeName"]
    if isinstance(body.get("roleArn"), str):
        found["role_arn"] = body["roleArn"]
    code = ((body.get("agentRuntimeArtifact") or {}).get("codeConfiguration") or {}).get("code") or {}
    if isinstance(code.get("s3"), dict):
        found.update(code_bucket=code["s3"].get("bucket"), code_key=code["s3"].get("prefix"),
                     code_version_id=code["s3"].get("versionId"))
    if isinstance(body.get("tags"), dict):
        found["tag_keys"] = sorted(body["tags"])
    return found


def created_runtime_id(body: bytes) -> str | None:
    """The id in a CreateAgentRuntime answer: the new runtime is known only from it."""
    try:
        value = json.loads(body).get("agentRuntimeId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
