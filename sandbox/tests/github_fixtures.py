"""Shared pytest fixtures and a small HTTP client for the GitHub emulator tests.

Test modules import the fixtures they use (`from github_fixtures import emulator, gh`). One
emulator runs per test module; `gh` resets it before each test.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SANDBOX = Path(__file__).resolve().parents[1]
REPOSITORY_ROOT = SANDBOX.parent
if str(SANDBOX) not in sys.path:
    sys.path.insert(0, str(SANDBOX))

from github_emulator import GitHubEmulator, start_github_emulator  # noqa: E402

# Third-party test vectors (GitHub's recorded API exchanges and webhook payloads) are never copied
# into the repository: they sit in ../shared/test-vectors/ beside the checkout. AGENTCORE_TEST_VECTORS
# names another directory (a relative one counts from the repository root), or is `skip` where there
# are none, as in the project's own GitHub workflow. A missing vector otherwise fails its test.
TEST_VECTORS_VARIABLE = "AGENTCORE_TEST_VECTORS"
_TEST_VECTORS_SETTING = os.environ.get(TEST_VECTORS_VARIABLE, "")
TEST_VECTORS_SKIPPED = _TEST_VECTORS_SETTING == "skip"
TEST_VECTORS = (REPOSITORY_ROOT / (_TEST_VECTORS_SETTING if _TEST_VECTORS_SETTING and not TEST_VECTORS_SKIPPED
                                   else "../shared/test-vectors")).resolve()

reads_test_vectors = pytest.mark.skipif(
    TEST_VECTORS_SKIPPED, reason=f"{TEST_VECTORS_VARIABLE}=skip: this test reads third-party test vectors")

class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the redirect answer itself is the result


# Never route loopback calls through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_NO_REDIRECTS = urllib.request.build_opener(urllib.request.ProxyHandler({}), _KeepRedirects())


@dataclass
class Answer:
    status: int
    headers: Any  # email.message.Message: case-insensitive .get()
    body: Any


def request(url: str, method: str = "GET", *, token: str | None = None, json_body: Any = None,
            raw_body: bytes | None = None, scheme: str = "Bearer", timeout: float = 10,
            follow_redirects: bool = True) -> Answer:
    data = json.dumps(json_body).encode() if json_body is not None else raw_body
    outgoing = urllib.request.Request(url, data=data, method=method)
    outgoing.add_header("Accept", "application/vnd.github+json")
    outgoing.add_header("X-GitHub-Api-Version", "2022-11-28")
    if token is not None:
        outgoing.add_header("Authorization", f"{scheme} {token}")
    if data is not None:
        outgoing.add_header("Content-Type", "application/json")
    try:
        response = (_OPENER if follow_redirects else _NO_REDIRECTS).open(outgoing, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        raw = response.read()
        return Answer(response.status, response.headers, json.loads(raw) if raw else None)


class Client:
    """Calls the REST API as one identity."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body: Any = None, **options: Any) -> Answer:
        url = path if path.startswith("http") else self.base + path
        return request(url, method, token=self.token, json_body=body, **options)

    def get(self, path: str) -> Answer:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None) -> Answer:
        return self.call("POST", path, body)

    def patch(self, path: str, body: Any) -> Answer:
        return self.call("PATCH", path, body)

    def put(self, path: str, body: Any) -> Answer:
        return self.call("PUT", path, body)

    def delete(self, path: str) -> Answer:
        return self.call("DELETE", path)


class Session:
    """One test's view of the emulator: its info, a client per identity and the control API."""

    def __init__(self, emulator: GitHubEmulator) -> None:
        self.emulator = emulator
        self.info = emulator.info()
        self.url = self.info["github_api_url"]
        self.repository = self.info["repository"]
        self.repo = f"/repos/{self.repository}"

    def as_(self, identity: str) -> Client:
        return Client(self.url, self.info["tokens"][identity])

    def login(self, identity: str) -> str:
        return self.info["logins"][identity]

    def control(self, method: str, path: str, body: Any = None) -> Answer:
        return request(self.url + path, method, json_body=body)

    def new_issue(self, identity: str = "maintainer", **fields: Any) -> dict:
        answer = self.as_(identity).post(f"{self.repo}/issues", {"title": "An issue", **fields})
        assert answer.status == 201, answer.body
        return answer.body

    def open_pull(self, **fields: Any) -> dict:
        answer = self.control("POST", f"/_sandbox{self.repo}/pulls", {"head_sha": sha("head"), **fields})
        assert answer.status == 201, answer.body
        return answer.body


def assert_like(recorded: Any, ours: Any, where: str, *, stable: set[str] = frozenset(),
                nullable: set[str] = frozenset(), same_length: bool = True) -> None:
    """`ours` has every field of `recorded`, at every depth, with the same JSON type where the
    recording has a value (`nullable` fields may be null in ours), and the same value for the
    `stable` fields. Arrays are compared item by item (and must be as long, unless `same_length`
    is off: then only first items, if both have one)."""
    if isinstance(recorded, dict):
        assert isinstance(ours, dict), f"{where}: expected an object, got {ours!r}"
        for key, value in recorded.items():
            assert key in ours, f"{where}: field {key!r} is missing"
            if key in stable:
                assert ours[key] == value, f"{where}.{key}: recorded {value!r}, emulator {ours[key]!r}"
            if key in nullable and ours[key] is None:
                continue
            assert_like(value, ours[key], f"{where}.{key}", stable=stable, nullable=nullable, same_length=same_length)
    elif isinstance(recorded, list):
        assert isinstance(ours, list), f"{where}: expected an array, got {ours!r}"
        if same_length:
            assert len(ours) == len(recorded), f"{where}: {len(recorded)} items recorded, got {len(ours)}"
        pairs = list(zip(recorded, ours)) if same_length else list(zip(recorded[:1], ours[:1]))
        for index, (recorded_item, our_item) in enumerate(pairs):
            assert_like(recorded_item, our_item, f"{where}[{index}]", stable=stable, nullable=nullable,
                        same_length=same_length)
    elif recorded is not None:
        assert type(ours) is type(recorded), f"{where}: recorded {type(recorded).__name__}, got {ours!r}"


def vector_path(relative: str) -> Path:
    """A file or folder of the test vectors, e.g. `github-webhooks/push.json`. When it is missing,
    fails the calling test, saying where the vectors belong and the ways forward."""
    path = TEST_VECTORS / relative
    if not path.exists():
        configured = (f"{TEST_VECTORS_VARIABLE}={_TEST_VECTORS_SETTING}" if _TEST_VECTORS_SETTING
                      else f"the default place, as {TEST_VECTORS_VARIABLE} is not set")
        pytest.fail(f"third-party test vectors are missing: {path} does not exist ({configured}). "
                    "They are never copied into the repository: put them (sigv4/, github-api/, github-webhooks/) in "
                    f"../shared/test-vectors/ beside the checkout, set {TEST_VECTORS_VARIABLE}=/path/to/test-vectors "
                    f"to use another copy, or set {TEST_VECTORS_VARIABLE}=skip to skip the tests that read them.",
                    pytrace=False)
    return path


def sha(seed: str) -> str:
    """A stable, valid-looking commit sha for a word."""
    import hashlib

    return hashlib.sha1(seed.encode()).hexdigest()


@pytest.fixture(scope="module")
def emulator():
    started = start_github_emulator()
    yield started
    started.stop()


@pytest.fixture
def gh(emulator: GitHubEmulator) -> Session:
    emulator.reset()
    return Session(emulator)
