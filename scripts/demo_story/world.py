"""What the story acts on: the sandbox, a scratch copy of the agent (never the repository's own
files), and the three executables run as the workflows run them, one event payload file each."""

import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .sandbox import ROOT, HTTPFailure

MAX_RERUNS = 5
FOREIGN_PREFIXES = ("AWS_", "GITHUB_", "GH_", "AGENTCORE_", "ACTIONS_", "RUNNER_")
# Set on Ctrl-C: runs told in other threads stop instead of re-running their interrupted step.
STOP = threading.Event()
# What a person re-running a workflow sees in the log: the first lines of the run's error.
ERROR_LINE = re.compile(r"^::error[^:]*::(.*)$")


class StoryFailure(Exception):
    """An expectation about the sandbox's state did not hold."""


def expect(condition, message):
    if not condition:
        raise StoryFailure(message)


@dataclass
class Run:
    executable: str
    outputs: dict
    attempts: int
    errors: list = field(default_factory=list)


class World:
    def __init__(self, sandbox, binaries, faults=None, verbose=False, seed=None, cache=None):
        self.sandbox = sandbox
        self.cache = cache or os.environ.get("AGENTCORE_CACHE_DIR") or str(ROOT / ".cache" / "agentcore")
        self.random = random.Random(seed)  # commit hashes and run ids; its own, so parallel runs repeat too
        self.binaries = Path(binaries)
        self.faults = faults
        self.verbose = verbose
        self.tree = Path(tempfile.mkdtemp(prefix="agentcore-demo-"))
        for folder in ("agent", "prompts"):
            shutil.copytree(ROOT / folder, self.tree / folder)
        self.runs = []
        self.pull_requests = {}  # story name -> number
        self.issues = {}  # story name -> deployment issue number
        self.answers = {}  # story name -> what the prod endpoint answered then
        self._sha = 0

    def close(self):
        shutil.rmtree(self.tree, ignore_errors=True)

    # The agent's files in the scratch tree.

    @property
    def settings_file(self):
        return self.tree / "agent" / "agentcore.json"

    def use_prompt(self, prompt_file):
        """Points agentcore.json at another prompt: a change the package really carries."""
        settings = json.loads(self.settings_file.read_text())
        settings["prompt"] = f"../prompts/{prompt_file}"
        self.settings_file.write_text(json.dumps(settings, indent=2) + "\n")

    def append_to_prompt(self, text):
        settings = json.loads(self.settings_file.read_text())
        prompt = (self.settings_file.parent / settings["prompt"]).resolve()
        prompt.write_text(prompt.read_text() + text)

    def next_sha(self):
        self._sha += 1
        return f"{self.random.getrandbits(128):032x}{self._sha:08x}"

    # GitHub: what people and GitHub itself do.

    def open_pull_request(self, name, title):
        head = self.next_sha()
        number = self.sandbox.repo_control("/pulls", {"head_sha": head, "title": title})["number"]
        self.pull_requests[name] = number
        return number, head

    def push(self, number):
        head = self.next_sha()
        self.sandbox.repo_control(f"/pulls/{number}/push", {"head_sha": head})
        return head

    def merge(self, number):
        merge_sha = self.next_sha()
        self.sandbox.repo_control(f"/pulls/{number}/merge", {"merge_commit_sha": merge_sha})
        return merge_sha

    def close_unmerged(self, number):
        self.sandbox.repo_control(f"/pulls/{number}/close")

    def add_label(self, identity, number, label):
        """Through the REST API with the person's token, as the web UI does."""
        self.sandbox.github_as(identity, "POST", f"/issues/{number}/labels", {"labels": [label]})

    def event_file(self, request):
        payload = self.sandbox.repo_control("/events", request)
        path = self.tree / "events" / f"{len(self.runs) + 1:02d}-{request['event']}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(payload))
        return path

    # The executables, as a workflow step runs them.

    def aws_environment(self):
        """The machine's own settings (PATH, certificates, package index for uv) as a runner has
        them, and the sandbox's AWS credentials; nothing of a real AWS account or GitHub repository."""
        info = self.sandbox.info
        inherited = {name: value for name, value in os.environ.items() if not name.startswith(FOREIGN_PREFIXES)}
        return inherited | {
            "AWS_ENDPOINT_URL": info["aws_endpoint"], "AWS_REGION": info["region"],
            "AWS_ACCESS_KEY_ID": info["aws_access_key_id"], "AWS_SECRET_ACCESS_KEY": info["aws_secret_access_key"],
        }

    def environment(self, event_name, event_path, run_id, attempt, output_file):
        info = self.sandbox.info
        return self.aws_environment() | {
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": self.sandbox.repository, "GITHUB_API_URL": self.sandbox.github_url,
            "GITHUB_TOKEN": info["tokens"]["bot"], "GITHUB_RUN_ID": run_id, "GITHUB_RUN_ATTEMPT": str(attempt),
            "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(output_file) + ".summary.md",
            "AGENTCORE_S3_BUCKET": info["s3_bucket"], "AGENTCORE_ROLE_ARN": info["role_arn"],
            "AGENTCORE_CACHE_DIR": self.cache,
        }

    def invoke(self, runtime, endpoint, prompt):
        """`agentcore invoke RUNTIME --endpoint ENDPOINT` as a person runs it; the agent's answer."""
        command = [self.binaries / "agentcore", "invoke", runtime, "--endpoint", endpoint, "--json",
                   "--payload", json.dumps({"prompt": prompt})]
        result = subprocess.run(command, cwd=self.tree, env=self.aws_environment(), capture_output=True, text=True,
                                timeout=300)
        if result.returncode != 0:
            raise StoryFailure(f"agentcore invoke {runtime} --endpoint {endpoint} failed: "
                               f"{self.scrub(result.stderr).strip()[-400:]}")
        answer = json.loads(result.stdout)
        expect(isinstance(answer, dict) and isinstance(answer.get("result"), str),
               f"{runtime}'s {endpoint} endpoint answered {result.stdout.strip()[:200]!r}, not a result")
        return answer["result"].strip()

    def run(self, executable, request):
        """Runs `executable` on the event GitHub would deliver now; a failed run is re-run (same run
        id, next attempt, same payload) as a person would, up to MAX_RERUNS times."""
        event_name = request["event"]
        event_path = self.event_file(request)
        run_id = str(self.random.randint(10**9, 10**10 - 1))
        errors = []
        for attempt in range(1, MAX_RERUNS + 2):
            if STOP.is_set():
                raise StoryFailure("interrupted")
            output_file = event_path.with_suffix(f".out{attempt}")
            env = self.environment(event_name, event_path, run_id, attempt, output_file)
            with self.faults.active() if self.faults else contextlib.nullcontext():
                started = time.perf_counter()
                result = subprocess.run([self.binaries / executable], cwd=self.tree, env=env,
                                        capture_output=True, text=True, timeout=600)
                seconds = time.perf_counter() - started
            log = self.scrub(result.stdout + result.stderr)
            if self.verbose:
                print(f"      --- {executable} attempt {attempt} ({seconds:.1f} s, exit {result.returncode})")
                print("\n".join("      | " + line for line in log.splitlines()))
            if result.returncode == 0:
                run = Run(executable, read_outputs(output_file), attempt, errors)
                self.runs.append(run)
                return run
            errors.append(first_error(log))
        raise StoryFailure(f"{executable} failed {MAX_RERUNS + 1} times; last error: {errors[-1]}")

    def scrub(self, text):
        """What the runner shows: add-mask commands swallowed, secrets replaced by ***."""
        lines = [line for line in text.splitlines() if not line.startswith("::add-mask::")]
        text = "\n".join(lines)
        for secret in self.sandbox.secrets:
            text = text.replace(secret, "***")
        return text

    # State, read back from the sandbox.

    def runtimes(self):
        """{name: summary} of every runtime, following pages."""
        found, token = {}, None
        while True:
            page = self.sandbox.agentcore.list_agent_runtimes(**({"nextToken": token} if token else {}))
            for runtime in page["agentRuntimes"]:
                found[runtime["agentRuntimeName"]] = runtime
            token = page.get("nextToken")
            if not token:
                return found

    def runtime(self, name):
        return self.runtimes().get(name)

    def versions(self, runtime_id):
        found, token = [], None
        while True:
            page = self.sandbox.agentcore.list_agent_runtime_versions(
                agentRuntimeId=runtime_id, **({"nextToken": token} if token else {}))
            found += [int(v["agentRuntimeVersion"]) for v in page["agentRuntimes"]]
            token = page.get("nextToken")
            if not token:
                return sorted(found)

    def endpoints(self, runtime_id):
        page = self.sandbox.agentcore.list_agent_runtime_endpoints(agentRuntimeId=runtime_id)
        return {e["name"]: e for e in page["runtimeEndpoints"]}

    def s3_keys(self):
        page = self.sandbox.s3.list_objects_v2(Bucket=self.sandbox.info["s3_bucket"])
        return sorted(o["Key"] for o in page.get("Contents", []))

    def issue(self, number):
        return self.sandbox.github_as("maintainer", "GET", f"/issues/{number}")

    def comments(self, number):
        return [c for c in self.sandbox.github_state()["comments"] if c["issue_number"] == number]

    def bot_comments(self, number):
        return [c for c in self.comments(number) if c["user"]["login"] == self.sandbox.logins["bot"]]


def read_outputs(path):
    outputs = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep:
                outputs[name] = value
    return outputs


def first_error(log):
    for line in log.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            return match.group(1).replace("%0A", " ")[:240]
    tail = log.strip().splitlines()
    return tail[-1][:240] if tail else "no output"


__all__ = ["World", "StoryFailure", "expect", "HTTPFailure"]
