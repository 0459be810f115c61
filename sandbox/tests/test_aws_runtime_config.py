"""Every runtime setting of the current API is kept per version and read back; what AWS refuses
is refused with the field it names."""

import copy
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

VPC = {
    "networkMode": "VPC",
    "networkModeConfig": {"subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                          "securityGroups": ["sg-0123456789abcdef0"]},
}
JWT_AUTHORIZER = {
    "customJWTAuthorizer": {
        "discoveryUrl": "https://idp.example.com/tenant/.well-known/openid-configuration",
        "allowedAudience": ["api://haiku-agent"],
        "allowedClients": ["client-7f3a"],
        "allowedScopes": ["agent.invoke", "agent.read"],
        "customClaims": [{
            "inboundTokenClaimName": "groups",
            "inboundTokenClaimValueType": "STRING_ARRAY",
            "authorizingClaimMatchValue": {"claimMatchValue": {"matchValueStringList": ["prod-callers"]},
                                           "claimMatchOperator": "CONTAINS_ANY"},
        }],
    }
}
PROD_SETTINGS = {
    "description": "prod: haiku agent ✍️",
    "authorizerConfiguration": JWT_AUTHORIZER,
    "requestHeaderConfiguration": {"requestHeaderAllowlist": ["Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"]},
    "networkConfiguration": VPC,
    "filesystemConfigurations": [{"sessionStorage": {"mountPath": "/mnt/session"}}],
    "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 600, "maxLifetime": 7200},
    "environmentVariables": {"LOG_LEVEL": "info", "PROMPT_FILE": "prompts/haiku_bot.txt"},
    "protocolConfiguration": {"serverProtocol": "HTTP", "port": 8080, "path": "/invocations"},
    "platformVersion": "V2",
    "allowedPorts": [{"port": 9000}, {"portRange": {"from": 10000, "to": 10010}}],
    "resourceConfigurations": [{"minimumMemoryInMiB": 2048}],
    "cpuConfigurations": [{"architecture": "ARM64"}],
    "hooksConfiguration": {"build": {"warmup": {"action": {"httpPost": {"path": "/warmup", "port": 8080}}}}},
    "workloadIdentityTemplateArn": "arn:aws:iam::123456789012:workload-identity-template/agents",
}


def error_of(excinfo) -> tuple[int, str, dict]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response


@pytest.fixture
def raw(sandbox):
    """A client that sends what it is given: boto3 would refuse some of these values itself."""
    return sandbox.client("bedrock-agentcore-control", retries=False, config=Config(parameter_validation=False))


def settings_of(described: dict) -> dict:
    return {key: described[key] for key in PROD_SETTINGS if key in described}


class TestEverySettingIsKept:
    def test_create_keeps_every_setting_and_get_returns_it(self, agentcore, runtime_request, unique_name):
        request = {**runtime_request, **copy.deepcopy(PROD_SETTINGS)}
        created = agentcore.create_agent_runtime(agentRuntimeName=unique_name("prod"), **request)
        assert created["workloadIdentityTemplateArn"] == PROD_SETTINGS["workloadIdentityTemplateArn"]
        runtime_id = created["agentRuntimeId"]
        got = agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        assert settings_of(got) == PROD_SETTINGS
        assert got["agentRuntimeArtifact"] == runtime_request["agentRuntimeArtifact"]
        assert got["roleArn"] == runtime_request["roleArn"]

    def test_each_version_keeps_its_own_settings(self, agentcore, runtime_request, unique_name):
        runtime_id = agentcore.create_agent_runtime(
            agentRuntimeName=unique_name("prod"), **{**runtime_request, **copy.deepcopy(PROD_SETTINGS)}
        )["agentRuntimeId"]
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        public = {"networkConfiguration": {"networkMode": "PUBLIC"}, "protocolConfiguration": {"serverProtocol": "MCP"},
                  "environmentVariables": {"LOG_LEVEL": "debug"}}
        update = {**runtime_request, **public}
        assert agentcore.update_agent_runtime(agentRuntimeId=runtime_id, **update)["agentRuntimeVersion"] == "2"

        second = agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="2")
        # An update replaces the configuration: what it leaves out is gone (defaults come back),
        # except the two members the model says are kept (template) or immutable (CPU).
        assert settings_of(second) == {
            **public,
            "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800},
            "cpuConfigurations": PROD_SETTINGS["cpuConfigurations"],
            "workloadIdentityTemplateArn": PROD_SETTINGS["workloadIdentityTemplateArn"],
        }
        latest = agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        assert (latest["agentRuntimeVersion"], settings_of(latest)) == ("2", settings_of(second))
        first = agentcore.get_agent_runtime(agentRuntimeId=runtime_id, agentRuntimeVersion="1")
        assert settings_of(first) == PROD_SETTINGS

    def test_metadata_configuration_is_an_update_setting(self, agentcore, runtime_request, unique_name):
        runtime_id = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request)["agentRuntimeId"]
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        agentcore.update_agent_runtime(agentRuntimeId=runtime_id, **runtime_request,
                                       metadataConfiguration={"requireMMDSV2": True})
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["metadataConfiguration"] == {"requireMMDSV2": True}

    def test_lengths_count_unicode_code_points(self, agentcore, runtime_request, unique_name):
        # 4,096 code points is the limit: 16,384 bytes of UTF-8 and 8,192 UTF-16 units are fine.
        description = "😀" * 4096
        runtime_id = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request,
                                                    description=description)["agentRuntimeId"]
        assert agentcore.get_agent_runtime(agentRuntimeId=runtime_id)["description"] == description
        with pytest.raises(ClientError) as excinfo:
            agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request, description=description + "😀")
        status, code, response = error_of(excinfo)
        assert (status, code, response["fieldList"][0]["name"]) == (400, "ValidationException", "description")


