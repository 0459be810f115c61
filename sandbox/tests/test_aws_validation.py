"""`validation.py` on its own: the model's rules, AWS's field paths and messages."""

from aws.models import service_model
from aws.validation import validation_errors

MODEL = service_model("bedrock-agentcore-control")
CREATE = MODEL.operation_model("CreateAgentRuntime").input_shape
VALID = {
    "agentRuntimeName": "prod",
    "roleArn": "arn:aws:iam::123456789012:role/agent",
    "agentRuntimeArtifact": {"codeConfiguration": {"code": {"s3": {"bucket": "deploy-bucket", "prefix": "a.zip"}},
                                                   "runtime": "PYTHON_3_12", "entryPoint": ["main.py"]}},
}


def fields(request: dict) -> dict[str, str]:
    return {path: constraint for path, constraint, _ in validation_errors(CREATE, request)}


def test_a_valid_request_has_no_errors():
    assert validation_errors(CREATE, VALID) == []


def test_values_of_the_wrong_json_type_are_named():
    request = {**VALID, "roleArn": 5, "lifecycleConfiguration": {"maxLifetime": True, "idleRuntimeSessionTimeout": "900"}}
    assert fields(request) == {
        "roleArn": "Member must be of type string",
        "lifecycleConfiguration.maxLifetime": "Member must be of type integer",
        "lifecycleConfiguration.idleRuntimeSessionTimeout": "Member must be of type integer",
    }


def test_scalar_list_members_are_reported_at_the_list():
    request = {**VALID, "agentRuntimeArtifact": {"codeConfiguration": {
        **VALID["agentRuntimeArtifact"]["codeConfiguration"], "entryPoint": ["", None]}}}
    assert fields(request) == {"agentRuntimeArtifact.codeConfiguration.entryPoint":
                               "Member must satisfy constraint: [Member must have length greater than or equal to 1, "
                               "Member must not be null]"}


def test_structures_in_a_list_are_reported_by_position():
    request = {**VALID, "filesystemConfigurations": [{"sessionStorage": {"mountPath": "/mnt/ok"}},
                                                     {"sessionStorage": {}}]}
    assert fields(request) == {"filesystemConfigurations.2.member.sessionStorage.mountPath": "Member must not be null"}


def test_a_union_needs_exactly_one_member():
    request = {**VALID, "agentRuntimeArtifact": {}}
    assert list(fields(request)) == ["agentRuntimeArtifact"]


def test_values_inside_a_sensitive_map_are_never_shown():
    messages = [message for _, _, message in validation_errors(CREATE, {**VALID, "environmentVariables": {"TOKEN": "x" * 5001}})]
    assert messages == ["Value at 'environmentVariables' failed to satisfy constraint: "
                        "Map value must satisfy constraint: [Member must have length less than or equal to 5000]"]


def test_a_value_that_is_not_sensitive_is_shown_as_java_prints_it():
    messages = [message for _, _, message in validation_errors(CREATE, {**VALID, "tags": {"k!": "v"}})]
    assert messages == ["Value '{k!=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
                        "[Member must satisfy regular expression pattern: [a-zA-Z0-9\\s._:/=+@-]*]"]


def test_a_document_member_accepts_any_json():
    document = MODEL.shape_for("AdditionalModelRequestFields")
    assert validation_errors(document, "text") == validation_errors(document, [1, {"a": None}]) == []
