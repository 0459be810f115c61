"""Webhook payloads built by `POST /_sandbox/repos/{o}/{r}/events` from the emulator's state have
every field of the real payloads recorded in `../shared/test-vectors/github-webhooks/`, and agree
with what the REST API says about the same pull request or issue."""

from __future__ import annotations

import json
from typing import Callable

import pytest

from github_fixtures import Session, assert_like, emulator, gh, reads_test_vectors, sha, vector_path  # noqa: F401


def event(gh: Session, **body) -> dict:
    answer = gh.control("POST", f"/_sandbox{gh.repo}/events", body)
    assert answer.status == 200, answer.body
    return answer.body


def pull_request_opened(gh: Session) -> dict:
    pull = gh.open_pull(head_sha=sha("one"), body="Adds a tool")
    gh.as_("bot").post(f"{gh.repo}/issues/{pull['number']}/labels", {"labels": ["preview"]})
    return event(gh, event="pull_request", action="opened", number=pull["number"])


def pull_request_synchronize(gh: Session) -> dict:
    pull = gh.open_pull(head_sha=sha("one"), body="Adds a tool")
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/push", {"head_sha": sha("two")})
    return event(gh, event="pull_request", action="synchronize", number=pull["number"], before=sha("one"))


def pull_request_closed(gh: Session) -> dict:
    pull = gh.open_pull(body="Adds a tool")
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/close")
    return event(gh, event="pull_request", action="closed", number=pull["number"])


def issues_labeled(gh: Session) -> dict:
    issue = gh.new_issue("bot", body="Deploy v3")
    gh.as_("triage").post(f"{gh.repo}/issues/{issue['number']}/labels", {"labels": ["bug", "deployment"]})
    return event(gh, event="issues", action="labeled", number=issue["number"], label="bug")


def push(gh: Session) -> dict:
    pull = gh.open_pull()
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/merge", {"merge_commit_sha": sha("merge")})
    return event(gh, event="push", after=sha("merge"), before=sha("base"))


def workflow_dispatch(gh: Session) -> dict:
    return event(gh, event="workflow_dispatch", inputs={"name": "Mona the Octocat"})


BUILDERS: dict[str, Callable[[Session], dict]] = {
    "pull_request-opened": pull_request_opened,
    "pull_request-synchronize": pull_request_synchronize,
    "pull_request-closed": pull_request_closed,
    "issues-labeled": issues_labeled,
    "push": push,
    "workflow_dispatch": workflow_dispatch,
}


@reads_test_vectors
def test_every_recorded_webhook_has_a_builder() -> None:
    assert {path.stem for path in vector_path("github-webhooks").glob("*.json")} == set(BUILDERS)


@reads_test_vectors
@pytest.mark.parametrize("name", BUILDERS)
def test_payload_has_every_recorded_field(gh: Session, name: str) -> None:
    recorded = json.loads(vector_path(f"github-webhooks/{name}.json").read_text())
    ours = BUILDERS[name](gh)
    # Assignees, milestones and descriptions belong to the recorded scenario, not to GitHub's shapes.
    assert_like(recorded, ours, name, stable={"action"} if "action" in recorded else set(),
                nullable={"assignee", "milestone", "description", "homepage"}, same_length=False)


def test_payloads_agree_with_the_state(gh: Session) -> None:
    synchronize = pull_request_synchronize(gh)
    assert (synchronize["before"], synchronize["after"]) == (sha("one"), sha("two"))
    assert synchronize["pull_request"]["head"]["sha"] == sha("two")
    assert synchronize["sender"]["login"] == gh.login("maintainer")

    labeled = issues_labeled(gh)
    assert labeled["sender"]["login"] == gh.login("triage")  # who really added the label
    assert [l["name"] for l in labeled["issue"]["labels"]] == ["bug", "deployment"]

    pushed = push(gh)
    assert pushed["head_commit"]["id"] == sha("merge") and pushed["ref"] == "refs/heads/main"
    assert pushed["head_commit"]["message"].startswith("Merge pull request #")

    dispatched = event(gh, event="workflow_dispatch", inputs={"version": "3"})
    assert dispatched["inputs"] == {"version": "3"} and dispatched["repository"]["full_name"] == gh.repository
    assert event(gh, event="workflow_dispatch")["inputs"] is None


@pytest.mark.parametrize("body,problem", [
    ({"event": "deployment"}, "event must be one of"),
    ({"event": "pull_request", "action": "merged", "number": 1}, "action for pull_request"),
    ({"event": "issues", "action": "labeled", "number": 1, "label": "no-such-label"}, "label must name"),
    ({"event": "push", "after": "main"}, "after must be"),
    ({"event": "workflow_dispatch", "inputs": {"version": 3}}, "inputs must be"),
    ({"event": "workflow_dispatch", "sender": "stranger"}, "sender must be"),
])
def test_bad_event_requests_say_what_is_wrong(gh: Session, body: dict, problem: str) -> None:
    gh.new_issue()
    answer = gh.control("POST", f"/_sandbox{gh.repo}/events", body)
    assert answer.status == 400 and problem in answer.body["message"]
