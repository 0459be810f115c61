"""The emulator's in-memory GitHub: repositories, their labels, issues, pull requests and comments.

Plain data and the operations on it; nothing here knows about HTTP or JSON. Callers hold
`Store.lock` around every use, so each REST call sees and leaves a consistent state.

As on GitHub, issues and pull requests of one repository share one number sequence, and a pull
request *is* an issue (it has a title, labels and comments) with pull-request details attached.
"""

from __future__ import annotations

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
class Repo:
    id: int
    owner: str
    name: str
    created_at: str
    labels: dict[str, Label] = field(default_factory=dict)  # keyed by lower-case name
    issues: dict[int, Issue] = field(default_factory=dict)  # issues and pull requests by number
    comments: dict[int, Comment] = field(default_factory=dict)  # by comment id, in creation order
    last_number: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

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
            self._issue_ids = itertools.count(2_100_000_001)
            self._comment_ids = itertools.count(3_100_000_001)
            self._label_ids = itertools.count(5_100_000_001)
            self._event_ids = itertools.count(6_100_000_001)
            self._user_ids = itertools.count(20_000_001)
            self.users: dict[str, Identity] = {i.login.lower(): i for i in self.identities.values()}
            self.repos: dict[str, Repo] = {}
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

    # Repositories

    def create_repo(self, full_name: str) -> Repo:
        owner, name = full_name.split("/", 1)
        repo = Repo(id=next(self._repo_ids), owner=owner, name=name, created_at=now_iso())
        for label_name, color, description in DEFAULT_LABELS:
            self.add_label(repo, label_name, color, description, default=True)
        self.repos[full_name.lower()] = repo
        return repo

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def repo_by_id(self, repo_id: int) -> Repo | None:
        return next((r for r in self.repos.values() if r.id == repo_id), None)

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
