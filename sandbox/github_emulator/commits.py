"""Commits, branches, references, comparisons and commit statuses, as GitHub serves them.

Reading needs no permission (the repositories are public); reporting a commit status needs the
write role and, for GITHUB_TOKEN, `statuses: write`. A status's `state` is one of error, failure,
pending, success; the combined status of a commit is `failure` if the latest status of any
context is error or failure, `pending` if there is none or one is pending, else `success`.
"""

from __future__ import annotations

from .errors import ApiError, check_description_length, not_found, required_state, validation_failed
from .history import compare
from .routing import Call, Reply, route
from .state import Commit, CommitStatus, Repo

REPO = "/repos/<owner>/<name>"
STATUS_STATES = ("error", "failure", "pending", "success")
MAX_STATUSES_PER_CONTEXT = 1000
MAX_COMPARED_COMMITS = 250  # without page parameters, a comparison lists at most this many commits


def no_commit(ref: str) -> ApiError:
    return ApiError(422, f"No commit found for SHA: {ref}")


# Commits, branches and references


@route("GET", REPO + "/commits/<path:ref>", docs="commits/commits#get-a-commit")
def get_commit(call: Call, owner: str, name: str, ref: str) -> Reply:
    repo = call.repo(owner, name)
    commit = repo.resolve(ref)
    if commit is None:
        raise no_commit(ref)
    return Reply(200, call.render.commit(repo, commit))


@route("GET", REPO + "/branches", docs="branches/branches#list-branches")
def list_branches(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    return call.paginate(repo, sorted(repo.branches), call.render.short_branch)


@route("GET", REPO + "/branches/<path:branch>", docs="branches/branches#get-a-branch")
def get_branch(call: Call, owner: str, name: str, branch: str) -> Reply:
    repo = call.repo(owner, name)
    if branch not in repo.branches:
        raise ApiError(404, "Branch not found")
    return Reply(200, call.render.branch(repo, branch))


@route("GET", REPO + "/git/ref/<path:ref>", docs="git/refs#get-a-reference")
def get_reference(call: Call, owner: str, name: str, ref: str) -> Reply:
    """`heads/<branch>`; the emulator has no tags."""
    repo = call.repo(owner, name)
    branch = ref.removeprefix("heads/")
    if not ref.startswith("heads/") or branch not in repo.branches:
        raise not_found()
    return Reply(200, call.render.git_ref(repo, branch))


@route("GET", REPO + "/compare/<path:basehead>", docs="commits/commits#compare-two-commits")
def compare_commits(call: Call, owner: str, name: str, basehead: str) -> Reply:
    """`BASE...HEAD`, each a branch, a sha or `owner:branch` of this repository. `status` says
    how HEAD relates to BASE; `commits` are those HEAD has and BASE lacks, oldest first."""
    repo = call.repo(owner, name)
    base_ref, separator, head_ref = basehead.partition("...")
    if not separator:
        raise not_found()
    base, head = _compared(repo, base_ref), _compared(repo, head_ref)
    found = compare(repo, base.sha, head.sha)
    if found.merge_base is None:
        raise ApiError(404, f"No common ancestor between {base_ref} and {head_ref}.")
    args = call.request.args
    if "page" in args or "per_page" in args:
        commits, headers = call.page(repo, found.ahead)
    else:
        commits, headers = found.ahead[:MAX_COMPARED_COMMITS], {}
    return Reply(200, call.render.comparison(repo, base, head, found, commits), headers)


def _compared(repo: Repo, ref: str) -> Commit:
    owner, colon, branch = ref.rpartition(":")
    if colon and owner.lower() != repo.owner.lower():
        raise not_found()  # another repository's branch: the emulator compares within one repository
    commit = repo.resolve(branch)
    if commit is None:
        raise not_found()
    return commit


# Commit statuses


@route("POST", REPO + "/statuses/<sha>", docs="commits/statuses#create-a-commit-status", writes=("statuses",))
def create_status(call: Call, owner: str, name: str, sha: str) -> Reply:
    repo = call.repo(owner, name)
    who = call.require("write")
    data = call.json_object()
    state = required_state(data, "Status", STATUS_STATES)
    context = data.get("context", "default")
    if not isinstance(context, str) or not context.strip():
        raise validation_failed("Status", "context")
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise validation_failed("Status", "description")
    check_description_length("Status", description)
    target_url = data.get("target_url")
    if target_url is not None and not isinstance(target_url, str):
        raise validation_failed("Status", "target_url")
    commit = repo.commits.get(sha.lower())
    if commit is None:
        raise no_commit(sha)
    if sum(1 for s in repo.statuses if s.sha == commit.sha and s.context == context) >= MAX_STATUSES_PER_CONTEXT:
        raise validation_failed("Status", "context", "custom",
                                "This SHA and context has reached the maximum number of statuses.")
    status = call.store.add_status(repo, commit.sha, state, context, description, target_url or None, who.login)
    rendered = call.render.status(repo, status)
    return Reply(201, rendered, {"location": rendered["url"]})


@route("GET", REPO + "/commits/<path:ref>/statuses",
       docs="commits/statuses#list-commit-statuses-for-a-reference")
def list_statuses(call: Call, owner: str, name: str, ref: str) -> Reply:
    """Newest first. A ref that names no commit has no statuses."""
    return _statuses_of(call, owner, name, ref)


@route("GET", REPO + "/statuses/<path:ref>", docs="commits/statuses#list-commit-statuses-for-a-reference")
def list_statuses_legacy_route(call: Call, owner: str, name: str, ref: str) -> Reply:
    """The older address of the same list, which GitHub still serves (PyGithub uses it)."""
    return _statuses_of(call, owner, name, ref)


def _statuses_of(call: Call, owner: str, name: str, ref: str) -> Reply:
    repo = call.repo(owner, name)
    commit = repo.resolve(ref)
    statuses = [s for s in reversed(repo.statuses) if commit is not None and s.sha == commit.sha]
    return call.paginate(repo, statuses, call.render.status)


@route("GET", REPO + "/commits/<path:ref>/status",
       docs="commits/statuses#get-the-combined-status-for-a-specific-reference")
def get_combined_status(call: Call, owner: str, name: str, ref: str) -> Reply:
    repo = call.repo(owner, name)
    commit = repo.resolve(ref)
    if commit is None:
        raise not_found()
    latest = latest_statuses(repo, commit.sha)
    shown, headers = call.page(repo, latest)
    return Reply(200, call.render.combined_status(repo, commit.sha, combined_state(latest), shown), headers)


def latest_statuses(repo: Repo, sha: str) -> list[CommitStatus]:
    """The newest status of each context reported on `sha`, newest first."""
    latest: dict[str, CommitStatus] = {}
    for status in reversed(repo.statuses):
        if status.sha == sha:
            latest.setdefault(status.context, status)
    return list(latest.values())


def combined_state(latest: list[CommitStatus]) -> str:
    states = {status.state for status in latest}
    if states & {"error", "failure"}:
        return "failure"
    if not states or "pending" in states:
        return "pending"
    return "success"