class TestTags:
    def test_tags_on_create_and_the_tagging_operations(self, agentcore, runtime_request, unique_name):
        created = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request,
                                                 tags={"agentcore-gitops:repository-id": "123456", "team": "agents"})
        arn = created["agentRuntimeArn"]
        assert agentcore.list_tags_for_resource(resourceArn=arn)["tags"] == {
            "agentcore-gitops:repository-id": "123456", "team": "agents"}
        agentcore.tag_resource(resourceArn=arn, tags={"team": "platform", "env": "prod"})
        agentcore.untag_resource(resourceArn=arn, tagKeys=["agentcore-gitops:repository-id"])
        assert agentcore.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "platform", "env": "prod"}

    def test_endpoints_are_taggable_too(self, agentcore, runtime_request, unique_name):
        runtime_id = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request)["agentRuntimeId"]
        endpoint = agentcore.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="prod", tags={"stage": "prod"})
        assert agentcore.list_tags_for_resource(resourceArn=endpoint["agentRuntimeEndpointArn"])["tags"] == {"stage": "prod"}

    def test_a_runtime_that_does_not_exist_has_no_tags_to_read_or_write(self, sandbox, agentcore, runtime_request, unique_name):
        missing = f"arn:aws:bedrock-agentcore:{sandbox.info['region']}:123456789012:runtime/missing_runtime-0123456789"
        for call in (lambda: agentcore.list_tags_for_resource(resourceArn=missing),
                     lambda: agentcore.tag_resource(resourceArn=missing, tags={"a": "b"}),
                     lambda: agentcore.untag_resource(resourceArn=missing, tagKeys=["a"])):
            with pytest.raises(ClientError) as excinfo:
                call()
            assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")

    def test_tags_go_with_a_deleted_runtime(self, agentcore, runtime_request, unique_name):
        created = agentcore.create_agent_runtime(agentRuntimeName=unique_name(), **runtime_request, tags={"a": "b"})
        agentcore.delete_agent_runtime(agentRuntimeId=created["agentRuntimeId"])
        with pytest.raises(ClientError) as excinfo:
            agentcore.list_tags_for_resource(resourceArn=created["agentRuntimeArn"])
        assert error_of(excinfo)[:2] == (404, "ResourceNotFoundException")


def with_setting(path: str, value):
    """A change to the valid request: `path` is dotted, `[n]` indexes a list."""

    def change(request: dict) -> dict:
        request = copy.deepcopy(request)
        *parents, last = path.split(".")
        node = request
        for part in parents:
            name, _, index = part.partition("[")
            node = node.setdefault(name, {})
            if index:
                node = node[int(index.rstrip("]"))]
        node[last] = value
        return request

    return change


def without_setting(path: str):
    def change(request: dict) -> dict:
        request = copy.deepcopy(request)
        *parents, last = path.split(".")
        node = request
        for part in parents:
            node = node[part]
        del node[last]
        return request

    return change


