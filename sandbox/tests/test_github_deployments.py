"""Deployments, deployment statuses and environments, as GitHub documents them: fields and their
defaults, filters, pagination, the 202/409/422 answers of creating one, deleting only inactive
ones, `auto_inactive`, and who may write (the write role; GITHUB_TOKEN with `deployments: write`)."""

from __future__ import annotations

import pytest

from github_fixtures import Session, emulator, gh, sha  # noqa: F401

DEPLOYMENTS_DOCS = "https://docs.github.com/rest/deployments/deployments#create-a-deployment"


def deploy(gh: Session, identity: str = "bot", **fields) -> dict:
    answer = gh.as_(identity).post(f"{gh.repo}/deployments", {"auto_merge": False, **fields})
    assert answer.status == 201, answer.body
    return answer.body


def report(gh: Session, deployment: dict, state: str, **fields) -> dict:
    answer = gh.as_("bot").post(f"{gh.repo}/deployments/{deployment['id']}/statuses", {"state": state, **fields})
    assert answer.status == 201, answer.body
    return answer.body


def state_of(gh: Session, deployment: dict) -> str | None:
    statuses = gh.as_("bot").get(f"{gh.repo}/deployments/{deployment['id']}/statuses").body
    return statuses[0]["state"] if statuses else None


def main_tip(gh: Session) -> str:
    return gh.as_("bot").get(f"{gh.repo}/branches/main").body["commit"]["sha"]


def test_a_deployment_records_what_was_asked_with_githubs_defaults(gh: Session) -> None:
    tip = main_tip(gh)
    created = gh.as_("bot").post(f"{gh.repo}/deployments", {"ref": "main"})
    assert created.status == 201 and created.headers.get("location") == created.body["url"]
    body = created.body
    assert (body["ref"], body["sha"], body["task"], body["environment"], body["original_environment"]) == \
        ("main", tip, "deploy", "production", "production")
    assert (body["description"], body["payload"], body["transient_environment"], body["production_environment"]) == \
        ("", {}, False, True)
    assert body["creator"]["login"] == "github-actions[bot]" and body["creator"]["type"] == "Bot"
    assert body["statuses_url"] == body["url"] + "/statuses"
    assert gh.as_("outsider").get(body["url"]).body == body  # anyone reads a public repository's deployments

    pull = gh.open_pull(head_sha=sha("pr head"))
    preview = deploy(gh, ref=sha("pr head"), environment=f"pr-{pull['number']}", task="deploy:preview",
                     description="Preview of the pull request", payload={"runtime": "pr_1"},
                     transient_environment=True, required_contexts=[])
    assert (preview["sha"], preview["environment"], preview["task"], preview["payload"]) == \
        (sha("pr head"), "pr-1", "deploy:preview", {"runtime": "pr_1"})
    assert (preview["transient_environment"], preview["production_environment"]) == (True, False)
    assert deploy(gh, ref="main", payload='{"as": "text"}')["payload"] == '{"as": "text"}'
    assert deploy(gh, ref=tip[:7])["sha"] == tip  # an abbreviated sha names its commit


def test_listing_filters_and_pages_newest_first(gh: Session) -> None:
    gh.open_pull(head_sha=sha("a"))
    made = [deploy(gh, ref=sha("a") if n % 2 else "main", environment="pr-1" if n % 2 else "production",
                   task="deploy" if n < 5 else "migrate") for n in range(7)]
    bot = gh.as_("bot")
    everything = bot.get(f"{gh.repo}/deployments").body
    assert [d["id"] for d in everything] == [d["id"] for d in reversed(made)]
    assert [d["id"] for d in bot.get(f"{gh.repo}/deployments?environment=pr-1").body] == \
        [made[5]["id"], made[3]["id"], made[1]["id"]]
    assert [d["id"] for d in bot.get(f"{gh.repo}/deployments?sha={sha('a')}&task=migrate").body] == [made[5]["id"]]
    assert [d["id"] for d in bot.get(f"{gh.repo}/deployments?ref=main&task=deploy").body] == \
        [made[4]["id"], made[2]["id"], made[0]["id"]]

    first = bot.get(f"{gh.repo}/deployments?per_page=3")
    assert len(first.body) == 3 and 'rel="next"' in first.headers["link"] and 'rel="last"' in first.headers["link"]
    last = bot.get(first.headers["link"].split(", ")[1].split(";")[0].strip("<>"))  # the `last` link
    assert [d["id"] for d in last.body] == [made[0]["id"]]
    assert bot.get(f"{gh.repo}/deployments/{made[0]['id']}").body["id"] == made[0]["id"]
    assert bot.get(f"{gh.repo}/deployments/999").status == 404


