"""Off-the-shelf clients work against the emulator as against GitHub: PyGithub, and githubkit,
whose typed REST client is generated from GitHub's REST description and parses every answer
into that description's models."""

from __future__ import annotations

import pytest
from github import Auth, Github, GithubException
from githubkit import GitHub as GitHubKit

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


def test_pygithub_records_deployments_with_statuses_and_environments(gh: Session) -> None:
    pull = gh.open_pull(head_sha=sha("pr head"))
    repo = client(gh, "bot", per_page=2).get_repo(gh.repository)
    preview = repo.create_deployment(sha("pr head"), environment=f"pr-{pull['number']}", auto_merge=False,
                                     required_contexts=[], transient_environment=True, production_environment=False,
                                     description="Preview", payload={"runtime": "pr_1"})
    preview.create_status("in_progress", environment_url="https://console.example/pr_1")
    preview.create_status("success", environment_url="https://console.example/pr_1", description="Deployed")
    production = repo.create_deployment("main", environment="agentcore-production", auto_merge=False,
                                        required_contexts=[], production_environment=True)
    production.create_status("success")

    assert (preview.sha, preview.environment, preview.payload) == (sha("pr head"), "pr-1", {"runtime": "pr_1"})
    assert [d.id for d in repo.get_deployments()] == [production.id, preview.id]
    assert [d.id for d in repo.get_deployments(environment="pr-1")] == [preview.id]
    statuses = list(repo.get_deployment(preview.id).get_statuses())
    assert [(s.state, s.environment_url) for s in statuses] == \
        [("success", "https://console.example/pr_1"), ("in_progress", "https://console.example/pr_1")]
    assert preview.get_status(statuses[0].id).description == "Deployed"
    assert sorted(e.name for e in repo.get_environments()) == ["agentcore-production", "pr-1"]
    assert preview.create_status("inactive").state == "inactive"


def test_pygithub_reports_commit_statuses_and_compares_commits(gh: Session) -> None:
    repo = client(gh, "bot").get_repo(gh.repository)
    base = repo.get_branch("main").commit.sha
    assert repo.get_git_ref("heads/main").object.sha == base
    pull = gh.open_pull(head_sha=sha("change"))
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/merge", {"merge_commit_sha": sha("merged")})

    commit = repo.get_commit("main")
    assert commit.sha == sha("merged") and [p.sha for p in commit.parents] == [base, sha("change")]
    commit.create_status("pending", context="agentcore/smoke-test", description="Testing")
    commit.create_status("success", target_url="https://run.example", context="agentcore/smoke-test")
    assert [s.state for s in commit.get_statuses()] == ["success", "pending"]
    combined = commit.get_combined_status()
    assert (combined.state, combined.total_count, combined.statuses[0].context) == \
        ("success", 1, "agentcore/smoke-test")

    comparison = repo.compare(base, "main")
    assert (comparison.status, comparison.ahead_by, comparison.behind_by) == ("ahead", 2, 0)
    assert [c.sha for c in comparison.commits] == [sha("change"), sha("merged")]
    assert comparison.merge_base_commit.sha == base
    with pytest.raises(GithubException) as unknown:
        repo.compare(base, sha("nowhere"))
    assert unknown.value.status == 404


def test_githubkit_parses_every_answer_into_the_rest_descriptions_models(gh: Session) -> None:
    owner, name = gh.repository.split("/")
    with GitHubKit(gh.info["tokens"]["bot"], base_url=gh.url + "/", trust_env=False, http_cache=False,
                   auto_retry=False) as github:
        repos = github.rest.repos
        deployment = repos.create_deployment(owner, name, ref="main", environment="staging", auto_merge=False,
                                             required_contexts=[]).parsed_data
        status = repos.create_deployment_status(owner, name, deployment.id, state="success",
                                                log_url="https://logs.example").parsed_data
        assert (deployment.environment, status.state, status.log_url) == ("staging", "success", "https://logs.example")
        assert [d.id for d in repos.list_deployments(owner, name, environment="staging").parsed_data] == [deployment.id]
        environments = repos.get_all_environments(owner, name).parsed_data
        assert [e.name for e in environments.environments] == ["staging"]

        sha_ = repos.get_branch(owner, name, "main").parsed_data.commit.sha
        repos.create_commit_status(owner, name, sha_, state="failure", context="agentcore/smoke-test")
        assert repos.get_combined_status_for_ref(owner, name, "main").parsed_data.state == "failure"
        assert repos.compare_commits(owner, name, f"{sha_}...main").parsed_data.status == "identical"
        assert github.rest.git.get_ref(owner, name, "heads/main").parsed_data.object_.sha == sha_
        repository = repos.get(owner, name).parsed_data
        assert (repository.full_name, repository.default_branch, repository.fork) == (gh.repository, "main", False)
