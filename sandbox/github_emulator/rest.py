"""GitHub's REST endpoints that agentcore-gitops uses, with GitHub's permission rules.

The emulated repositories are public: every valid token may read, comment and open issues.
Beyond that, as on GitHub:
- labels (adding, removing, setting) need the triage role. The dedicated label endpoints
  answer 403 to anyone less; labels given while creating or editing an issue are silently
  dropped instead, as GitHub's documentation says;
- closing or reopening needs triage, editing title or body needs write, except for the
  author of the issue; editing or deleting a comment needs write, except for its author;
- repository labels (create, edit, delete) need write;
- reading a user's permission needs write ("push access"); bots and apps are no users there.
GITHUB_TOKEN also needs the token permission each write endpoint declares (`writes=`).
"""

from __future__ import annotations

import re

from .errors import ApiError, check_body_length, missing_field, not_found, validation_failed
from .routing import Call, Reply, route
from .state import Issue, Label, Repo, now_iso

REPO = "/repos/<owner>/<name>"
HEX_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
SHA = re.compile(r"^[0-9a-f]{7,40}$")
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened")
# Issue endpoints take either permission: pull requests are issues too.
ISSUES_OR_PULLS = ("issues", "pull_requests")


# The caller and the repository


@route("GET", "/user", docs="users/users#get-the-authenticated-user")
def get_authenticated_user(call: Call) -> Reply:
    who = call.who
    assert who is not None
    if who.is_bot:
        # An installation token (GITHUB_TOKEN) is not a user: GitHub answers 403 here.
        raise ApiError(403, "Resource not accessible by integration")
    return Reply(200, {**call.render.identity(who), "name": who.login, "email": None})


@route("GET", REPO, docs="repos/repos#get-a-repository")
def get_repository(call: Call, owner: str, name: str) -> Reply:
    return Reply(200, call.render.full_repository(call.repo(owner, name), call.who))


@route("GET", REPO + "/collaborators/<user>/permission",
       docs="collaborators/collaborators#get-repository-permissions-for-a-user")
def get_permission(call: Call, owner: str, name: str, user: str) -> Reply:
    call.repo(owner, name)
    if not call.who or not call.who.has("write"):
        raise ApiError(403, "Must have push access to view repository collaborators.")
    subject = call.store.user(user)
    if subject is None:
        raise not_found()
    if subject.is_bot:
        # Bot accounts (GitHub Actions, apps) are not collaborators: GitHub answers 404 for them.
        raise ApiError(404, f"{subject.login} is not a user")
    body_user = {**call.render.identity(subject), "permissions": subject.permission_flags(),
                 "role_name": subject.role_name}
    return Reply(200, {"permission": subject.legacy_permission, "role_name": subject.role_name, "user": body_user})


# Issues


