"""JSON shapes of GitHub's REST objects: user, label, issue, comment, pull request, repository.

Field names follow the recorded real responses in `../shared/test-vectors/github-api/` and the
webhook payloads in `../shared/test-vectors/github-webhooks/`. API URLs point at the emulator
itself, so a client that follows `url` fields or `link` headers stays on loopback; `html_url`s
use the same host, as they would on GitHub Enterprise Server.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote

from .identities import Identity
from .state import Comment, Event, Issue, Label, Repo, Store


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def no_reactions(url: str) -> dict:
    counts = {key: 0 for key in ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")}
    return {"url": url, "total_count": 0, **counts}


def author_association(store: Store, repo: Repo, login: str) -> str:
    """What GitHub shows next to an author. Informational only: clients must not base trust on
    it (GitHub's value depends on org membership visibility); the permission endpoint is the
    source of truth."""
    if login.lower() == repo.owner.lower():
        return "OWNER"
    identity = store.user(login)
    if identity is None or identity.role is None or identity.is_bot:
        return "NONE"
    return "MEMBER" if identity.has("maintain") else "COLLABORATOR"


# The URL templates of a repository object: (field name without `_url`, path under the repository).
REPOSITORY_URLS = [
    ("forks", "/forks"), ("keys", "/keys{/key_id}"), ("collaborators", "/collaborators{/collaborator}"),
    ("teams", "/teams"), ("hooks", "/hooks"), ("issue_events", "/issues/events{/number}"), ("events", "/events"),
    ("assignees", "/assignees{/user}"), ("branches", "/branches{/branch}"), ("tags", "/tags"),
    ("blobs", "/git/blobs{/sha}"), ("git_tags", "/git/tags{/sha}"), ("git_refs", "/git/refs{/sha}"),
    ("trees", "/git/trees{/sha}"), ("statuses", "/statuses/{sha}"), ("languages", "/languages"),
    ("stargazers", "/stargazers"), ("contributors", "/contributors"), ("subscribers", "/subscribers"),
    ("subscription", "/subscription"), ("commits", "/commits{/sha}"), ("git_commits", "/git/commits{/sha}"),
    ("comments", "/comments{/number}"), ("issue_comment", "/issues/comments{/number}"),
    ("contents", "/contents/{+path}"), ("compare", "/compare/{base}...{head}"), ("merges", "/merges"),
    ("archive", "/{archive_format}{/ref}"), ("downloads", "/downloads"), ("issues", "/issues{/number}"),
    ("pulls", "/pulls{/number}"), ("milestones", "/milestones{/number}"),
    ("notifications", "/notifications{?since,all,participating}"), ("labels", "/labels{/name}"),
    ("releases", "/releases{/id}"), ("deployments", "/deployments"),
]


@dataclass(frozen=True)
class Renderer:
    store: Store
    api: str  # the emulator's base URL, e.g. http://127.0.0.1:PORT

    @property
    def html(self) -> str:
        return self.api

    def repo_api(self, repo: Repo) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    # Users

    def user(self, login: str) -> dict:
        identity = self.store.user(login)
        if identity is None:
            identity = self.store.ensure_user(login)
        return self.identity(identity)

    def identity(self, who: Identity) -> dict:
        url = f"{self.api}/users/{quote(who.login)}"
        html_url = f"{self.html}/apps/github-actions" if who.is_bot else f"{self.html}/{quote(who.login)}"
        return {
            "login": who.login,
            "id": who.id,
            "node_id": node_id("Bot" if who.is_bot else "User", who.id),
            "avatar_url": f"{self.html}/avatars/u/{who.id}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": html_url,
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": who.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def owner(self, login: str) -> dict:
        """Repository owners are organisations unless they are a known user."""
        known = self.store.user(login)
        if known is not None:
            return self.identity(known)
        org = self.identity(Identity(key=login, login=login, id=9_000_000 + sum(map(ord, login))))
        org["type"] = "Organization"
        return org

    # Labels

    def label(self, repo: Repo, label: Label) -> dict:
        return {
            "id": label.id,
            "node_id": node_id("Label", label.id),
            "url": f"{self.repo_api(repo)}/labels/{quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    # Issues

    def issue(self, repo: Repo, issue: Issue) -> dict:
        api = f"{self.repo_api(repo)}/issues/{issue.number}"
        kind = "pull" if issue.pull else "issues"
        body = {
            "url": api,
            "repository_url": self.repo_api(repo),
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self.html}/{repo.full_name}/{kind}/{issue.number}",
            "id": issue.id,
            "node_id": node_id("PullRequest" if issue.pull else "Issue", issue.id),
            "number": issue.number,
            "title": issue.title,
            "user": self.user(issue.author),
            "labels": [self.label(repo, label) for label in issue.labels],
            "state": issue.state,
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": len(repo.comments_on(issue.number)),
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "author_association": author_association(self.store, repo, issue.author),
            "active_lock_reason": None,
            "body": issue.body,
            "closed_by": self.user(issue.closed_by) if issue.closed_by else None,
            "reactions": no_reactions(f"{api}/reactions"),
            "timeline_url": f"{api}/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        if issue.pull:
            pulls = f"{self.repo_api(repo)}/pulls/{issue.number}"
            html = f"{self.html}/{repo.full_name}/pull/{issue.number}"
            body["draft"] = issue.pull.draft
            body["pull_request"] = {
                "url": pulls,
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": issue.pull.merged_at,
            }
        return body

    # Comments

    def comment(self, repo: Repo, comment: Comment) -> dict:
        issue = repo.issues[comment.issue_number]
        kind = "pull" if issue.pull else "issues"
        url = f"{self.repo_api(repo)}/issues/comments/{comment.id}"
        return {
            "url": url,
            "html_url": f"{self.html}/{repo.full_name}/{kind}/{issue.number}#issuecomment-{comment.id}",
            "issue_url": f"{self.repo_api(repo)}/issues/{issue.number}",
            "id": comment.id,
            "node_id": node_id("IssueComment", comment.id),
            "user": self.user(comment.author),
            "created_at": comment.created_at,
            "updated_at": comment.updated_at,
            "author_association": author_association(self.store, repo, comment.author),
            "body": comment.body,
            "reactions": no_reactions(f"{url}/reactions"),
            "performed_via_github_app": None,
        }

    # Issue events

    def event(self, repo: Repo, event: Event) -> dict:
        body = {
            "id": event.id,
            "node_id": node_id(f"{event.event.capitalize()}Event", event.id),
            "url": f"{self.repo_api(repo)}/issues/events/{event.id}",
            "actor": self.user(event.actor),
            "event": event.event,
            "commit_id": event.commit_id,
            "commit_url": f"{self.repo_api(repo)}/commits/{event.commit_id}" if event.commit_id else None,
            "created_at": event.created_at,
            "performed_via_github_app": None,
        }
        if event.label is not None:
            body["label"] = {"name": event.label.name, "color": event.label.color}
        return body

    # Repositories

    def repository(self, repo: Repo, viewer: Identity | None = None, *, fork_of: str | None = None) -> dict:
        """A repository; `fork_of` renders the head repository of a pull request from a fork,
        owned by the pull request's author."""
        owner, name = (fork_of, repo.name) if fork_of else (repo.owner, repo.name)
        full_name = f"{owner}/{name}"
        api = f"{self.api}/repos/{full_name}"
        host = self.html.split("://", 1)[-1]
        open_issues = sum(1 for i in repo.issues.values() if i.state == "open")
        body = {
            "id": repo.id + (1_000_000 if fork_of else 0),
            "node_id": node_id("Repository", repo.id),
            "name": name,
            "full_name": full_name,
            "private": False,
            "owner": self.owner(owner),
            "html_url": f"{self.html}/{full_name}",
            "description": None,
            "fork": fork_of is not None,
            "url": api,
            **{f"{key}_url": api + suffix for key, suffix in REPOSITORY_URLS},
            "created_at": repo.created_at,
            "updated_at": repo.created_at,
            "pushed_at": repo.created_at,
            "git_url": f"git://{host}/{full_name}.git",
            "ssh_url": f"git@{host}:{full_name}.git",
            "clone_url": f"{self.html}/{full_name}.git",
            "svn_url": f"{self.html}/{full_name}",
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": "Python",
            "has_issues": True,
            "has_projects": False,
            "has_downloads": True,
            "has_wiki": False,
            "has_pages": False,
            "forks_count": 0,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_issues,
            "license": None,
            "forks": 0,
            "open_issues": open_issues,
            "watchers": 0,
            "default_branch": "main",
            "is_template": False,
            "topics": [],
            "visibility": "public",
            "web_commit_signoff_required": False,
            "custom_properties": {},
        }
        if viewer is not None:
            body["permissions"] = viewer.permission_flags()
        return body

    # Pull requests

    def pull(self, repo: Repo, issue: Issue) -> dict:
        pull = issue.pull
        assert pull is not None
        api = f"{self.repo_api(repo)}/pulls/{issue.number}"
        issue_api = f"{self.repo_api(repo)}/issues/{issue.number}"
        html = f"{self.html}/{repo.full_name}/pull/{issue.number}"
        statuses = f"{self.repo_api(repo)}/statuses/{pull.head_sha}"
        head_owner = issue.author if pull.fork else repo.owner
        return {
            "url": api,
            "id": issue.id,
            "node_id": node_id("PullRequest", issue.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue_api,
            "number": issue.number,
            "state": issue.state,
            "locked": False,
            "title": issue.title,
            "user": self.user(issue.author),
            "body": issue.body,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": [self.label(repo, label) for label in issue.labels],
            "milestone": None,
            "draft": pull.draft,
            "commits_url": f"{api}/commits",
            "review_comments_url": f"{api}/comments",
            "review_comment_url": f"{self.repo_api(repo)}/pulls/comments{{/number}}",
            "comments_url": f"{issue_api}/comments",
            "statuses_url": statuses,
            "head": {
                "label": f"{head_owner}:{pull.head_ref}",
                "ref": pull.head_ref,
                "sha": pull.head_sha,
                "user": self.owner(head_owner),
                "repo": self.repository(repo, fork_of=issue.author if pull.fork else None),
            },
            "base": {
                "label": f"{repo.owner}:{pull.base_ref}",
                "ref": pull.base_ref,
                "sha": pull.base_sha,
                "user": self.owner(repo.owner),
                "repo": self.repository(repo),
            },
            "_links": {
                "self": {"href": api},
                "html": {"href": html},
                "issue": {"href": issue_api},
                "comments": {"href": f"{issue_api}/comments"},
                "review_comments": {"href": f"{api}/comments"},
                "review_comment": {"href": f"{self.repo_api(repo)}/pulls/comments{{/number}}"},
                "commits": {"href": f"{api}/commits"},
                "statuses": {"href": statuses},
            },
            "author_association": author_association(self.store, repo, issue.author),
            "auto_merge": None,
            "active_lock_reason": None,
            "merged": pull.merged,
            "mergeable": None if pull.merged else True,
            "rebaseable": None if pull.merged else True,
            "mergeable_state": "unknown" if pull.merged else "clean",
            "merged_by": self.user(pull.merged_by) if pull.merged_by else None,
            "comments": len(repo.comments_on(issue.number)),
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": 1,
            "additions": 1,
            "deletions": 1,
            "changed_files": 1,
        }
