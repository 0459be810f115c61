"""The control API under `/_sandbox/`: what tests do to the emulator that GitHub users do elsewhere
(open and merge pull requests by pushing and clicking), plus inspection of the whole state.

No authentication. Errors use the same `{"message": ...}` shape as the REST API.
"""

from __future__ import annotations

import re
import secrets

from .errors import ApiError, not_found
from .routing import Call, Reply, route
from .state import Issue, Pull, Repo

SHA40 = re.compile(r"^[0-9a-f]{40}$")
REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
PULLS = "/_sandbox/repos/<owner>/<name>/pulls"


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, documentation_url="sandbox/github_emulator/control.py")


def _sha(data: dict, field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not SHA40.match(value):
        raise bad_request(f"{field} must be a 40-character lower-case hex commit sha, got {value!r}")
    return value


def _open_pull(call: Call, owner: str, name: str, number: int) -> tuple[Repo, Issue]:
    repo = call.repo(owner, name)
    issue = call.issue(repo, number)
    if issue.pull is None:
        raise not_found()
    if issue.state != "open":
        raise ApiError(422, f"pull request #{number} is not open (it is {issue.state})")
    return repo, issue


def maintainer_login(call: Call) -> str:
    return call.store.identities["maintainer"].login


@route("POST", "/_sandbox/repos")
def create_repository(call: Call) -> Reply:
    """`{"full_name": "owner/name"}`: a new public repository with GitHub's default labels."""
    full_name = call.json_object().get("full_name")
    if not isinstance(full_name, str) or not REPO_NAME.match(full_name):
        raise bad_request(f"full_name must look like owner/name, got {full_name!r}")
    if call.store.repo(*full_name.split("/")) is not None:
        raise ApiError(422, f"repository {full_name} already exists")
    return Reply(201, call.render.repository(call.store.create_repo(full_name)))


@route("POST", PULLS)
def open_pull_request(call: Call, owner: str, name: str) -> Reply:
    """Opens a pull request: `{head_sha, number?, title?, head_ref?, base_ref?, user?, fork?, body?, draft?}`.
    `user` defaults to the maintainer; an unknown login becomes a user with no role."""
    repo = call.repo(owner, name)
    data = call.json_object()
    head_sha = _sha(data, "head_sha")
    number = data.get("number")
    if number is not None:
        if not isinstance(number, int) or number < 1:
            raise bad_request("number must be a positive integer")
        if number in repo.issues:
            raise ApiError(422, f"#{number} already exists in {repo.full_name}")
    user = data.get("user", maintainer_login(call))
    if not isinstance(user, str) or not user:
        raise bad_request("user must be a login")
    call.store.ensure_user(user)
    body = data.get("body")
    issue = call.store.open_issue(repo, str(data.get("title", "A change")), body, user, number)
    issue.pull = Pull(
        head_sha=head_sha,
        head_ref=str(data.get("head_ref", f"change-{issue.number}")),
        base_ref=str(data.get("base_ref", "main")),
        base_sha=data.get("base_sha") or secrets.token_hex(20),
        fork=bool(data.get("fork", False)),
        draft=bool(data.get("draft", False)),
        # GitHub fills this in before merging too, with its test merge commit: only a merged
        # pull request's merge_commit_sha is on the base branch.
        merge_commit_sha=secrets.token_hex(20),
    )
    return Reply(201, call.render.pull(repo, issue))


@route("POST", PULLS + "/<int:number>/push")
def push_to_pull_request(call: Call, owner: str, name: str, number: int) -> Reply:
    """A new head commit on an open pull request: `{"head_sha"}`."""
    repo, issue = _open_pull(call, owner, name, number)
    assert issue.pull is not None
    issue.pull.head_sha = _sha(call.json_object(), "head_sha")
    issue.touch()
    return Reply(200, call.render.pull(repo, issue))


@route("POST", PULLS + "/<int:number>/merge")
def merge_pull_request(call: Call, owner: str, name: str, number: int) -> Reply:
    """Merges an open pull request: `{"merge_commit_sha", "merged_by"?}`."""
    repo, issue = _open_pull(call, owner, name, number)
    assert issue.pull is not None
    data = call.json_object()
    merge_sha = _sha(data, "merge_commit_sha")
    merged_by = data.get("merged_by", maintainer_login(call))
    call.store.ensure_user(merged_by)
    call.store.close(issue, merged_by, None, merge_commit=merge_sha)
    issue.pull.merged = True
    issue.pull.merged_at = issue.closed_at
    issue.pull.merge_commit_sha = merge_sha
    issue.pull.merged_by = merged_by
    return Reply(200, call.render.pull(repo, issue))


@route("POST", PULLS + "/<int:number>/close")
def close_pull_request(call: Call, owner: str, name: str, number: int) -> Reply:
    """Closes an open pull request without merging it."""
    repo, issue = _open_pull(call, owner, name, number)
    call.store.close(issue, maintainer_login(call), None)
    return Reply(200, call.render.pull(repo, issue))


@route("GET", "/_sandbox/state")
def dump_state(call: Call) -> Reply:
    """Everything, as the REST API would render it, plus which repository each object is in."""
    render = call.render
    state: dict = {"repos": [], "issues": [], "pulls": [], "comments": [], "labels": {}}
    for repo in call.store.repos.values():
        state["repos"].append(render.repository(repo))
        state["labels"][repo.full_name] = [render.label(repo, label) for label in repo.labels.values()]
        for issue in sorted(repo.issues.values(), key=lambda i: i.number):
            state["issues"].append({**render.issue(repo, issue), "repository": repo.full_name})
            if issue.pull:
                state["pulls"].append({**render.pull(repo, issue), "repository": repo.full_name})
        for comment in repo.comments.values():
            state["comments"].append(
                {**render.comment(repo, comment), "repository": repo.full_name, "issue_number": comment.issue_number}
            )
    return Reply(200, state)
