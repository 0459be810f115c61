"""Every answer of the deployment, commit status, commit, branch, reference, compare and repository
operations conforms to the schema GitHub's REST description gives that operation's answer (see
`github_schemas.py`): required fields, types, enums, and no undeclared fields."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from github_fixtures import Answer, Client, Session, emulator, gh, sha  # noqa: F401
from github_schemas import conforms, models

Scenario = dict[str, Any]


def scenario(gh: Session) -> Scenario:
    """A pull request with a deployment that has statuses, a merge, commit statuses and a fork."""
    bot = gh.as_("bot")
    pull = gh.open_pull(head_sha=sha("head"), head_ref="feature")
    gh.open_pull(head_sha=sha("fork head"), user="forker", fork=True)
    deployment = bot.post(f"{gh.repo}/deployments", {
        "ref": sha("head"), "environment": f"pr-{pull['number']}", "auto_merge": False, "transient_environment": True,
        "payload": {"runtime": "pr_1"}, "description": "Preview"}).body
    status = bot.post(f"{gh.repo}/deployments/{deployment['id']}/statuses", {
        "state": "success", "environment_url": "https://console.example", "log_url": "https://logs.example"}).body
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/merge", {"merge_commit_sha": sha("merge")})
    bot.post(f"{gh.repo}/statuses/{sha('merge')}", {"state": "success", "context": "agentcore/smoke-test",
                                                   "target_url": "https://run.example", "description": "Passed"})
    bot.post(f"{gh.repo}/statuses/{sha('merge')}", {"state": "pending"})
    gh.control("POST", "/_sandbox/repos", {"full_name": "upstream-org/agent-app"})
    gh.control("POST", "/_sandbox/repos", {"full_name": "sandbox-org/forked-app", "fork_of": "upstream-org/agent-app"})
    return {"deployment": deployment["id"], "status": status["id"], "pull": pull["number"]}


def repo_path(gh: Session, suffix: str) -> Callable[[Client, Scenario], Answer]:
    return lambda client, ids: client.get(gh.repo + suffix.format(**ids))


# operation -> (how to call it, the schema of its answer)
OPERATIONS: dict[str, tuple[Callable[[Session, Client, Scenario], Answer], Any]] = {
    "repos/create-deployment": (lambda gh, c, ids: c.post(f"{gh.repo}/deployments", {"ref": "main", "required_contexts": []}),
                                models.Deployment),
    "repos/list-deployments": (lambda gh, c, ids: c.get(f"{gh.repo}/deployments"), list[models.Deployment]),
    "repos/get-deployment": (lambda gh, c, ids: c.get(f"{gh.repo}/deployments/{ids['deployment']}"),
                             models.Deployment),
    "repos/create-deployment-status": (
        lambda gh, c, ids: c.post(f"{gh.repo}/deployments/{ids['deployment']}/statuses",
                                  {"state": "inactive", "description": "Closed"}), models.DeploymentStatus),
    "repos/list-deployment-statuses": (lambda gh, c, ids: c.get(f"{gh.repo}/deployments/{ids['deployment']}/statuses"),
                                       list[models.DeploymentStatus]),
    "repos/get-deployment-status": (
        lambda gh, c, ids: c.get(f"{gh.repo}/deployments/{ids['deployment']}/statuses/{ids['status']}"),
        models.DeploymentStatus),
    "repos/get-all-environments": (lambda gh, c, ids: c.get(f"{gh.repo}/environments"),
                                   models.ReposOwnerRepoEnvironmentsGetResponse200),
    "repos/get-environment": (lambda gh, c, ids: c.get(f"{gh.repo}/environments/pr-{ids['pull']}"),
                              models.Environment),
    "repos/create-commit-status": (lambda gh, c, ids: c.post(f"{gh.repo}/statuses/{sha('head')}", {"state": "failure"}),
                                   models.Status),
    "repos/list-commit-statuses-for-ref": (lambda gh, c, ids: c.get(f"{gh.repo}/commits/main/statuses"),
                                           list[models.Status]),
    "repos/get-combined-status-for-ref": (lambda gh, c, ids: c.get(f"{gh.repo}/commits/main/status"),
                                          models.CombinedCommitStatus),
    "repos/get-commit": (lambda gh, c, ids: c.get(f"{gh.repo}/commits/{sha('merge')}"), models.Commit),
    "repos/compare-commits": (lambda gh, c, ids: c.get(f"{gh.repo}/compare/{sha('head')}...main"),
                              models.CommitComparison),
    "repos/list-branches": (lambda gh, c, ids: c.get(f"{gh.repo}/branches"), list[models.ShortBranch]),
    "repos/get-branch": (lambda gh, c, ids: c.get(f"{gh.repo}/branches/main"), models.BranchWithProtection),
    "git/get-ref": (lambda gh, c, ids: c.get(f"{gh.repo}/git/ref/heads/main"), models.GitRef),
    "repos/get": (lambda gh, c, ids: c.get(gh.repo), models.FullRepository),
    "repos/get (a fork)": (lambda gh, c, ids: c.get("/repos/sandbox-org/forked-app"), models.FullRepository),
    "pulls/get (from a fork)": (lambda gh, c, ids: c.get(f"{gh.repo}/pulls/{ids['pull'] + 1}"), models.PullRequest),
    "pulls/list": (lambda gh, c, ids: c.get(f"{gh.repo}/pulls?state=all"), list[models.PullRequestSimple]),
    "repos/list-pull-requests-associated-with-commit": (lambda gh, c, ids: c.get(f"{gh.repo}/commits/{sha('merge')}/pulls"),
                                                        list[models.PullRequestSimple]),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_answers_conform_to_the_rest_description(gh: Session, operation: str) -> None:
    ids = scenario(gh)
    call, schema = OPERATIONS[operation]
    answer = call(gh, gh.as_("bot"), ids)
    assert 200 <= answer.status < 300, answer.body
    if isinstance(answer.body, list):
        assert answer.body, f"{operation}: an empty list checks nothing"
    conforms(schema, answer.body, operation)


def test_a_schema_violation_is_caught(gh: Session) -> None:
    """The check itself: a wrong type, a missing field and an undeclared field each fail it."""
    ids = scenario(gh)
    deployment = gh.as_("bot").get(f"{gh.repo}/deployments/{ids['deployment']}").body
    for broken in ({**deployment, "id": str(deployment["id"])},
                   {key: value for key, value in deployment.items() if key != "sha"},
                   {**deployment, "deployed_by": "someone"}):
        with pytest.raises(AssertionError):
            conforms(models.Deployment, broken)
    status = gh.as_("bot").get(f"{gh.repo}/deployments/{ids['deployment']}/statuses/{ids['status']}").body
    with pytest.raises(AssertionError):
        conforms(models.DeploymentStatus, {**status, "state": "done"})