SECRET = "s3cr3t-" + "x" * 5000
INVALID = [  # (what, change to a valid request, the field AWS names)
    ("runtime name with a hyphen", with_setting("agentRuntimeName", "pr-42"), "agentRuntimeName"),
    ("runtime name of 49 characters", with_setting("agentRuntimeName", "a" * 49), "agentRuntimeName"),
    ("empty description", with_setting("description", ""), "description"),
    ("Python 3.9", with_setting("agentRuntimeArtifact.codeConfiguration.runtime", "PYTHON_3_9"),
     "agentRuntimeArtifact.codeConfiguration.runtime"),
    ("no entry point", with_setting("agentRuntimeArtifact.codeConfiguration.entryPoint", []),
     "agentRuntimeArtifact.codeConfiguration.entryPoint"),
    ("three entry points", with_setting("agentRuntimeArtifact.codeConfiguration.entryPoint", ["a.py", "b.py", "c.py"]),
     "agentRuntimeArtifact.codeConfiguration.entryPoint"),
    ("entry point of 129 characters", with_setting("agentRuntimeArtifact.codeConfiguration.entryPoint", ["m" * 126 + ".py"]),
     "agentRuntimeArtifact.codeConfiguration.entryPoint"),
    ("code and container at once",
     with_setting("agentRuntimeArtifact.containerConfiguration", {"containerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"}),
     "agentRuntimeArtifact"),
    ("S3 bucket name with capitals", with_setting("agentRuntimeArtifact.codeConfiguration.code.s3.bucket", "My_Bucket"),
     "agentRuntimeArtifact.codeConfiguration.code.s3.bucket"),
    ("role that is not an IAM role ARN", with_setting("roleArn", "arn:aws:iam::123456789012:user/deployer"), "roleArn"),
    ("unknown network mode", with_setting("networkConfiguration.networkMode", "PRIVATE"), "networkConfiguration.networkMode"),
    ("VPC without subnets and security groups", with_setting("networkConfiguration", {"networkMode": "VPC"}),
     "networkConfiguration.networkModeConfig"),
    ("malformed subnet id", with_setting("networkConfiguration", {**VPC, "networkModeConfig": {**VPC["networkModeConfig"], "subnets": ["subnet-1"]}}),
     "networkConfiguration.networkModeConfig.subnets"),
    ("no security group", with_setting("networkConfiguration", {**VPC, "networkModeConfig": {**VPC["networkModeConfig"], "securityGroups": []}}),
     "networkConfiguration.networkModeConfig.securityGroups"),
    ("discovery URL that is not a well-known URL",
     with_setting("authorizerConfiguration", {"customJWTAuthorizer": {"discoveryUrl": "https://idp.example.com/jwks.json"}}),
     "authorizerConfiguration.customJWTAuthorizer.discoveryUrl"),
    ("empty audience list",
     with_setting("authorizerConfiguration", {"customJWTAuthorizer": {**JWT_AUTHORIZER["customJWTAuthorizer"], "allowedAudience": []}}),
     "authorizerConfiguration.customJWTAuthorizer.allowedAudience"),
    ("scope with a space",
     with_setting("authorizerConfiguration", {"customJWTAuthorizer": {**JWT_AUTHORIZER["customJWTAuthorizer"], "allowedScopes": ["agent invoke"]}}),
     "authorizerConfiguration.customJWTAuthorizer.allowedScopes"),
    ("unknown claim operator",
     with_setting("authorizerConfiguration", {"customJWTAuthorizer": {**JWT_AUTHORIZER["customJWTAuthorizer"], "customClaims": [{
         "inboundTokenClaimName": "groups", "inboundTokenClaimValueType": "STRING",
         "authorizingClaimMatchValue": {"claimMatchValue": {"matchValueString": "x"}, "claimMatchOperator": "LIKE"}}]}}),
     "authorizerConfiguration.customJWTAuthorizer.customClaims.1.member.authorizingClaimMatchValue.claimMatchOperator"),
    ("header name with a space", with_setting("requestHeaderConfiguration", {"requestHeaderAllowlist": ["X Tenant"]}),
     "requestHeaderConfiguration.requestHeaderAllowlist"),
    ("21 allowed headers", with_setting("requestHeaderConfiguration", {"requestHeaderAllowlist": [f"X-H{i}" for i in range(21)]}),
     "requestHeaderConfiguration.requestHeaderAllowlist"),
    ("session storage outside /mnt", with_setting("filesystemConfigurations", [{"sessionStorage": {"mountPath": "/data/session"}}]),
     "filesystemConfigurations.1.member.sessionStorage.mountPath"),
    ("six filesystems", with_setting("filesystemConfigurations", [{"sessionStorage": {"mountPath": f"/mnt/d{i}"}} for i in range(6)]),
     "filesystemConfigurations"),
    ("idle timeout under a minute", with_setting("lifecycleConfiguration", {"idleRuntimeSessionTimeout": 59}),
     "lifecycleConfiguration.idleRuntimeSessionTimeout"),
    ("lifetime over 14 days", with_setting("lifecycleConfiguration", {"maxLifetime": 1209601}), "lifecycleConfiguration.maxLifetime"),
    ("idle timeout given as text", with_setting("lifecycleConfiguration", {"idleRuntimeSessionTimeout": "900"}),
     "lifecycleConfiguration.idleRuntimeSessionTimeout"),
    ("51 environment variables", with_setting("environmentVariables", {f"V{i}": "x" for i in range(51)}), "environmentVariables"),
    ("empty environment variable name", with_setting("environmentVariables", {"": "x"}), "environmentVariables"),
    ("environment value over 5,000 characters", with_setting("environmentVariables", {"API_KEY": SECRET}), "environmentVariables"),
    ("unknown protocol", with_setting("protocolConfiguration", {"serverProtocol": "GRPC"}), "protocolConfiguration.serverProtocol"),
    ("reserved port 8443", with_setting("protocolConfiguration", {"serverProtocol": "HTTP", "port": 8443}), "protocolConfiguration.port"),
    ("port below 8000", with_setting("protocolConfiguration", {"serverProtocol": "HTTP", "port": 7999}), "protocolConfiguration.port"),
    ("path without a leading slash", with_setting("protocolConfiguration", {"serverProtocol": "HTTP", "path": "invocations"}),
     "protocolConfiguration.path"),
    ("platform version with a space", with_setting("platformVersion", "V 2"), "platformVersion"),
    ("lifecycle hooks on the default platform version V1",
     with_setting("hooksConfiguration", {"build": {"warmup": {"action": {"httpPost": {"path": "/warmup"}}}}}), "hooksConfiguration"),
    ("overlapping allowed ports", with_setting("allowedPorts", [{"portRange": {"from": 9000, "to": 9100}}, {"port": 9050}]),
     "allowedPorts.2.member"),
    ("two resource configurations", with_setting("resourceConfigurations", [{"minimumMemoryInMiB": 1024}] * 2), "resourceConfigurations"),
    ("unknown CPU architecture", with_setting("cpuConfigurations", [{"architecture": "RISCV"}]), "cpuConfigurations.1.member.architecture"),
    ("tag key with '!'", with_setting("tags", {"bad!key": "x"}), "tags"),
    ("51 tags", with_setting("tags", {f"k{i}": "v" for i in range(51)}), "tags"),
    ("client token of 5 characters", with_setting("clientToken", "short"), "clientToken"),
    ("no role", without_setting("roleArn"), "roleArn"),
]
CREATE_ONLY = {"agentRuntimeName", "tags"}