@route("GET", REPO + "/issues", docs="issues/issues#list-repository-issues")
def list_issues(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    args = call.request.args
    state = args.get("state", "open")
    wanted = [label.strip() for label in args.get("labels", "").split(",") if label.strip()]
    creator = args.get("creator")
    since = args.get("since")
    issues = [
        issue for issue in repo.issues.values()
        if (state == "all" or issue.state == state)
        and all(issue.has_label(label) for label in wanted)
        and (creator is None or issue.author.lower() == creator.lower())
        and (since is None or issue.updated_at >= since)
    ]
    key = (lambda i: (i.updated_at, i.number)) if args.get("sort") == "updated" else (lambda i: i.number)
    issues.sort(key=key, reverse=args.get("direction", "desc") != "asc")
    return call.paginate(repo, issues, call.render.issue)


@route("POST", REPO + "/issues", docs="issues/issues#create-an-issue", writes=("issues",))
def create_issue(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    data = call.json_object()
    title = data.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        raise missing_field("Issue", "title")
    if not isinstance(title, (str, int)):
        raise validation_failed("Issue", "title")
    body = _optional_text(data, "body", "Issue")
    labels = _label_names(data["labels"]) if "labels" in data else []
    assert call.who is not None
    issue = call.store.open_issue(repo, str(title), body, call.who.login)
    if call.who.has("triage"):
        call.store.set_labels(issue, [call.store.ensure_label(repo, label) for label in labels], call.who.login)
    rendered = call.render.issue(repo, issue)
    return Reply(201, rendered, {"location": rendered["url"]})


@route("GET", REPO + "/issues/<int:number>", docs="issues/issues#get-an-issue")
def get_issue(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    return Reply(200, call.render.issue(repo, call.issue(repo, number)))


@route("PATCH", REPO + "/issues/<int:number>", docs="issues/issues#update-an-issue", writes=ISSUES_OR_PULLS)
def update_issue(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    issue = call.issue(repo, number)
    data = call.json_object()
    who = call.who
    assert who is not None
    is_author = issue.author.lower() == who.login.lower()
    if ("title" in data or "body" in data) and not is_author:
        call.require("write")
    if ("state" in data or "state_reason" in data) and not is_author:
        call.require("triage")

    # Check everything before changing anything: a refused edit leaves the issue as it was.
    title = data.get("title", issue.title)
    if not isinstance(title, str) or not title.strip():
        raise validation_failed("Issue", "title")
    body = _optional_text(data, "body", "Issue") if "body" in data else issue.body
    labels = _label_names(data["labels"]) if "labels" in data else None
    state, reason = _wanted_state(issue, data)

    issue.title, issue.body = title, body
    if state == "closed" and (issue.state == "open" or "state_reason" in data):
        call.store.close(issue, who.login, reason or "completed")
    elif state == "open" and issue.state == "closed":
        call.store.reopen(issue, who.login)
    if labels is not None and who.has("triage"):
        call.store.set_labels(issue, [call.store.ensure_label(repo, label) for label in labels], who.login)
    issue.touch()
    return Reply(200, call.render.issue(repo, issue))


def _wanted_state(issue: Issue, data: dict) -> tuple[str, str | None]:
    state = data.get("state", issue.state)
    reason = data.get("state_reason")
    if state not in ("open", "closed"):
        raise validation_failed("Issue", "state")
    if reason is not None and reason not in STATE_REASONS:
        raise validation_failed("Issue", "state_reason")
    if issue.pull and state == "closed" and reason not in (None, "completed"):
        raise validation_failed("PullRequest", "state_reason")
    if issue.pull and issue.pull.merged and state == "open":
        raise validation_failed("PullRequest", "state", "custom", "state cannot be changed. The pull request is merged.")
    return state, reason


# Comments


@route("GET", REPO + "/issues/<int:number>/comments", docs="issues/comments#list-issue-comments")
def list_comments(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    call.issue(repo, number)
    since = call.request.args.get("since")
    comments = [c for c in repo.comments_on(number) if since is None or c.updated_at >= since]
    return call.paginate(repo, comments, call.render.comment)


@route("POST", REPO + "/issues/<int:number>/comments", docs="issues/comments#create-an-issue-comment",
       writes=ISSUES_OR_PULLS)
def create_comment(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    issue = call.issue(repo, number)
    body = _required_text(call.json_object(), "body", "IssueComment")
    assert call.who is not None
    comment = call.store.add_comment(repo, issue, call.who.login, body)
    rendered = call.render.comment(repo, comment)
    return Reply(201, rendered, {"location": rendered["url"]})


def _comment(call: Call, repo: Repo, comment_id: int):
    comment = repo.comments.get(comment_id)
    if comment is None:
        raise not_found()
    return comment


def _comment_to_change(call: Call, repo: Repo, comment_id: int):
    """The comment, if the caller may edit or delete it: its author may, others need write access."""
    comment = _comment(call, repo, comment_id)
    assert call.who is not None
    if comment.author.lower() != call.who.login.lower():
        call.require("write")
    return comment


@route("GET", REPO + "/issues/comments/<int:comment_id>", docs="issues/comments#get-an-issue-comment")
def get_comment(call: Call, owner: str, name: str, comment_id: int) -> Reply:
    repo = call.repo(owner, name)
    return Reply(200, call.render.comment(repo, _comment(call, repo, comment_id)))


@route("PATCH", REPO + "/issues/comments/<int:comment_id>", docs="issues/comments#update-an-issue-comment",
       writes=ISSUES_OR_PULLS)
def update_comment(call: Call, owner: str, name: str, comment_id: int) -> Reply:
    repo = call.repo(owner, name)
    comment = _comment_to_change(call, repo, comment_id)
    comment.body = _required_text(call.json_object(), "body", "IssueComment")
    comment.updated_at = repo.issues[comment.issue_number].updated_at = now_iso()
    return Reply(200, call.render.comment(repo, comment))


@route("DELETE", REPO + "/issues/comments/<int:comment_id>", docs="issues/comments#delete-an-issue-comment",
       writes=ISSUES_OR_PULLS)
def delete_comment(call: Call, owner: str, name: str, comment_id: int) -> Reply:
    repo = call.repo(owner, name)
    comment = _comment_to_change(call, repo, comment_id)
    del repo.comments[comment_id]
    return Reply(204)


@route("GET", REPO + "/issues/<int:number>/events", docs="issues/events#list-issue-events")
def list_issue_events(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    return call.paginate(repo, call.issue(repo, number).events, call.render.event)


# Labels on an issue


@route("GET", REPO + "/issues/<int:number>/labels", docs="issues/labels#list-labels-for-an-issue")
def list_issue_labels(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    return call.paginate(repo, call.issue(repo, number).labels, call.render.label)


@route("POST", REPO + "/issues/<int:number>/labels", docs="issues/labels#add-labels-to-an-issue",
       writes=ISSUES_OR_PULLS)
def add_issue_labels(call: Call, owner: str, name: str, number: int) -> Reply:
    return _write_issue_labels(call, owner, name, number, replace=False)


@route("PUT", REPO + "/issues/<int:number>/labels", docs="issues/labels#set-labels-for-an-issue",
       writes=ISSUES_OR_PULLS)
def set_issue_labels(call: Call, owner: str, name: str, number: int) -> Reply:
    return _write_issue_labels(call, owner, name, number, replace=True)


def _write_issue_labels(call: Call, owner: str, name: str, number: int, *, replace: bool) -> Reply:
    repo = call.repo(owner, name)
    issue = call.issue(repo, number)
    who = call.require("triage")
    data = call.json()
    names = _label_names(data.get("labels") if isinstance(data, dict) else data)
    added = [call.store.ensure_label(repo, label) for label in names]
    call.store.set_labels(issue, added if replace else issue.labels + added, who.login)
    return Reply(200, [call.render.label(repo, label) for label in issue.labels])


@route("DELETE", REPO + "/issues/<int:number>/labels/<path:label>", docs="issues/labels#remove-a-label-from-an-issue",
       writes=ISSUES_OR_PULLS)
def remove_issue_label(call: Call, owner: str, name: str, number: int, label: str) -> Reply:
    repo = call.repo(owner, name)
    issue = call.issue(repo, number)
    who = call.require("triage")
    if not issue.has_label(label):
        raise ApiError(404, "Label does not exist")
    kept = [kept for kept in issue.labels if kept.name.lower() != label.lower()]
    call.store.set_labels(issue, kept, who.login)
    return Reply(200, [call.render.label(repo, kept) for kept in issue.labels])


@route("DELETE", REPO + "/issues/<int:number>/labels", docs="issues/labels#remove-all-labels-from-an-issue",
       writes=ISSUES_OR_PULLS)
def remove_all_issue_labels(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    issue = call.issue(repo, number)
    call.store.set_labels(issue, [], call.require("triage").login)
    return Reply(204)


# Repository labels


@route("GET", REPO + "/labels", docs="issues/labels#list-labels-for-a-repository")
def list_labels(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    return call.paginate(repo, list(repo.labels.values()), call.render.label)


@route("POST", REPO + "/labels", docs="issues/labels#create-a-label", writes=ISSUES_OR_PULLS)
def create_label(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    call.require("write")
    data = call.json_object()
    label_name = data.get("name")
    if not isinstance(label_name, str) or not label_name.strip():
        raise missing_field("Label", "name")
    color = _label_color(data.get("color", "ededed"))
    description = _label_description(data.get("description"))
    if repo.find_label(label_name):
        raise validation_failed("Label", "name", "already_exists")
    label = call.store.add_label(repo, label_name, color, description)
    rendered = call.render.label(repo, label)
    return Reply(201, rendered, {"location": rendered["url"]})


def _repo_label(repo: Repo, label_name: str) -> Label:
    label = repo.find_label(label_name)
    if label is None:
        raise not_found()
    return label


@route("GET", REPO + "/labels/<path:label>", docs="issues/labels#get-a-label")
def get_label(call: Call, owner: str, name: str, label: str) -> Reply:
    repo = call.repo(owner, name)
    return Reply(200, call.render.label(repo, _repo_label(repo, label)))


@route("PATCH", REPO + "/labels/<path:label>", docs="issues/labels#update-a-label", writes=ISSUES_OR_PULLS)
def update_label(call: Call, owner: str, name: str, label: str) -> Reply:
    repo = call.repo(owner, name)
    found = _repo_label(repo, label)
    call.require("write")
    data = call.json_object()
    new_name = data.get("new_name")
    if new_name is not None:
        if not isinstance(new_name, str) or not new_name.strip():
            raise validation_failed("Label", "name")
        clash = repo.find_label(new_name)
        if clash is not None and clash is not found:
            raise validation_failed("Label", "name", "already_exists")
    color = _label_color(data["color"]) if "color" in data else found.color
    description = _label_description(data["description"]) if "description" in data else found.description
    if new_name is not None:
        call.store.rename_label(repo, found, new_name)
    found.color, found.description = color, description
    return Reply(200, call.render.label(repo, found))


@route("DELETE", REPO + "/labels/<path:label>", docs="issues/labels#delete-a-label", writes=ISSUES_OR_PULLS)
def delete_label(call: Call, owner: str, name: str, label: str) -> Reply:
    repo = call.repo(owner, name)
    found = _repo_label(repo, label)
    call.require("write")
    call.store.delete_label(repo, found)
    return Reply(204)


# Pull requests


@route("GET", REPO + "/pulls", docs="pulls/pulls#list-pull-requests")
def list_pulls(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    args = call.request.args
    state = args.get("state", "open")
    head = args.get("head")
    pulls = [
        issue for issue in repo.issues.values()
        if issue.pull
        and (state == "all" or issue.state == state)
        and (args.get("base") is None or issue.pull.base_ref == args.get("base"))
        and (head is None or head.split(":")[-1] == issue.pull.head_ref)
    ]
    pulls.sort(key=lambda i: i.number, reverse=args.get("direction", "desc") != "asc")
    return call.paginate(repo, pulls, call.render.simple_pull)


@route("GET", REPO + "/pulls/<int:number>", docs="pulls/pulls#get-a-pull-request")
def get_pull(call: Call, owner: str, name: str, number: int) -> Reply:
    repo = call.repo(owner, name)
    issue = call.issue(repo, number)
    if issue.pull is None:
        raise not_found()
    return Reply(200, call.render.pull(repo, issue))


@route("GET", REPO + "/commits/<sha>/pulls",
       docs="commits/commits#list-pull-requests-associated-with-a-commit")
def list_pulls_for_commit(call: Call, owner: str, name: str, sha: str) -> Reply:
    repo = call.repo(owner, name)
    if not SHA.match(sha):
        raise ApiError(422, f"No commit found for SHA: {sha}")

    def made(issue: Issue) -> bool:
        pull = issue.pull
        return pull is not None and (
            pull.head_sha.startswith(sha) or (pull.merged and (pull.merge_commit_sha or "").startswith(sha))
        )

    pulls = sorted((issue for issue in repo.issues.values() if made(issue)), key=lambda i: i.number)
    return call.paginate(repo, pulls, call.render.simple_pull)


# Input checks shared by the handlers above


def _optional_text(data: dict, field: str, resource: str) -> str | None:
    value = data.get(field)
    if value is not None and not isinstance(value, str):
        raise validation_failed(resource, field)
    check_body_length(resource, field, value)
    return value


def _required_text(data: dict, field: str, resource: str) -> str:
    value = _optional_text(data, field, resource)
    if value is None or value == "":
        raise missing_field(resource, field)
    return value


def _label_names(raw: object) -> list[str]:
    """Labels as GitHub accepts them: names, or objects with a `name`."""
    if not isinstance(raw, list):
        raise validation_failed("Label", "labels")
    names = []
    for item in raw:
        label = item.get("name") if isinstance(item, dict) else item
        if not isinstance(label, str) or not label.strip():
            raise validation_failed("Label", "name")
        names.append(label)
    return names


def _label_color(color: object) -> str:
    if not isinstance(color, str) or not HEX_COLOR.match(color.removeprefix("#")):
        raise validation_failed("Label", "color")
    return color.removeprefix("#")


def _label_description(description: object) -> str | None:
    if description is not None and (not isinstance(description, str) or len(description) > 100):
        raise validation_failed("Label", "description")
    return description