@pytest.mark.parametrize("body,field", [
    ({}, "ref"),
    ({"ref": "main", "auto_merge": "yes"}, "auto_merge"),
    ({"ref": "main", "required_contexts": "ci"}, "required_contexts"),
    ({"ref": "main", "payload": 3}, "payload"),
    ({"ref": "main", "transient_environment": 1}, "transient_environment"),
    ({"ref": "main", "description": "x" * 141}, "description"),
])
def test_invalid_requests_are_refused_with_validation_errors(gh: Session, body: dict, field: str) -> None:
    answer = gh.as_("bot").post(f"{gh.repo}/deployments", body)
    assert (answer.status, answer.body["message"]) == (422, "Validation Failed")
    assert answer.body["errors"][0]["field"] == field and answer.body["documentation_url"] == DEPLOYMENTS_DOCS
    assert gh.as_("bot").get(f"{gh.repo}/deployments").body == []


def test_an_unknown_ref_is_refused(gh: Session) -> None:
    answer = gh.as_("bot").post(f"{gh.repo}/deployments", {"ref": "no-such-branch"})
    assert (answer.status, answer.body["message"]) == (422, "No ref found for: no-such-branch")


def test_auto_merge_refuses_a_commit_behind_the_default_branch_and_merges_a_branch(gh: Session) -> None:
    pull = gh.open_pull(head_sha=sha("feature"), head_ref="feature")
    gh.control("POST", f"/_sandbox{gh.repo}/push", {"sha": sha("main moved on")})

    conflict = gh.as_("bot").post(f"{gh.repo}/deployments", {"ref": sha("feature")})
    assert (conflict.status, conflict.body["message"]) == (409, f"Conflict merging main into {sha('feature')}.")

    merged = gh.as_("bot").post(f"{gh.repo}/deployments", {"ref": "feature"})
    assert (merged.status, merged.body["message"]) == (202, "Auto-merged main into feature on deployment.")
    branch = gh.as_("bot").get(f"{gh.repo}/branches/feature").body["commit"]
    assert [p["sha"] for p in branch["parents"]] == [sha("feature"), sha("main moved on")]
    assert gh.as_("bot").get(f"{gh.repo}/deployments").body == []  # a 202 creates no deployment

    again = deploy(gh, ref="feature", auto_merge=True)  # now it contains main: deployed
    assert again["sha"] == branch["sha"]
    assert deploy(gh, ref=sha("feature"))["sha"] == sha("feature")  # auto_merge false deploys as asked
    assert pull["head"]["ref"] == "feature"


def test_commit_statuses_must_succeed_unless_required_contexts_says_otherwise(gh: Session) -> None:
    tip = main_tip(gh)
    bot = gh.as_("bot")
    bot.post(f"{gh.repo}/statuses/{tip}", {"state": "success", "context": "ci/tests"})
    bot.post(f"{gh.repo}/statuses/{tip}", {"state": "pending", "context": "agentcore/smoke-test"})

    refused = bot.post(f"{gh.repo}/deployments", {"ref": "main"})
    assert (refused.status, refused.body["message"]) == (409, "Conflict: Commit status checks failed for main.")
    error = refused.body["errors"][0]
    assert (error["resource"], error["field"], error["code"]) == ("Deployment", "required_contexts", "invalid")
    assert {(c["context"], c["state"]) for c in error["contexts"]} == \
        {("ci/tests", "success"), ("agentcore/smoke-test", "pending")}

    assert deploy(gh, ref="main", required_contexts=["ci/tests"])["sha"] == tip
    assert deploy(gh, ref="main", required_contexts=[])["sha"] == tip
    never_reported = bot.post(f"{gh.repo}/deployments", {"ref": "main", "required_contexts": ["ci/lint"]})
    assert never_reported.status == 409

    bot.post(f"{gh.repo}/statuses/{tip}", {"state": "success", "context": "agentcore/smoke-test"})
    assert bot.post(f"{gh.repo}/deployments", {"ref": "main"}).status == 201


