"""An off-the-shelf client, PyGithub, works against the emulator as against GitHub."""

from __future__ import annotations

import pytest
from github import Auth, Github, GithubException

from github_fixtures import Session, emulator, gh, sha  # noqa: F401


def client(gh: Session, identity: str, per_page: int = 30) -> Github:
    # PyGithub spaces requests out for github.com's sake (0.25 s, writes 1 s); no need on loopback.
    return Github(base_url=gh.url, auth=Auth.Token(gh.info["tokens"][identity]), per_page=per_page, retry=None,
                  seconds_between_requests=0, seconds_between_writes=0)


def test_pygithub_creates_an_issue_comments_labels_and_pages_through_comments(gh: Session) -> None:
    repo = client(gh, "bot", per_page=20).get_repo(gh.repository)
    issue = repo.create_issue(title="Deploy v7", body="<!-- agentcore:version=7 -->", labels=["deployment"])
    for n in range(45):
        issue.create_comment(f"comment {n}")
    issue.add_to_labels("needs-promotion")

    comments = issue.get_comments()
    assert comments.totalCount == 45
    assert [c.body for c in comments] == [f"comment {n}" for n in range(45)]
    assert {c.user.login for c in comments} == {"github-actions[bot]"}
    fetched = repo.get_issue(issue.number)
    assert [label.name for label in fetched.labels] == ["deployment", "needs-promotion"]

    fetched.edit(state="closed", state_reason="completed")
    closed = list(repo.get_issues(state="closed", labels=["deployment"]))
    assert [i.number for i in closed] == [issue.number]


def test_pygithub_reads_pull_requests_and_permissions_and_sees_errors(gh: Session) -> None:
    pull = gh.open_pull(head_sha=sha("x"), title="Change")
    github = client(gh, "bot")
    repo = github.get_repo(gh.repository)
    assert repo.get_pull(pull["number"]).head.sha == sha("x")
    assert repo.get_collaborator_permission(gh.login("triage")) == "read"

    outsider_repo = client(gh, "outsider").get_repo(gh.repository)
    with pytest.raises(GithubException) as refused:
        outsider_repo.get_issue(repo.create_issue(title="t").number).add_to_labels("approved")
    assert refused.value.status == 403
