"""The emulator's in-memory GitHub: repositories, their labels, issues, pull requests and comments.

Plain data and the operations on it; nothing here knows about HTTP or JSON. Callers hold
`Store.lock` around every use, so each REST call sees and leaves a consistent state.

As on GitHub, issues and pull requests of one repository share one number sequence, and a pull
request *is* an issue (it has a title, labels and comments) with pull-request details attached.
Each repository has a commit graph (commits know their parents; branches point at commits), the
commit statuses reported on its commits, and its deployments with their statuses and environments.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .identities import Identity

# The labels GitHub gives every new repository.
DEFAULT_LABELS = [
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
]
AUTO_LABEL_COLOR = "ededed"


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def derived_sha(*words: str) -> str:
    """A stable commit sha for commits the emulator makes itself (initial commits, auto-merges)."""
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


@dataclass
class Label:
    id: int
    name: str
    color: str
    description: str | None = None
    default: bool = False


@dataclass
class Pull:
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    fork: bool = False
    draft: bool = False
    merged: bool = False
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    merged_by: str | None = None


@dataclass
class Event:
    """An entry of an issue's event list: who labelled, unlabelled, closed, reopened or merged it."""

    id: int
    event: str
    actor: str
    created_at: str
    label: Label | None = None
    commit_id: str | None = None


@dataclass
class Issue:
    id: int
    number: int
    title: str
    body: str | None
    author: str
    created_at: str
    updated_at: str
    labels: list[Label] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    closed_at: str | None = None
    closed_by: str | None = None
    pull: Pull | None = None
    events: list[Event] = field(default_factory=list)

    def has_label(self, name: str) -> bool:
        return any(label.name.lower() == name.lower() for label in self.labels)

    def touch(self) -> None:
        self.updated_at = now_iso()


@dataclass
class Comment:
    id: int
    issue_number: int
    author: str
    body: str
    created_at: str
    updated_at: str


@dataclass
class Commit:
    sha: str
    parents: list[str]
    message: str
    author: str  # login
    created_at: str


@dataclass
class CommitStatus:
    """A status reported on a commit (`POST /statuses/{sha}`)."""

    id: int
    sha: str
    state: str  # error | failure | pending | success
    context: str
    description: str | None
    target_url: str | None
    creator: str
    created_at: str


@dataclass
class DeploymentStatus:
    id: int
    deployment_id: int
    state: str  # error | failure | inactive | in_progress | queued | pending | success
    creator: str
    description: str
    environment: str
    log_url: str
    environment_url: str
    created_at: str


@dataclass
class Deployment:
    id: int
    sha: str
    ref: str
    task: str
    payload: object  # an object or a string, as given
    environment: str
    original_environment: str
    description: str
    creator: str
    created_at: str
    updated_at: str
    transient_environment: bool
    production_environment: bool
    statuses: list[DeploymentStatus] = field(default_factory=list)  # oldest first

    @property
    def state(self) -> str | None:
        """The state of the latest status; None before the first one."""
        return self.statuses[-1].state if self.statuses else None


@dataclass
class Environment:
    id: int
    name: str
    created_at: str
    updated_at: str


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    created_at: str
    labels: dict[str, Label] = field(default_factory=dict)  # keyed by lower-case name
    issues: dict[int, Issue] = field(default_factory=dict)  # issues and pull requests by number
    comments: dict[int, Comment] = field(default_factory=dict)  # by comment id, in creation order
    last_number: int = 0
    default_branch: str = "main"
    parent_id: int | None = None  # the repository this one is a fork of
    commits: dict[str, Commit] = field(default_factory=dict)  # by full sha
    branches: dict[str, str] = field(default_factory=dict)  # branch name -> sha of its tip
    statuses: list[CommitStatus] = field(default_factory=list)  # oldest first
    deployments: dict[int, Deployment] = field(default_factory=dict)  # by id, oldest first
    environments: dict[str, Environment] = field(default_factory=dict)  # keyed by lower-case name

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def fork(self) -> bool:
        return self.parent_id is not None

    def resolve(self, ref: str) -> Commit | None:
        """The commit a branch name (`main`, `refs/heads/main`) or a full or abbreviated sha names."""
        branch = ref.removeprefix("refs/heads/")
        if branch in self.branches:
            return self.commits[self.branches[branch]]
        if ref in self.commits:
            return self.commits[ref]
        if 7 <= len(ref) < 40:
            found = [commit for sha, commit in self.commits.items() if sha.startswith(ref.lower())]
            if len(found) == 1:
                return found[0]
        return None

    def find_label(self, name: str) -> Label | None:
        """GitHub matches label names without regard to case."""
        return self.labels.get(name.lower())

    def comments_on(self, number: int) -> list[Comment]:
        return [comment for comment in self.comments.values() if comment.issue_number == number]