def test_deployment_statuses_record_progress_and_urls(gh: Session) -> None:
    deployment = deploy(gh, ref="main", environment="pr-7", transient_environment=True)
    started = report(gh, deployment, "in_progress", log_url="https://logs.example/1")
    done = report(gh, deployment, "success", description="Deployed version 3",
                  environment_url="https://console.example/runtime", log_url="https://logs.example/1")
    assert (started["state"], done["state"], done["environment"]) == ("in_progress", "success", "pr-7")
    assert (done["environment_url"], done["log_url"], done["target_url"]) == \
        ("https://console.example/runtime", "https://logs.example/1", "https://logs.example/1")
    assert done["description"] == "Deployed version 3" and done["deployment_url"] == deployment["url"]
    assert report(gh, deployment, "failure", target_url="https://old.example")["log_url"] == "https://old.example"

    listed = gh.as_("outsider").get(f"{gh.repo}/deployments/{deployment['id']}/statuses").body
    assert [s["state"] for s in listed] == ["failure", "success", "in_progress"]
    one = gh.as_("bot").get(f"{gh.repo}/deployments/{deployment['id']}/statuses/{done['id']}")
    assert one.body == done
    assert gh.as_("bot").get(f"{gh.repo}/deployments/{deployment['id']}/statuses/1").status == 404
    assert gh.as_("bot").post(f"{gh.repo}/deployments/999/statuses", {"state": "success"}).status == 404

    for state in ("error", "queued", "pending", "inactive"):
        assert report(gh, deployment, state)["state"] == state
    bad = gh.as_("bot").post(f"{gh.repo}/deployments/{deployment['id']}/statuses", {"state": "done"})
    assert (bad.status, bad.body["errors"][0]["field"]) == (422, "state")
    missing = gh.as_("bot").post(f"{gh.repo}/deployments/{deployment['id']}/statuses", {})
    assert (missing.status, missing.body["errors"][0]["code"]) == (422, "missing_field")


def test_success_marks_earlier_deployments_to_the_same_environment_inactive(gh: Session) -> None:
    staging_1 = deploy(gh, ref="main", environment="staging")
    staging_2 = deploy(gh, ref="main", environment="staging")
    transient = deploy(gh, ref="main", environment="staging", transient_environment=True)
    production_1 = deploy(gh, ref="main", environment="production")
    failed = deploy(gh, ref="main", environment="staging")
    other = deploy(gh, ref="main", environment="qa")
    for deployment in (staging_1, transient, production_1, other, staging_2):
        report(gh, deployment, "success")
    report(gh, failed, "failure")

    newest = deploy(gh, ref="main", environment="staging")
    production_2 = deploy(gh, ref="main", environment="production")
    report(gh, production_2, "success")
    assert state_of(gh, production_1) == "success"  # production environments are left alone
    report(gh, newest, "in_progress")
    assert state_of(gh, staging_2) == "success"  # only a success status makes others inactive
    report(gh, newest, "success")

    assert [state_of(gh, d) for d in (staging_1, staging_2, transient, failed, other, newest)] == \
        ["inactive", "inactive", "success", "failure", "success", "success"]
    inactive = gh.as_("bot").get(f"{gh.repo}/deployments/{staging_1['id']}/statuses").body[0]
    assert inactive["creator"]["login"] == "github-actions[bot]"

    kept = deploy(gh, ref="main", environment="qa")
    report(gh, kept, "success", auto_inactive=False)
    assert state_of(gh, other) == "success"


def test_a_status_can_move_the_deployment_to_another_environment(gh: Session) -> None:
    deployment = deploy(gh, ref="main", environment="staging")
    moved = report(gh, deployment, "success", environment="production")
    fetched = gh.as_("bot").get(f"{gh.repo}/deployments/{deployment['id']}").body
    assert (moved["environment"], fetched["environment"], fetched["original_environment"]) == \
        ("production", "production", "staging")


