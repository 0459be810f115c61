"""The AWS half of the local sandbox: moto behind a front door that behaves like AWS.

`build_aws_app` wires the pieces: the `/_sandbox/` control API, request identification and
logging, fault injection, SigV4 verification, S3 payload checks, and moto itself with the
Bedrock AgentCore control plane replaced by a faithful version (`agentcore.py`). Besides moto:
the AgentCore data plane (`dataplane.py`: InvokeAgentRuntime starts each version's code zip,
`agent_host.py`, with host builds of its binary wheels, `host_wheels.py`) and the Bedrock model
stand-in its agents call (`bedrock_standin.py`, framing its stream with `eventstream.py`).
"""

from .app import AwsSandbox, build_aws_app

__all__ = ["AwsSandbox", "build_aws_app"]
