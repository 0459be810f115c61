"""The control API under `/_sandbox/`: what tests do to the emulator that GitHub users do elsewhere
(push commits, open and merge pull requests, rename, transfer or fork repositories, set the
permissions of a workflow's GITHUB_TOKEN), plus inspection of the whole state.

Pushes and merges build each repository's commit graph: opening a pull request adds its head
commit on top of the base branch, pushing to it adds a child of the previous head, merging adds a
merge commit (or, squashed, a single commit) to the base branch.

No authentication. Errors use the same `{"message": ...}` shape as the REST API.
"""

from __future__ import annotations

import re
import secrets

from .errors import ApiError, not_found
from .history import ancestors
from .routing import Call, Reply, route
from .state import Issue, Pull, Repo, Store

SHA40 = re.compile(r"^[0-9a-f]{40}$")
REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
REPOSITORY = "/_sandbox/repos/<owner>/<name>"
PULLS = REPOSITORY + "/pulls"
# The permissions a workflow's `permissions:` block can give GITHUB_TOKEN (`pull-requests` there).
TOKEN_PERMISSIONS = ("actions", "attestations", "checks", "contents", "deployments", "discussions", "id_token",
                     "issues", "metadata", "models", "packages", "pages", "pull_requests", "security_events",
                     "statuses")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, documentation_url="sandbox/github_emulator/control.py")