class Store:
    """All repositories and users of one emulator, plus the id sequences GitHub keeps globally."""

    def __init__(self, identities: dict[str, Identity], repository: str) -> None:
        self.lock = threading.RLock()
        self.identities = identities
        self.default_repository = repository
        self.reset()

    def reset(self) -> None:
        with self.lock:
            # Separate id ranges per kind make a client that confuses an issue id with a
            # comment id (or an id with a number) fail loudly instead of by luck.
            self._repo_ids = itertools.count(700_000_001)
            self._fork_ids = itertools.count(800_000_001)
            self._issue_ids = itertools.count(2_100_000_001)
            self._comment_ids = itertools.count(3_100_000_001)
            self._label_ids = itertools.count(5_100_000_001)
            self._event_ids = itertools.count(6_100_000_001)
            self._status_ids = itertools.count(7_100_000_001)
            self._deployment_ids = itertools.count(1_100_000_001)
            self._deployment_status_ids = itertools.count(1_600_000_001)
            self._environment_ids = itertools.count(4_100_000_001)
            self._user_ids = itertools.count(20_000_001)
            self._org_ids = itertools.count(9_000_001)
            self.users: dict[str, Identity] = {i.login.lower(): i for i in self.identities.values()}
            self.org_ids: dict[str, int] = {}  # organisation login (lower case) -> id
            self.fork_ids: dict[tuple[int, str], int] = {}  # (repository id, forker login) -> fork's id
            self.repos: dict[str, Repo] = {}
            self.moved: dict[str, int] = {}  # old full name (lower case) -> repository id, after renames
            # What GITHUB_TOKEN may write ({"deployments": "write", ...}); None: everything.
            self.token_permissions: dict[str, str] | None = None
            self.create_repo(self.default_repository)

    # Users

    def user(self, login: str) -> Identity | None:
        return self.users.get(login.lower())

    def ensure_user(self, login: str) -> Identity:
        """A user named by the control API (say, a pull request's author) that the emulator
        has not met yet: a real account with no role on the repositories."""
        known = self.user(login)
        if known is not None:
            return known
        created = Identity(key=login, login=login, id=next(self._user_ids))
        self.users[login.lower()] = created
        return created

    def user_by_token(self, token: str) -> Identity | None:
        return next((i for i in self.identities.values() if i.token == token), None)

    def owner_id(self, login: str) -> int:
        """A known user's id, else the stable id of the organisation of that name."""
        known = self.user(login)
        if known is not None:
            return known.id
        return self.org_ids.setdefault(login.lower(), next(self._org_ids))

    # Repositories

    def create_repo(self, full_name: str, parent: Repo | None = None) -> Repo:
        """A public repository with GitHub's default labels and one commit on `main`; with a
        `parent`, a fork of it, holding the parent's commits and default branch."""
        owner, name = full_name.split("/", 1)
        repo = Repo(id=next(self._repo_ids), owner=owner, name=name, created_at=now_iso())
        self.owner_id(owner)
        for label_name, color, description in DEFAULT_LABELS:
            self.add_label(repo, label_name, color, description, default=True)
        if parent is not None:
            repo.parent_id = parent.id
            repo.commits = dict(parent.commits)
            repo.default_branch = parent.default_branch
            repo.branches = {parent.default_branch: parent.branches[parent.default_branch]}
        else:
            first = self.add_commit(repo, derived_sha("initial commit of", full_name), [], "Initial commit", owner)
            repo.branches[repo.default_branch] = first.sha
        self.repos[full_name.lower()] = repo
        self.moved.pop(full_name.lower(), None)  # a new repository takes over an old name
        return repo

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def repo_by_id(self, repo_id: int) -> Repo | None:
        return next((r for r in self.repos.values() if r.id == repo_id), None)

    def moved_repo(self, owner: str, name: str) -> Repo | None:
        """The repository that was called `owner/name` before a rename or transfer."""
        repo_id = self.moved.get(f"{owner}/{name}".lower())
        return self.repo_by_id(repo_id) if repo_id is not None else None

    def move_repo(self, repo: Repo, full_name: str) -> None:
        """Renames or transfers `repo`: same id, new name; the old name keeps pointing at it."""
        old = repo.full_name.lower()
        del self.repos[old]
        repo.owner, repo.name = full_name.split("/", 1)
        self.owner_id(repo.owner)
        self.repos[full_name.lower()] = repo
        self.moved.pop(full_name.lower(), None)
        self.moved[old] = repo.id

    def fork_id(self, repo: Repo, forker: str) -> int:
        """The id of `forker`'s fork of `repo`, the head repository of their pull requests."""
        return self.fork_ids.setdefault((repo.id, forker.lower()), next(self._fork_ids))

    # Commits and branches

    def add_commit(self, repo: Repo, sha: str, parents: list[str], message: str, author: str) -> Commit:
        commit = Commit(sha, parents, message, author, now_iso())
        repo.commits[sha] = commit
        return commit

    def commit_on(self, repo: Repo, sha: str, parents: list[str], message: str, author: str) -> Commit:
        """The commit `sha`: the known one, else a new one with these parents."""
        return repo.commits.get(sha) or self.add_commit(repo, sha, parents, message, author)

    # Commit statuses, deployments and environments

    def add_status(self, repo: Repo, sha: str, state: str, context: str, description: str | None,
                   target_url: str | None, creator: str) -> CommitStatus:
        status = CommitStatus(next(self._status_ids), sha, state, context, description, target_url, creator, now_iso())
        repo.statuses.append(status)
        return status

    def ensure_environment(self, repo: Repo, name: str) -> Environment:
        """Deploying to an environment that does not exist yet creates it, as on GitHub."""
        found = repo.environments.get(name.lower())
        if found is None:
            stamp = now_iso()
            found = repo.environments[name.lower()] = Environment(next(self._environment_ids), name, stamp, stamp)
        return found

    def create_deployment(self, repo: Repo, **fields) -> Deployment:
        stamp = now_iso()
        deployment = Deployment(id=next(self._deployment_ids), created_at=stamp, updated_at=stamp, **fields)
        repo.deployments[deployment.id] = deployment
        self.ensure_environment(repo, deployment.environment)
        return deployment

    def add_deployment_status(self, repo: Repo, deployment: Deployment, state: str, creator: str, *,
                              description: str = "", environment: str | None = None, log_url: str = "",
                              environment_url: str = "") -> DeploymentStatus:
        if environment:
            deployment.environment = environment
            self.ensure_environment(repo, environment)
        stamp = now_iso()
        status = DeploymentStatus(next(self._deployment_status_ids), deployment.id, state, creator, description,
                                  deployment.environment, log_url, environment_url, stamp)
        deployment.statuses.append(status)
        deployment.updated_at = stamp
        return status

    # Labels

    def add_label(self, repo: Repo, name: str, color: str, description: str | None, default: bool = False) -> Label:
        label = Label(next(self._label_ids), name, color, description, default)
        repo.labels[name.lower()] = label
        return label

    def ensure_label(self, repo: Repo, name: str) -> Label:
        """Adding an unknown label to an issue creates it, grey, as GitHub does."""
        return repo.find_label(name) or self.add_label(repo, name, AUTO_LABEL_COLOR, None)

    def rename_label(self, repo: Repo, label: Label, new_name: str) -> None:
        del repo.labels[label.name.lower()]
        label.name = new_name
        repo.labels[new_name.lower()] = label

    def delete_label(self, repo: Repo, label: Label) -> None:
        del repo.labels[label.name.lower()]
        for issue in repo.issues.values():
            issue.labels = [kept for kept in issue.labels if kept.id != label.id]

    def set_labels(self, issue: Issue, labels: list[Label], actor: str) -> None:
        """Gives the issue exactly `labels` (first of each kept), recording what changed."""
        unique: list[Label] = []
        for label in labels:
            if all(label.id != kept.id for kept in unique):
                unique.append(label)
        for label in issue.labels:
            if label not in unique:
                self._record(issue, "unlabeled", actor, label=label)
        for label in unique:
            if label not in issue.labels:
                self._record(issue, "labeled", actor, label=label)
        if unique != issue.labels:
            issue.labels = unique
            issue.touch()

    # Issues, pull requests and comments

    def open_issue(self, repo: Repo, title: str, body: str | None, author: str, number: int | None = None) -> Issue:
        if number is None:
            number = repo.last_number + 1
        repo.last_number = max(repo.last_number, number)
        stamp = now_iso()
        issue = Issue(next(self._issue_ids), number, title, body, author, stamp, stamp)
        repo.issues[number] = issue
        return issue

    def close(self, issue: Issue, actor: str, reason: str | None, merge_commit: str | None = None) -> None:
        if merge_commit is not None:
            self._record(issue, "merged", actor, commit_id=merge_commit)
        if issue.state != "closed":
            issue.closed_at = now_iso()
            self._record(issue, "closed", actor, commit_id=merge_commit)
        issue.state = "closed"
        issue.closed_by = actor
        issue.state_reason = reason
        issue.touch()

    def reopen(self, issue: Issue, actor: str) -> None:
        issue.state = "open"
        issue.state_reason = "reopened"
        issue.closed_at = None
        issue.closed_by = None
        self._record(issue, "reopened", actor)
        issue.touch()

    def _record(self, issue: Issue, event: str, actor: str, **details) -> None:
        issue.events.append(Event(next(self._event_ids), event, actor, now_iso(), **details))

    def add_comment(self, repo: Repo, issue: Issue, author: str, body: str) -> Comment:
        stamp = now_iso()
        comment = Comment(next(self._comment_ids), issue.number, author, body, stamp, stamp)
        repo.comments[comment.id] = comment
        issue.touch()
        return comment
