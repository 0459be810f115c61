"""How long the sandbox takes to hold many runtimes and versions, through boto3 as a client would.

    .venv/bin/python sandbox/tests/bench_runtime_versions.py [--runtimes 200] [--updates 20]

Starts its own sandbox, creates the runtimes, then makes `--updates` UpdateAgentRuntime calls
per runtime (one version each), then lists every runtime's versions as a sweep would, and
prints the seconds each phase took. Not a test: a figure for the notes.
"""

import argparse
import time

from conftest import start_sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtimes", type=int, default=200)
    parser.add_argument("--updates", type=int, default=20, help="UpdateAgentRuntime calls per runtime")
    arguments = parser.parse_args()

    sandbox = start_sandbox()
    try:
        client = sandbox.client("bedrock-agentcore-control", retries=False)
        request = {
            "agentRuntimeArtifact": {"codeConfiguration": {
                "code": {"s3": {"bucket": sandbox.info["s3_bucket"], "prefix": "agents/agent.zip"}},
                "runtime": "PYTHON_3_13", "entryPoint": ["main.py"]}},
            "roleArn": sandbox.info["role_arn"],
            "networkConfiguration": {"networkMode": "PUBLIC"},
        }
        client.list_agent_runtimes()  # waits for moto to load, outside the figures

        started = time.monotonic()
        ids = [client.create_agent_runtime(agentRuntimeName=f"bench_{i}", **request)["agentRuntimeId"]
               for i in range(arguments.runtimes)]
        created = time.monotonic()
        for _ in range(arguments.updates):
            for runtime_id in ids:
                client.update_agent_runtime(agentRuntimeId=runtime_id, **request)
        updated = time.monotonic()
        versions = 0
        for runtime_id in ids:
            for page in client.get_paginator("list_agent_runtime_versions").paginate(agentRuntimeId=runtime_id):
                versions += len(page["agentRuntimes"])
        listed = time.monotonic()

        updates = arguments.runtimes * arguments.updates
        print(f"{arguments.runtimes} CreateAgentRuntime: {created - started:.1f} s")
        print(f"{updates} UpdateAgentRuntime: {updated - created:.1f} s ({1000 * (updated - created) / updates:.2f} ms each)")
        print(f"ListAgentRuntimeVersions of every runtime ({versions} versions): {listed - updated:.1f} s")
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