def _sha(data: dict, field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not SHA40.match(value):
        raise bad_request(f"{field} must be a 40-character lower-case hex commit sha, got {value!r}")
    return value


def _known_commit(repo: Repo, sha: str, field: str) -> str:
    if sha not in repo.commits:
        raise bad_request(f"{field} {sha} is no commit of {repo.full_name}: push it first, or use one of its "
                          f"branch tips {dict(sorted(repo.branches.items()))}")
    return sha


def _other_repository(store: Store, full_name: object, field: str) -> Repo:
    if not isinstance(full_name, str) or not REPO_NAME.match(full_name):
        raise bad_request(f"{field} must look like owner/name, got {full_name!r}")
    found = store.repo(*full_name.split("/"))
    if found is None:
        raise bad_request(f"{field}: there is no repository {full_name}; create it first with POST /_sandbox/repos")
    return found


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
    """`{"full_name": "owner/name", "fork_of"?: "owner/name"}`: a new public repository with
    GitHub's default labels and one commit on `main`; with `fork_of`, a fork of that repository
    (its commits and default branch)."""
    data = call.json_object()
    full_name = data.get("full_name")
    if not isinstance(full_name, str) or not REPO_NAME.match(full_name):
        raise bad_request(f"full_name must look like owner/name, got {full_name!r}")
    parent = _other_repository(call.store, data["fork_of"], "fork_of") if data.get("fork_of") else None
    if call.store.repo(*full_name.split("/")) is not None:
        raise ApiError(422, f"repository {full_name} already exists")
    return Reply(201, call.render.full_repository(call.store.create_repo(full_name, parent), None))


@route("PATCH", REPOSITORY)
def update_repository(call: Call, owner: str, name: str) -> Reply:
    """`{"full_name"?, "default_branch"?, "fork_of"?}`: renames or transfers the repository (same
    id; the old name then redirects), makes another existing branch the default one, or marks it
    a fork of another repository (`null`: no fork). Everything is checked before anything changes."""
    repo = call.repo(owner, name)
    data = call.json_object()
    full_name = data.get("full_name", repo.full_name)
    if not isinstance(full_name, str) or not REPO_NAME.match(full_name):
        raise bad_request(f"full_name must look like owner/name, got {full_name!r}")
    taken = call.store.repo(*full_name.split("/"))
    if taken is not None and taken is not repo:
        raise ApiError(422, f"repository {full_name} already exists")
    default_branch = data.get("default_branch", repo.default_branch)
    if default_branch not in repo.branches:
        raise bad_request(f"default_branch must be one of the branches {sorted(repo.branches)}, got "
                          f"{default_branch!r}: push the branch first")
    parent_id = repo.parent_id
    if "fork_of" in data:
        parent = _other_repository(call.store, data["fork_of"], "fork_of") if data["fork_of"] is not None else None
        if parent is repo:
            raise bad_request("a repository cannot be a fork of itself")
        parent_id = parent.id if parent else None

    if full_name != repo.full_name:
        call.store.move_repo(repo, full_name)
    repo.default_branch, repo.parent_id = default_branch, parent_id
    return Reply(200, call.render.full_repository(repo, None))


@route("POST", REPOSITORY + "/push")
def push_commit(call: Call, owner: str, name: str) -> Reply:
    """`{"sha", "branch"?, "parents"?, "message"?, "author"?}`: pushes commit `sha` to `branch`
    (default: the default branch; a new name creates the branch). A new commit's parents default
    to the branch's tip (a new branch's: the default branch's tip); `[]` makes a root commit. A
    known commit just moves the branch there, as a (forced) push of it would."""
    repo = call.repo(owner, name)
    data = call.json_object()
    sha = _sha(data, "sha")
    branch = data.get("branch", repo.default_branch)
    if not isinstance(branch, str) or not branch or branch.startswith("refs/"):
        raise bad_request(f"branch must be a branch name such as main, got {branch!r}")
    before = repo.branches.get(branch)
    author = data.get("author", maintainer_login(call))
    if not isinstance(author, str) or not author:
        raise bad_request("author must be a login")
    if sha in repo.commits:
        if "parents" in data:
            raise bad_request(f"{sha} is already a commit of {repo.full_name}: its parents cannot change")
    else:
        parents = data.get("parents", [before or repo.branches[repo.default_branch]])
        if not isinstance(parents, list) or not all(isinstance(parent, str) for parent in parents):
            raise bad_request("parents must be a list of commit shas")
        for parent in parents:
            _known_commit(repo, parent, "parent")
        call.store.ensure_user(author)
        call.store.add_commit(repo, sha, parents, str(data.get("message", "A commit")), author)
    repo.branches[branch] = sha
    forced = before is not None and before not in ancestors(repo, sha)  # the old tip is no longer in the history
    return Reply(200, {"ref": f"refs/heads/{branch}", "before": before or "0" * 40, "after": sha,
                       "created": before is None, "forced": forced, "commit": call.render.commit(repo, repo.commits[sha])})


@route("POST", PULLS)
def open_pull_request(call: Call, owner: str, name: str) -> Reply:
    """Opens a pull request: `{head_sha, number?, title?, head_ref?, base_ref?, base_sha?, user?, fork?, body?, draft?}`.
    `user` defaults to the maintainer; an unknown login becomes a user with no role. The head
    commit, if new, is a child of `base_sha` (default: the tip of `base_ref`, default the default
    branch); unless the pull request comes from a fork, `head_ref` becomes a branch of the repository."""
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
    base_ref = data.get("base_ref", repo.default_branch)
    if base_ref not in repo.branches:
        raise bad_request(f"base_ref must be one of the branches {sorted(repo.branches)}, got {base_ref!r}")
    base_sha = _known_commit(repo, _sha(data, "base_sha"), "base_sha") if "base_sha" in data \
        else repo.branches[base_ref]
    fork = bool(data.get("fork", False))
    call.store.ensure_user(user)
    title = str(data.get("title", "A change"))
    issue = call.store.open_issue(repo, title, data.get("body"), user, number)
    head_ref = str(data.get("head_ref", f"change-{issue.number}"))
    call.store.commit_on(repo, head_sha, [base_sha], title, user)
    if not fork:
        repo.branches[head_ref] = head_sha
    issue.pull = Pull(
        head_sha=head_sha,
        head_ref=head_ref,
        base_ref=base_ref,
        base_sha=base_sha,
        fork=fork,
        draft=bool(data.get("draft", False)),
        # GitHub fills this in before merging too, with its test merge commit: only a merged
        # pull request's merge_commit_sha is on the base branch.
        merge_commit_sha=secrets.token_hex(20),
    )
    return Reply(201, call.render.pull(repo, issue))


@route("POST", PULLS + "/<int:number>/push")
def push_to_pull_request(call: Call, owner: str, name: str, number: int) -> Reply:
    """A new head commit on an open pull request: `{"head_sha"}`, a child of the previous head
    (or, if already known, that commit)."""
    repo, issue = _open_pull(call, owner, name, number)
    pull = issue.pull
    assert pull is not None
    head_sha = _sha(call.json_object(), "head_sha")
    call.store.commit_on(repo, head_sha, [pull.head_sha], issue.title, issue.author)
    pull.head_sha = head_sha
    if not pull.fork:
        repo.branches[pull.head_ref] = head_sha
    issue.touch()
    return Reply(200, call.render.pull(repo, issue))


@route("POST", PULLS + "/<int:number>/merge")
def merge_pull_request(call: Call, owner: str, name: str, number: int) -> Reply:
    """Merges an open pull request: `{"merge_commit_sha", "merged_by"?, "merge_method"?}`. The
    base branch moves to the new commit: a merge commit of its tip and the head (`merge`, the
    default) or one commit on its tip (`squash`)."""
    repo, issue = _open_pull(call, owner, name, number)
    pull = issue.pull
    assert pull is not None
    data = call.json_object()
    merge_sha = _sha(data, "merge_commit_sha")
    if merge_sha in repo.commits:
        raise bad_request(f"merge_commit_sha {merge_sha} is already a commit of {repo.full_name}; use a new sha")
    method = data.get("merge_method", "merge")
    if method not in ("merge", "squash"):
        raise bad_request(f"merge_method must be merge or squash, got {method!r}")
    merged_by = data.get("merged_by", maintainer_login(call))
    call.store.ensure_user(merged_by)
    base_tip = repo.branches[pull.base_ref]
    head_owner = issue.author if pull.fork else repo.owner
    if method == "merge":
        message = f"Merge pull request #{issue.number} from {head_owner}/{pull.head_ref}\n\n{issue.title}"
        call.store.add_commit(repo, merge_sha, [base_tip, pull.head_sha], message, merged_by)
    else:
        call.store.add_commit(repo, merge_sha, [base_tip], f"{issue.title} (#{issue.number})", issue.author)
    repo.branches[pull.base_ref] = merge_sha
    call.store.close(issue, merged_by, None, merge_commit=merge_sha)
    pull.merged = True
    pull.merged_at = issue.closed_at
    pull.merge_commit_sha = merge_sha
    pull.merged_by = merged_by
    return Reply(200, call.render.pull(repo, issue))


@route("POST", PULLS + "/<int:number>/close")
def close_pull_request(call: Call, owner: str, name: str, number: int) -> Reply:
    """Closes an open pull request without merging it."""
    repo, issue = _open_pull(call, owner, name, number)
    call.store.close(issue, maintainer_login(call), None)
    return Reply(200, call.render.pull(repo, issue))


@route("GET", "/_sandbox/token-permissions")
def get_token_permissions(call: Call) -> Reply:
    """`{"permissions": {...}}` of GITHUB_TOKEN (the `bot` identity), or null: every permission."""
    return Reply(200, {"permissions": call.store.token_permissions})


@route("POST", "/_sandbox/token-permissions")
def set_token_permissions(call: Call) -> Reply:
    """`{"permissions": {"deployments": "write", "pull-requests": "read", ...}}`, as a workflow's
    `permissions:` block: GITHUB_TOKEN gets exactly these; every other permission is none, except
    `metadata: read`, which every token has."""
    wanted = call.json_object().get("permissions")
    if not isinstance(wanted, dict):
        raise bad_request('permissions must be an object such as {"deployments": "write", "contents": "read"}')
    granted = {"metadata": "read"}
    for permission, level in wanted.items():
        key = str(permission).replace("-", "_")
        if key not in TOKEN_PERMISSIONS:
            raise bad_request(f"unknown permission {permission!r}; GITHUB_TOKEN has {list(TOKEN_PERMISSIONS)}")
        if level not in ("read", "write", "none"):
            raise bad_request(f"permission {permission} must be read, write or none, got {level!r}")
        granted[key] = level
    call.store.token_permissions = granted
    return Reply(200, {"permissions": granted})


@route("DELETE", "/_sandbox/token-permissions")
def reset_token_permissions(call: Call) -> Reply:
    """GITHUB_TOKEN may write everything again (the start state)."""
    call.store.token_permissions = None
    return Reply(204)


@route("GET", "/_sandbox/state")
def dump_state(call: Call) -> Reply:
    """Everything, as the REST API would render it, plus which repository each object is in."""
    render = call.render
    state: dict = {"repos": [], "issues": [], "pulls": [], "comments": [], "labels": {}, "deployments": [],
                   "statuses": [], "branches": {}}
    for repo in call.store.repos.values():
        where = {"repository": repo.full_name}
        state["repos"].append(render.full_repository(repo, None))
        state["labels"][repo.full_name] = [render.label(repo, label) for label in repo.labels.values()]
        state["branches"][repo.full_name] = dict(repo.branches)
        for issue in sorted(repo.issues.values(), key=lambda i: i.number):
            state["issues"].append({**render.issue(repo, issue), **where})
            if issue.pull:
                state["pulls"].append({**render.pull(repo, issue), **where})
        for comment in repo.comments.values():
            state["comments"].append(
                {**render.comment(repo, comment), **where, "issue_number": comment.issue_number}
            )
        for deployment in repo.deployments.values():
            statuses = [render.deployment_status(repo, status) for status in deployment.statuses]
            state["deployments"].append({**render.deployment(repo, deployment), **where, "statuses": statuses})
        state["statuses"].extend({**render.status(repo, status), "sha": status.sha, **where}
                                 for status in repo.statuses)
    return Reply(200, state)