def test_only_inactive_deployments_are_deleted_unless_it_is_the_only_one(gh: Session) -> None:
    only = deploy(gh, ref="main", environment="pr-1")
    assert gh.as_("bot").delete(f"{gh.repo}/deployments/{only['id']}").status == 204

    first, second = deploy(gh, ref="main", environment="pr-2"), deploy(gh, ref="main", environment="pr-3")
    report(gh, first, "success")
    refused = gh.as_("bot").delete(f"{gh.repo}/deployments/{first['id']}")
    assert refused.status == 422 and "active deployment" in refused.body["errors"][0]["message"]
    assert gh.as_("bot").delete(f"{gh.repo}/deployments/{second['id']}").status == 422  # no status yet: not inactive
    report(gh, first, "inactive")
    assert gh.as_("bot").delete(f"{gh.repo}/deployments/{first['id']}").status == 204
    assert gh.as_("bot").get(f"{gh.repo}/deployments/{first['id']}").status == 404
    assert gh.as_("bot").delete(f"{gh.repo}/deployments/{first['id']}").status == 404


def test_environments_are_created_by_deploying_to_them(gh: Session) -> None:
    assert gh.as_("bot").get(f"{gh.repo}/environments").body == {"total_count": 0, "environments": []}
    deploy(gh, ref="main", environment="pr-4")
    deploy(gh, ref="main", environment="agentcore-production")
    deploy(gh, ref="main", environment="pr-4")
    listed = gh.as_("outsider").get(f"{gh.repo}/environments").body
    assert listed["total_count"] == 2
    assert [e["name"] for e in listed["environments"]] == ["agentcore-production", "pr-4"]
    paged = gh.as_("bot").get(f"{gh.repo}/environments?per_page=1&page=2")
    assert [e["name"] for e in paged.body["environments"]] == ["pr-4"] and paged.body["total_count"] == 2
    assert gh.as_("bot").get(f"{gh.repo}/environments/pr-4").body["name"] == "pr-4"
    assert gh.as_("bot").get(f"{gh.repo}/environments/pr-5").status == 404


@pytest.mark.parametrize("identity,status", [("maintainer", 201), ("app", 201), ("triage", 403), ("outsider", 403)])
def test_deploying_needs_the_write_role(gh: Session, identity: str, status: int) -> None:
    answer = gh.as_(identity).post(f"{gh.repo}/deployments", {"ref": "main"})
    assert answer.status == status, answer.body
    if status == 403:
        assert answer.body["message"] == "Resource not accessible by personal access token"


def test_github_token_needs_deployments_write(gh: Session) -> None:
    deployment = deploy(gh, ref="main")
    narrow = gh.control("POST", "/_sandbox/token-permissions",
                        {"permissions": {"contents": "read", "statuses": "write", "deployments": "read"}})
    assert narrow.status == 200 and narrow.body["permissions"]["metadata"] == "read"

    bot = gh.as_("bot")
    for answer in (bot.post(f"{gh.repo}/deployments", {"ref": "main"}),
                   bot.post(f"{gh.repo}/deployments/{deployment['id']}/statuses", {"state": "success"}),
                   bot.delete(f"{gh.repo}/deployments/{deployment['id']}")):
        assert (answer.status, answer.body["message"]) == (403, "Resource not accessible by integration")
        assert answer.headers["x-accepted-github-permissions"] == "deployments=write"
    assert bot.get(f"{gh.repo}/deployments").status == 200  # reading a public repository needs no permission
    assert len(bot.get(f"{gh.repo}/deployments/{deployment['id']}/statuses").body) == 0

    gh.control("POST", "/_sandbox/token-permissions", {"permissions": {"deployments": "write"}})
    assert bot.post(f"{gh.repo}/deployments", {"ref": "main"}).status == 201
    refused = bot.post(f"{gh.repo}/statuses/{main_tip(gh)}", {"state": "success"})
    assert refused.status == 403 and refused.headers["x-accepted-github-permissions"] == "statuses=write"
    assert gh.as_("maintainer").post(f"{gh.repo}/statuses/{main_tip(gh)}", {"state": "success"}).status == 201
