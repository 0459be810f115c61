"""JSON shapes of GitHub's REST objects: user, label, issue, comment, pull request, repository,
commit, branch, git reference, commit status, deployment, deployment status and environment.

Field names follow the recorded real responses in `../shared/test-vectors/github-api/` and the
webhook payloads in `../shared/test-vectors/github-webhooks/`. API URLs point at the emulator
itself, so a client that follows `url` fields or `link` headers stays on loopback; `html_url`s
use the same host, as they would on GitHub Enterprise Server.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote

from .history import Comparison, compare
from .identities import Identity
from .state import (Comment, Commit, CommitStatus, Deployment, DeploymentStatus, Environment, Event, Issue, Label,
                    Repo, Store)


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
        # A bot's page is its app's: github-actions[bot] -> /apps/github-actions.
        html_url = (f"{self.html}/apps/{quote(who.login.removesuffix('[bot]'))}" if who.is_bot
                    else f"{self.html}/{quote(who.login)}")
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
        org = self.identity(Identity(key=login, login=login, id=self.store.owner_id(login)))
        org["type"] = "Organization"
        org["node_id"] = node_id("Organization", org["id"])
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

    def repository(self, repo: Repo, viewer: Identity | None = None, *, forker: str | None = None) -> dict:
        """A repository; `forker` renders `forker`'s fork of it instead: the head repository of
        their pull requests, another repository (its own id) marked as a fork."""
        owner, name = (forker, repo.name) if forker else (repo.owner, repo.name)
        repository_id = self.store.fork_id(repo, forker) if forker else repo.id
        full_name = f"{owner}/{name}"
        api = f"{self.api}/repos/{full_name}"
        host = self.html.split("://", 1)[-1]
        open_issues = sum(1 for i in repo.issues.values() if i.state == "open")
        body = {
            "id": repository_id,
            "node_id": node_id("Repository", repository_id),
            "name": name,
            "full_name": full_name,
            "private": False,
            "owner": self.owner(owner),
            "html_url": f"{self.html}/{full_name}",
            "description": None,
            "fork": forker is not None or repo.fork,
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
            "default_branch": repo.default_branch,
            "is_template": False,
            "topics": [],
            "visibility": "public",
            "web_commit_signoff_required": False,
            "custom_properties": {},
        }
        if viewer is not None:
            body["permissions"] = viewer.permission_flags()
        return body

    def nested_repository(self, repo: Repo, forker: str | None = None) -> dict:
        """A repository inside another object (a pull request's head or base, a fork's parent):
        no custom properties there."""
        body = self.repository(repo, forker=forker)
        del body["custom_properties"]
        return body

    def full_repository(self, repo: Repo, viewer: Identity | None) -> dict:
        """`GET /repos/{o}/{r}`: the repository plus, for a fork, its `parent` and `source`."""
        body = {**self.repository(repo, viewer), "has_discussions": False, "network_count": 0, "subscribers_count": 0}
        parent = self.store.repo_by_id(repo.parent_id) if repo.parent_id is not None else None
        if parent is not None:
            source = parent
            while source.parent_id is not None and self.store.repo_by_id(source.parent_id) is not None:
                source = self.store.repo_by_id(source.parent_id)  # type: ignore[assignment]
            body["parent"] = self.nested_repository(parent)
            body["source"] = self.nested_repository(source)
        return body

    def minimal_repository(self, repo: Repo) -> dict:
        """The short repository object inside a combined status: identity and URLs only."""
        full = self.repository(repo)
        kept = ("id", "node_id", "name", "full_name", "private", "owner", "html_url", "description", "fork", "url")
        return {key: value for key, value in full.items() if key in kept or key.endswith("_url")
                and key not in ("git_url", "ssh_url", "clone_url", "svn_url", "mirror_url")}

    # Commits, branches and references

    def commit(self, repo: Repo, commit: Commit) -> dict:
        api = f"{self.repo_api(repo)}/commits/{commit.sha}"
        author = self.store.user(commit.author)
        person = {"name": commit.author, "email": f"{author.id if author else 0}+{commit.author}@users.noreply.github.com",
                  "date": commit.created_at}
        return {
            "sha": commit.sha,
            "node_id": node_id("Commit", int(commit.sha[:12], 16)),
            "commit": {
                "author": person,
                "committer": person,
                "message": commit.message,
                "tree": {"sha": commit.sha[::-1], "url": f"{self.repo_api(repo)}/git/trees/{commit.sha[::-1]}"},
                "url": f"{self.repo_api(repo)}/git/commits/{commit.sha}",
                "comment_count": 0,
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                                 "verified_at": None},
            },
            "url": api,
            "html_url": f"{self.html}/{repo.full_name}/commit/{commit.sha}",
            "comments_url": f"{api}/comments",
            "author": self.identity(author) if author else None,
            "committer": self.identity(author) if author else None,
            "parents": [{"sha": parent, "url": f"{self.repo_api(repo)}/commits/{parent}",
                         "html_url": f"{self.html}/{repo.full_name}/commit/{parent}"} for parent in commit.parents],
        }

    def branch(self, repo: Repo, name: str) -> dict:
        api = f"{self.repo_api(repo)}/branches/{quote(name, safe='')}"
        return {
            "name": name,
            "commit": self.commit(repo, repo.commits[repo.branches[name]]),
            "_links": {"self": api, "html": f"{self.html}/{repo.full_name}/tree/{quote(name)}"},
            "protected": False,
            "protection": {"enabled": False,
                           "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []}},
            "protection_url": f"{api}/protection",
        }

    def short_branch(self, repo: Repo, name: str) -> dict:
        sha = repo.branches[name]
        return {"name": name, "commit": {"sha": sha, "url": f"{self.repo_api(repo)}/commits/{sha}"},
                "protected": False}

    def git_ref(self, repo: Repo, branch: str) -> dict:
        sha = repo.branches[branch]
        ref = f"refs/heads/{branch}"
        return {
            "ref": ref,
            "node_id": base64.b64encode(f"04:Ref{repo.id}:{ref}".encode()).decode(),
            "url": f"{self.repo_api(repo)}/git/{ref}",
            "object": {"sha": sha, "type": "commit", "url": f"{self.repo_api(repo)}/git/commits/{sha}"},
        }

    def comparison(self, repo: Repo, base: Commit, head: Commit, found: Comparison, commits: list[Commit]) -> dict:
        assert found.merge_base is not None
        spec = f"{base.sha}...{head.sha}"
        return {
            "url": f"{self.repo_api(repo)}/compare/{spec}",
            "html_url": f"{self.html}/{repo.full_name}/compare/{spec}",
            "permalink_url": f"{self.html}/{repo.full_name}/compare/{repo.owner}:{base.sha[:7]}...{repo.owner}:{head.sha[:7]}",
            "diff_url": f"{self.html}/{repo.full_name}/compare/{spec}.diff",
            "patch_url": f"{self.html}/{repo.full_name}/compare/{spec}.patch",
            "base_commit": self.commit(repo, base),
            "merge_base_commit": self.commit(repo, found.merge_base),
            "status": found.status,
            "ahead_by": len(found.ahead),
            "behind_by": len(found.behind),
            "total_commits": len(found.ahead),
            "commits": [self.commit(repo, commit) for commit in commits],
        }

    # Commit statuses

    def status(self, repo: Repo, status: CommitStatus) -> dict:
        creator = self.store.user(status.creator)
        return {
            "url": f"{self.repo_api(repo)}/statuses/{status.sha}",
            "avatar_url": f"{self.html}/avatars/u/{creator.id}?v=4" if creator else None,
            "id": status.id,
            "node_id": node_id("StatusContext", status.id),
            "state": status.state,
            "description": status.description,
            "target_url": status.target_url,
            "context": status.context,
            "created_at": status.created_at,
            "updated_at": status.created_at,
            "creator": self.user(status.creator),
        }

    def combined_status(self, repo: Repo, sha: str, state: str, latest: list[CommitStatus]) -> dict:
        return {
            "state": state,
            "statuses": [{key: value for key, value in self.status(repo, status).items() if key != "creator"}
                         for status in latest],
            "sha": sha,
            "total_count": len(latest),
            "repository": self.minimal_repository(repo),
            "commit_url": f"{self.repo_api(repo)}/commits/{sha}",
            "url": f"{self.repo_api(repo)}/commits/{sha}/status",
        }

    # Deployments and environments

    def deployment(self, repo: Repo, deployment: Deployment) -> dict:
        url = f"{self.repo_api(repo)}/deployments/{deployment.id}"
        return {
            "url": url,
            "id": deployment.id,
            "node_id": node_id("Deployment", deployment.id),
            "task": deployment.task,
            "original_environment": deployment.original_environment,
            "environment": deployment.environment,
            "description": deployment.description,
            "created_at": deployment.created_at,
            "updated_at": deployment.updated_at,
            "statuses_url": f"{url}/statuses",
            "repository_url": self.repo_api(repo),
            "creator": self.user(deployment.creator),
            "sha": deployment.sha,
            "ref": deployment.ref,
            "payload": deployment.payload,
            "transient_environment": deployment.transient_environment,
            "production_environment": deployment.production_environment,
            "performed_via_github_app": None,
        }

    def deployment_status(self, repo: Repo, status: DeploymentStatus) -> dict:
        deployment_url = f"{self.repo_api(repo)}/deployments/{status.deployment_id}"
        return {
            "url": f"{deployment_url}/statuses/{status.id}",
            "id": status.id,
            "node_id": node_id("DeploymentStatus", status.id),
            "state": status.state,
            "creator": self.user(status.creator),
            "description": status.description,
            "environment": status.environment,
            "target_url": status.log_url,
            "created_at": status.created_at,
            "updated_at": status.created_at,
            "deployment_url": deployment_url,
            "repository_url": self.repo_api(repo),
            "environment_url": status.environment_url,
            "log_url": status.log_url,
            "performed_via_github_app": None,
        }

    def environment(self, repo: Repo, environment: Environment) -> dict:
        return {
            "id": environment.id,
            "node_id": node_id("Environment", environment.id),
            "name": environment.name,
            "url": f"{self.repo_api(repo)}/environments/{quote(environment.name, safe='')}",
            "html_url": f"{self.html}/{repo.full_name}/deployments/activity_log?environments_filter={quote(environment.name)}",
            "created_at": environment.created_at,
            "updated_at": environment.updated_at,
            "protection_rules": [],
            "deployment_branch_policy": None,
        }

    # Pull requests

    # What a single pull request has beyond the short form that lists of pull requests show.
    PULL_DETAILS = ("merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments", "review_comments",
                    "maintainer_can_modify", "commits", "additions", "deletions", "changed_files")

    def simple_pull(self, repo: Repo, issue: Issue) -> dict:
        """A pull request in a list: GitHub leaves out the merge state and the change counts."""
        return {key: value for key, value in self.pull(repo, issue).items() if key not in self.PULL_DETAILS}

    def pull(self, repo: Repo, issue: Issue) -> dict:
        pull = issue.pull
        assert pull is not None
        api = f"{self.repo_api(repo)}/pulls/{issue.number}"
        issue_api = f"{self.repo_api(repo)}/issues/{issue.number}"
        html = f"{self.html}/{repo.full_name}/pull/{issue.number}"
        statuses = f"{self.repo_api(repo)}/statuses/{pull.head_sha}"
        head_owner = issue.author if pull.fork else repo.owner  # a fork belongs to the pull request's author
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
                "repo": self.nested_repository(repo, forker=issue.author if pull.fork else None),
            },
            "base": {
                "label": f"{repo.owner}:{pull.base_ref}",
                "ref": pull.base_ref,
                "sha": pull.base_sha,
                "user": self.owner(repo.owner),
                "repo": self.nested_repository(repo),
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
            "commits": max(1, len(compare(repo, pull.base_sha, pull.head_sha).ahead)),
            "additions": 1,
            "deletions": 1,
            "changed_files": 1,
        }
