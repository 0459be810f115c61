"""Webhook event payloads, as GitHub Actions puts them at GITHUB_EVENT_PATH, built from the
emulator's state: `POST /_sandbox/repos/{o}/{r}/events` answers the payload and changes nothing.

So a test can open a pull request, label an issue or merge through the emulator and then hand a
workflow step the very event GitHub would have sent, instead of a hand-written one that drifts
from the state the step will read back. Shapes follow `../shared/test-vectors/github-webhooks/`.
"""

from __future__ import annotations

import calendar
import re
import time

from .control import SHA40, bad_request, maintainer_login
from .errors import not_found
from .render import Renderer
from .routing import Call, Reply, route
from .state import Issue, Repo

ACTIONS = {
    "pull_request": ("opened", "synchronize", "reopened", "closed", "edited", "labeled", "unlabeled"),
    "issues": ("opened", "edited", "closed", "reopened", "labeled", "unlabeled"),
}


def _epoch(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def _sender(call: Call, data: dict, default: str) -> dict:
    login = data.get("sender", default)
    if not isinstance(login, str) or call.store.user(login) is None:
        raise bad_request(f"sender must be the login of a known user, got {login!r}")
    return call.render.user(login)


def _issue_or_pull(call: Call, repo: Repo, data: dict, *, pull: bool) -> Issue:
    number = data.get("number")
    if not isinstance(number, int):
        raise bad_request("number must be the number of an issue or pull request")
    issue = call.issue(repo, number)
    if pull and issue.pull is None:
        raise not_found()
    return issue


def _label(call: Call, repo: Repo, data: dict) -> dict:
    name = data.get("label")
    label = repo.find_label(name) if isinstance(name, str) else None
    if label is None:
        raise bad_request(f"label must name a label of {repo.full_name}, got {name!r}")
    return call.render.label(repo, label)


def _last_labeller(issue: Issue, label_name: str, action: str, fallback: str) -> str:
    """Who GitHub would name as sender: the actor of the latest matching label event."""
    for event in reversed(issue.events):
        if event.event == action and event.label and event.label.name.lower() == label_name.lower():
            return event.actor
    return fallback


def pull_request_event(call: Call, repo: Repo, data: dict, action: str) -> dict:
    issue = _issue_or_pull(call, repo, data, pull=True)
    assert issue.pull is not None
    pull_request = call.render.pull(repo, issue)
    for side in ("head", "base"):  # webhook payloads carry custom properties where the REST answer has none
        pull_request[side]["repo"]["custom_properties"] = {}
    payload = {"action": action, "number": issue.number, "pull_request": pull_request}
    if action == "synchronize":
        before = data.get("before")
        if not isinstance(before, str) or not SHA40.match(before):
            raise bad_request("a synchronize event needs before: the previous head sha (40 hex)")
        payload.update(before=before, after=issue.pull.head_sha)
    if action in ("labeled", "unlabeled"):
        payload["label"] = _label(call, repo, data)
        default_sender = _last_labeller(issue, payload["label"]["name"], action, issue.author)
    else:
        default_sender = issue.closed_by if action == "closed" and issue.closed_by else issue.author
    payload.update(repository=call.render.repository(repo), installation=_installation(),
                   sender=_sender(call, data, default_sender))
    return payload


def issues_event(call: Call, repo: Repo, data: dict, action: str) -> dict:
    issue = _issue_or_pull(call, repo, data, pull=False)
    payload: dict = {"action": action, "issue": {**call.render.issue(repo, issue), "draft": False}}
    default_sender = issue.author
    if action in ("labeled", "unlabeled"):
        payload["label"] = _label(call, repo, data)
        default_sender = _last_labeller(issue, payload["label"]["name"], action, issue.author)
    elif action == "closed" and issue.closed_by:
        default_sender = issue.closed_by
    payload.update(repository=call.render.repository(repo), sender=_sender(call, data, default_sender))
    return payload


def push_event(call: Call, repo: Repo, data: dict) -> dict:
    after, before = data.get("after"), data.get("before", "0" * 40)
    for field, value in (("after", after), ("before", before)):
        if not isinstance(value, str) or not SHA40.match(value):
            raise bad_request(f"{field} must be a 40-character lower-case hex commit sha")
    ref = data.get("ref", "refs/heads/main")
    if not isinstance(ref, str) or not re.match(r"^refs/(heads|tags)/.+", ref):
        raise bad_request(f"ref must look like refs/heads/main, got {ref!r}")
    sender = _sender(call, data, maintainer_login(call))
    merged = next((i for i in repo.issues.values() if i.pull and i.pull.merge_commit_sha == after), None)
    pushed = repo.commits.get(after)
    message = data.get("message") or (
        f"Merge pull request #{merged.number} from {repo.owner}/{merged.pull.head_ref}" if merged and merged.pull
        else pushed.message if pushed else "A commit"
    )
    render: Renderer = call.render
    person = {"name": sender["login"], "email": f"{sender['id']}+{sender['login']}@users.noreply.github.com",
              "username": sender["login"]}
    commit = {
        "id": after, "tree_id": after[::-1], "distinct": True, "message": message,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "url": f"{render.html}/{repo.full_name}/commit/{after}",
        "author": person, "committer": person, "added": [], "removed": [], "modified": [],
    }
    repository = render.repository(repo)
    # Push events carry the repository's times as epoch seconds, plus two legacy fields.
    repository.update(created_at=_epoch(repo.created_at), pushed_at=int(time.time()),
                      stargazers=0, master_branch=repository["default_branch"])
    owner = repository["owner"]
    repository["owner"] = {"name": owner["login"], "email": f"{owner['id']}+{owner['login']}@users.noreply.github.com",
                           **owner}
    return {
        "ref": ref, "before": before, "after": after, "created": before == "0" * 40, "deleted": False,
        "forced": False, "base_ref": None,
        "compare": f"{render.html}/{repo.full_name}/compare/{before[:12]}...{after[:12]}",
        "commits": [commit], "head_commit": commit, "repository": repository,
        "pusher": {"name": person["name"], "email": person["email"]}, "sender": sender,
    }


def workflow_dispatch_event(call: Call, repo: Repo, data: dict) -> dict:
    inputs = data.get("inputs")
    if inputs is not None and (not isinstance(inputs, dict) or not all(isinstance(v, str) for v in inputs.values())):
        raise bad_request("inputs must be null or an object of strings (GitHub passes every input as a string)")
    owner = call.render.owner(repo.owner)
    payload = {
        "inputs": inputs,
        "ref": data.get("ref", "refs/heads/main"),
        "repository": call.render.repository(repo),
        "sender": _sender(call, data, maintainer_login(call)),
        "workflow": data.get("workflow", ".github/workflows/agentcore.yml"),
    }
    if owner["type"] == "Organization":
        org_api = f"{call.render.api}/orgs/{repo.owner}"
        payload["organization"] = {
            "login": owner["login"], "id": owner["id"], "node_id": owner["node_id"], "url": org_api,
            "repos_url": f"{org_api}/repos", "events_url": f"{org_api}/events", "hooks_url": f"{org_api}/hooks",
            "issues_url": f"{org_api}/issues", "members_url": f"{org_api}/members{{/member}}",
            "public_members_url": f"{org_api}/public_members{{/member}}", "avatar_url": owner["avatar_url"],
            "description": "",
        }
    return payload


def _installation() -> dict:
    return {"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}


@route("POST", "/_sandbox/repos/<owner>/<name>/events")
def render_event(call: Call, owner: str, name: str) -> Reply:
    """`{"event": "pull_request"|"issues"|"push"|"workflow_dispatch", "action"?, ...}`: the payload
    GitHub would deliver for that event now. See the README for each event's fields."""
    repo = call.repo(owner, name)
    data = call.json_object()
    event = data.get("event")
    if event in ACTIONS:
        action = data.get("action")
        if action not in ACTIONS[event]:
            raise bad_request(f"action for {event} must be one of {list(ACTIONS[event])}, got {action!r}")
        build = pull_request_event if event == "pull_request" else issues_event
        return Reply(200, build(call, repo, data, action))
    if event == "push":
        return Reply(200, push_event(call, repo, data))
    if event == "workflow_dispatch":
        return Reply(200, workflow_dispatch_event(call, repo, data))
    raise bad_request(f"event must be one of pull_request, issues, push, workflow_dispatch, got {event!r}")
