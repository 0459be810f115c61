"""Starts the local sandbox: moto (S3, the AgentCore control plane, STS, IAM) behind a front door
that behaves like AWS, plus the GitHub emulator when it is installed.

When everything listens it prints ONE JSON line on stdout (endpoints, random credentials, the
bucket and role it created) and serves until SIGTERM or SIGINT, then exits 0. Logs go to stderr.
Run it through `scripts/sandbox`; `--help` lists the options.
"""

import argparse
import json
import logging
import os
import secrets
import signal
import sys
import threading
import time

started = time.monotonic()
log = logging.getLogger("sandbox")
ACCOUNT_ID = "123456789012"  # moto's default account, which requests signed with our keys map to

ROLE_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }],
}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/sandbox", description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback only)")
    parser.add_argument("--port", type=int, default=0, help="AWS endpoint port (0: a free one)")
    parser.add_argument("--github-port", type=int, default=0, help="GitHub emulator port (0: a free one)")
    parser.add_argument("--region", default="us-east-1", help="AWS region the sandbox answers as")
    parser.add_argument("--ready-delay", type=float, default=0.0, metavar="SECONDS",
                        help="how long CREATING, UPDATING and DELETING last (default 0)")
    parser.add_argument("--agent-start-budget", type=float, default=60.0, metavar="SECONDS",
                        help="how long an invoked agent may take to answer GET /ping (default 60, as AgentCore)")
    parser.add_argument("--exit-with-parent", action="store_true", help="exit when the parent process dies")
    arguments = parser.parse_args(argv)
    if arguments.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error(f"--host {arguments.host} is not a loopback address; the sandbox serves loopback only")
    if arguments.ready_delay < 0:
        parser.error("--ready-delay must be 0 or more seconds")
    if arguments.agent_start_budget <= 0:
        parser.error("--agent-start-budget must be more than 0 seconds")
    return arguments


class DeploymentResources:
    """The bucket and execution role a deployment needs: named now, made once moto has loaded."""

    def __init__(self, region: str):
        suffix = secrets.token_hex(4)
        self.region = region
        self.bucket = f"agentcore-gitops-{suffix}"
        self.role_name = f"AgentCoreRuntimeExecution-{suffix}"
        self.role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{self.role_name}"

    def create(self) -> None:
        from moto.iam.models import iam_backends
        from moto.s3.models import s3_backends

        s3_backends[ACCOUNT_ID]["aws"].create_bucket(self.bucket, self.region)
        role = iam_backends[ACCOUNT_ID]["aws"].create_role(
            role_name=self.role_name,
            assume_role_policy_document=json.dumps(ROLE_TRUST_POLICY),
            path="/",
            permissions_boundary=None,
            description="Execution role for AgentCore runtimes deployed by agentcore-gitops (sandbox)",
            tags=[],
            max_session_duration=None,
        )
        if role.arn != self.role_arn:
            raise RuntimeError(f"moto named the role {role.arn}, but the JSON line announced {self.role_arn}")


def start_github(host: str, port: int):
    from github_emulator import start_github_emulator

    return start_github_emulator(host, port)


def make_server(host: str, port: int, app, keep_alive_while=lambda: True):
    from keepalive import KeepAliveHandler, make_server as keepalive_make_server

    class Handler(KeepAliveHandler):
        # Query strings can carry presigned credentials and session tokens: keep them out of logs.
        def log_request(self, code="-", size="-"):
            path = self.path.split("?", 1)[0]
            log.info('"%s %s" %s', self.command, path, getattr(code, "value", code))

    return keepalive_make_server(host, port, app, handler=Handler, keep_alive_while=keep_alive_while)


def main(argv: list[str]) -> int:
    # A parent spawning us from a libdispatch thread (Swift's Process) passes on its blocked
    # signals; without this, SIGTERM would stay pending forever and stop() would hang.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    arguments = parse_arguments(argv)
    parent = os.getppid()

    from aws import build_aws_app

    aws = build_aws_app(region=arguments.region, ready_delay_seconds=arguments.ready_delay,
                        agent_start_budget_seconds=arguments.agent_start_budget)
    try:
        server = make_server(arguments.host, arguments.port, aws, keep_alive_while=lambda: not aws.state.may_drop())
    except OSError as error:
        log.error("cannot listen on %s:%d (%s); pass --port 0 to use a free port", arguments.host, arguments.port, error)
        return 1
    # Polled for shutdown every 0.1 s, as the GitHub emulator is: a stop takes no longer than that.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="aws", daemon=True).start()
    resources = DeploymentResources(arguments.region)
    threading.Thread(target=aws.load, args=(resources.create,), name="load-moto", daemon=True).start()

    endpoint_host = f"[{arguments.host}]" if ":" in arguments.host else arguments.host
    info = {
        "aws_endpoint": f"http://{endpoint_host}:{server.server_port}",
        "aws_access_key_id": aws.credentials.access_key_id,
        "aws_secret_access_key": aws.credentials.own.secret_access_key,
        "region": arguments.region,
        "s3_bucket": resources.bucket,
        "role_arn": resources.role_arn,
    }
    aws.endpoint_url = info["aws_endpoint"]
    github = start_github(arguments.host, arguments.github_port)
    info.update(github.info())

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if arguments.exit_with_parent:
        def watch_parent():
            while not stop.is_set():
                if os.getppid() != parent:
                    log.info("parent process %d is gone; stopping", parent)
                    stop.set()
                time.sleep(0.5)

        threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()

    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    log.info("listening after %.2f s: AWS on %s", time.monotonic() - started, info["aws_endpoint"])
    if aws.loaded.wait(60) and aws.load_error is None:
        log.info("moto loaded after %.2f s", time.monotonic() - started)

    while not stop.wait(1.0):
        pass
    log.info("stopping")
    github.stop()
    server.shutdown()
    aws.stop()
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    # Everything is stopped and removed by now; tearing down moto's thousands of modules would add
    # a third of a second to every stop, so the process ends here.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
