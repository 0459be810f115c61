"""The emulator answers like GitHub did in the recorded real exchanges (octokit/fixtures).

Each recorded scenario gets its repository (and, for pagination, its issues) through the
control API and the REST API, then every recorded request is replayed in order. Our answer must
have the recorded status; every field of the recorded body, at every depth, with the same JSON
type; the same values for fields that do not depend on ids, times or hosts; the recorded
rate-limit and location headers; and, for pagination, the same `link` header once GitHub's host
and repository id are replaced by ours.
"""

from __future__ import annotations

import json

import pytest

from github_fixtures import (  # noqa: F401
    TEST_VECTORS, Session, assert_like, emulator, gh, reads_test_vectors, request, vector_path)

RECORDED = TEST_VECTORS / "github-api"
GITHUB = "https://api.github.com"
RECORDED_REPOSITORY_ID = 1000
# Fields whose recorded values are facts about the scenario, not about GitHub's ids or clock.
STABLE_FIELDS = {"name", "color", "default", "description", "number", "title", "state", "body", "locked",
                 "message", "errors", "type", "site_admin", "author_association", "state_reason"}
COMPARED_HEADERS = ("location", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                    "x-ratelimit-used", "x-ratelimit-resource", "content-type")


def prepare(gh: Session, repository: str) -> int:
    """Creates the scenario's repository (and issues) and returns the repository's id."""
    created = gh.control("POST", "/_sandbox/repos", {"full_name": repository})
    assert created.status == 201, created.body
    if repository.endswith("/paginate-issues"):
        for number in range(1, 14):
            gh.as_("maintainer").post(f"/repos/{repository}/issues", {"title": f"Test issue {number}"})
    return created.body["id"]


def scenarios() -> list:
    """The recorded exchanges, as paths inside the test vectors. Without the vectors, one stand-in
    case that fails, saying what to do, when it runs (or is skipped under AGENTCORE_TEST_VECTORS=skip):
    failing the collection instead would stop every other test too."""
    if not RECORDED.is_dir():
        return [pytest.param("github-api", id="github-api")]
    found = sorted(RECORDED.glob("*.json"))
    assert found, f"no recorded GitHub exchanges in {RECORDED}"
    return [pytest.param(f"github-api/{path.name}", id=path.stem) for path in found]


@reads_test_vectors
@pytest.mark.parametrize("scenario", scenarios())
def test_replaying_recorded_exchanges_gets_githubs_answers(gh: Session, scenario: str) -> None:
    recorded = vector_path(scenario)
    exchanges = json.loads(recorded.read_text())
    repository = exchanges[0]["path"].split("/")[2] + "/" + exchanges[0]["path"].split("/")[3]
    repository_id = prepare(gh, repository)

    def ours(text: str) -> str:
        return text.replace(GITHUB, gh.url).replace(
            f"/repositories/{RECORDED_REPOSITORY_ID}/", f"/repositories/{repository_id}/"
        )

    for index, exchange in enumerate(exchanges):
        where = f"{recorded.stem}[{index}] {exchange['method'].upper()} {exchange['path']}"
        body = exchange["body"] if isinstance(exchange["body"], (dict, list)) else None
        answer = request(gh.url + ours(exchange["path"]), exchange["method"].upper(),
                         token=gh.info["tokens"]["maintainer"], json_body=body, scheme="token")

        assert answer.status == exchange["status"], f"{where}: {answer.status} {answer.body}"
        if exchange["response"] == "":
            assert answer.body is None, where
        else:
            assert_like(exchange["response"], answer.body, where, stable=STABLE_FIELDS)
        for header in COMPARED_HEADERS:
            if header in exchange["headers"]:
                assert answer.headers.get(header), f"{where}: header {header} is missing"
        if "link" in exchange["headers"]:
            assert answer.headers.get("link") == ours(exchange["headers"]["link"]), where
        else:
            assert answer.headers.get("link") is None, where