def valid_request(sandbox, name: str) -> dict:
    return {
        "agentRuntimeName": name,
        "agentRuntimeArtifact": {"codeConfiguration": {
            "code": {"s3": {"bucket": sandbox.info["s3_bucket"], "prefix": "agents/agent.zip"}},
            "runtime": "PYTHON_3_13", "entryPoint": ["main.py"]}},
        "roleArn": sandbox.info["role_arn"],
        "clientToken": str(uuid.uuid4()),
    }


class TestInvalidSettingsAreRefused:
    def test_the_table_has_at_least_twenty_distinct_cases(self):
        assert len({what for what, _, _ in INVALID}) == len(INVALID) >= 20

    @pytest.mark.parametrize("what, change, field", INVALID, ids=[case[0] for case in INVALID])
    def test_create_refuses_it_naming_the_field(self, sandbox, raw, agentcore, unique_name, what, change, field):
        name = unique_name("invalid")
        request = change(valid_request(sandbox, name))
        with pytest.raises(ClientError) as excinfo:
            raw.create_agent_runtime(**request)
        status, code, response = error_of(excinfo)
        assert (status, code, response["reason"]) == (400, "ValidationException", "FieldValidationFailed")
        assert field in [f["name"] for f in response["fieldList"]], response["fieldList"]
        assert SECRET not in str(response)  # environment variables are sensitive: never echoed
        names = [r["agentRuntimeName"] for r in agentcore.list_agent_runtimes(maxResults=100)["agentRuntimes"]]
        assert name not in names

    @pytest.mark.parametrize("what, change, field", [case for case in INVALID if case[2].split(".")[0] not in CREATE_ONLY],
                             ids=[case[0] for case in INVALID if case[2].split(".")[0] not in CREATE_ONLY])
    def test_update_refuses_it_naming_the_field(self, sandbox, raw, agentcore, unique_name, what, change, field):
        request = valid_request(sandbox, unique_name())
        runtime_id = agentcore.create_agent_runtime(**request)["agentRuntimeId"]
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        update = change({k: v for k, v in request.items() if k != "agentRuntimeName"} | {"clientToken": str(uuid.uuid4())})
        with pytest.raises(ClientError) as excinfo:
            raw.update_agent_runtime(agentRuntimeId=runtime_id, **update)
        status, code, response = error_of(excinfo)
        assert (status, code) == (400, "ValidationException")
        assert field in [f["name"] for f in response["fieldList"]], response["fieldList"]
        versions = agentcore.list_agent_runtime_versions(agentRuntimeId=runtime_id)["agentRuntimes"]
        assert [v["agentRuntimeVersion"] for v in versions] == ["1"]

    def test_the_message_names_the_value_and_the_rule(self, sandbox, raw, unique_name):
        request = with_setting("protocolConfiguration", {"serverProtocol": "GRPC"})(valid_request(sandbox, unique_name()))
        with pytest.raises(ClientError) as excinfo:
            raw.create_agent_runtime(**request)
        message = excinfo.value.response["Error"]["Message"]
        assert message == ("1 validation error detected: Value 'GRPC' at 'protocolConfiguration.serverProtocol' failed to "
                           "satisfy constraint: Member must satisfy enum value set: [MCP, HTTP, A2A, AGUI]")

    def test_a_sensitive_value_is_never_echoed(self, sandbox, raw, unique_name):
        request = with_setting("environmentVariables", {"API_KEY": SECRET, "": "x"})(valid_request(sandbox, unique_name()))
        with pytest.raises(ClientError) as excinfo:
            raw.create_agent_runtime(**request)
        response = excinfo.value.response
        assert SECRET not in str(response) and "s3cr3t" not in str(response)
        assert [f["message"] for f in response["fieldList"]] == [
            "Map keys must satisfy constraint: [Member must have length greater than or equal to 1]",
            "Map value must satisfy constraint: [Member must have length less than or equal to 5000]",
        ]

    def test_cpu_configurations_cannot_change_after_creation(self, sandbox, raw, agentcore, unique_name):
        request = valid_request(sandbox, unique_name()) | {"cpuConfigurations": [{"architecture": "ARM64"}]}
        runtime_id = agentcore.create_agent_runtime(**request)["agentRuntimeId"]
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        update = {k: v for k, v in request.items() if k not in ("agentRuntimeName", "clientToken")}
        with pytest.raises(ClientError) as excinfo:
            raw.update_agent_runtime(agentRuntimeId=runtime_id, **update | {"cpuConfigurations": [{"architecture": "X86_64"}]})
        assert error_of(excinfo)[2]["fieldList"][0]["name"] == "cpuConfigurations"
        assert raw.update_agent_runtime(agentRuntimeId=runtime_id, **update)["agentRuntimeVersion"] == "2"

    def test_a_workload_identity_template_cannot_be_added_later(self, sandbox, raw, agentcore, unique_name):
        request = valid_request(sandbox, unique_name())
        runtime_id = agentcore.create_agent_runtime(**request)["agentRuntimeId"]
        agentcore.get_agent_runtime(agentRuntimeId=runtime_id)
        update = {k: v for k, v in request.items() if k not in ("agentRuntimeName", "clientToken")}
        with pytest.raises(ClientError) as excinfo:
            raw.update_agent_runtime(agentRuntimeId=runtime_id, **update,
                                     workloadIdentityTemplateArn=PROD_SETTINGS["workloadIdentityTemplateArn"])
        assert error_of(excinfo)[2]["fieldList"][0]["name"] == "workloadIdentityTemplateArn"
