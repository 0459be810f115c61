"""Who and what things are: a repository's stable id across renames and transfers (the old name
redirects as GitHub's API does), forks and pull requests from forks, and bot and app accounts as
event senders."""

from __future__ import annotations

import base64

import pytest

from github_fixtures import Session, emulator, gh, request, sha  # noqa: F401


def event(gh: Session, **body) -> dict:
    answer = gh.control("POST", f"/_sandbox{gh.repo}/events", body)
    assert answer.status == 200, answer.body
    return answer.body


def test_a_repository_has_a_stable_id_node_id_and_owner(gh: Session) -> None:
    repo = gh.as_("bot").get(gh.repo).body
    owner = gh.repository.split("/")[0]
    assert isinstance(repo["id"], int) and base64.b64decode(repo["node_id"]).decode() == f"010:Repository{repo['id']}"
    assert (repo["owner"]["login"], repo["owner"]["type"], repo["default_branch"], repo["fork"]) == \
        (owner, "Organization", "main", False)
    assert "parent" not in repo and "source" not in repo
    gh.emulator.reset()
    again = gh.as_("bot").get(gh.repo).body
    assert (again["id"], again["owner"]["id"]) == (repo["id"], repo["owner"]["id"])

    other = gh.control("POST", "/_sandbox/repos", {"full_name": "other-org/agent-app"}).body
    assert other["id"] != repo["id"] and other["owner"]["id"] != repo["owner"]["id"]
    same_owner = gh.control("POST", "/_sandbox/repos", {"full_name": f"{owner}/second"}).body
    assert same_owner["owner"]["id"] == repo["owner"]["id"]


def test_a_renamed_repository_keeps_its_id_and_its_old_name_redirects(gh: Session) -> None:
    before = gh.as_("bot").get(gh.repo).body
    issue = gh.new_issue()
    renamed = gh.control("PATCH", f"/_sandbox{gh.repo}", {"full_name": "sandbox-org/renamed-app"})
    assert renamed.status == 200 and (renamed.body["id"], renamed.body["full_name"]) == \
        (before["id"], "sandbox-org/renamed-app")

    moved = gh.as_("bot").call("GET", f"{gh.repo}/issues/{issue['number']}?state=all", follow_redirects=False)
    target = f"{gh.url}/repositories/{before['id']}/issues/{issue['number']}"
    assert (moved.status, moved.body["message"], moved.body["url"]) == (301, "Moved Permanently", target)
    assert moved.headers["location"] == target + "?state=all"
    assert request(moved.headers["location"], token=gh.info["tokens"]["bot"]).body["number"] == issue["number"]

    written = gh.as_("bot").post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": "hello"})
    assert (written.status, written.body["message"]) == (307, "Temporary Redirect")
    followed = request(written.headers["location"], "POST", token=gh.info["tokens"]["bot"], json_body={"body": "hello"})
    assert followed.status == 201
    current = gh.as_("bot").get("/repos/sandbox-org/renamed-app").body
    assert (current["id"], current["full_name"]) == (before["id"], "sandbox-org/renamed-app")
    assert gh.as_("bot").get("/repos/sandbox-org/never-existed").status == 404


def test_a_transferred_repository_has_its_new_owner_and_the_same_id(gh: Session) -> None:
    before = gh.as_("bot").get(gh.repo).body
    gh.control("PATCH", f"/_sandbox{gh.repo}", {"full_name": "new-owner/agent-app"})
    after = gh.as_("bot").get("/repos/new-owner/agent-app").body
    assert after["id"] == before["id"] and after["owner"]["login"] == "new-owner"
    assert after["owner"]["id"] != before["owner"]["id"]
    assert gh.as_("bot").call("GET", gh.repo, follow_redirects=False).status == 301
    assert gh.as_("bot").get(gh.repo).body["full_name"] == "new-owner/agent-app"  # a client that follows it

    # Creating a repository under the old name ends the redirect, as on GitHub.
    gh.control("POST", "/_sandbox/repos", {"full_name": gh.repository})
    reused = gh.as_("bot").get(gh.repo)
    assert reused.status == 200 and reused.body["id"] != before["id"]


def test_repository_changes_are_checked_before_anything_changes(gh: Session) -> None:
    gh.control("POST", "/_sandbox/repos", {"full_name": "sandbox-org/taken"})
    for body, status, problem in (({"full_name": "sandbox-org/taken"}, 422, "already exists"),
                                  ({"full_name": "no-slash"}, 400, "owner/name"),
                                  ({"full_name": "sandbox-org/x", "default_branch": "develop"}, 400, "push the branch"),
                                  ({"fork_of": "nobody/nothing"}, 400, "create it first")):
        answer = gh.control("PATCH", f"/_sandbox{gh.repo}", body)
        assert answer.status == status and problem in answer.body["message"], answer.body
    assert gh.as_("bot").get(gh.repo).body["full_name"] == gh.repository


def test_the_default_branch_can_be_another_branch(gh: Session) -> None:
    gh.control("POST", f"/_sandbox{gh.repo}/push", {"sha": sha("trunk"), "branch": "trunk"})
    assert gh.control("PATCH", f"/_sandbox{gh.repo}", {"default_branch": "trunk"}).body["default_branch"] == "trunk"
    assert gh.as_("bot").get(gh.repo).body["default_branch"] == "trunk"
    pull = gh.open_pull(head_sha=sha("on trunk"))
    assert (pull["base"]["ref"], pull["base"]["sha"]) == ("trunk", sha("trunk"))


def test_a_pull_request_from_a_fork_has_another_head_repository(gh: Session) -> None:
    pull = gh.open_pull(user="forker", fork=True)
    head, base = pull["head"]["repo"], pull["base"]["repo"]
    assert head["id"] != base["id"] and (head["fork"], base["fork"]) == (True, False)
    assert head["owner"]["login"] == "forker" and head["owner"]["type"] == "User"
    again = gh.open_pull(user="forker", fork=True, head_sha=sha("second"))
    other = gh.open_pull(user="someone-else", fork=True, head_sha=sha("third"))
    assert again["head"]["repo"]["id"] == head["id"]  # one fork per user
    assert other["head"]["repo"]["id"] not in (head["id"], base["id"])


def test_a_pull_request_inside_a_fork_has_one_repository_marked_fork(gh: Session) -> None:
    upstream = gh.control("POST", "/_sandbox/repos", {"full_name": "upstream-org/agent-app"}).body
    gh.control("PATCH", f"/_sandbox{gh.repo}", {"fork_of": "upstream-org/agent-app"})
    repo = gh.as_("bot").get(gh.repo).body
    assert repo["fork"] is True and repo["parent"]["id"] == upstream["id"] and repo["source"]["id"] == upstream["id"]

    pull = gh.open_pull()
    head, base = pull["head"]["repo"], pull["base"]["repo"]
    assert head["id"] == base["id"] == repo["id"] and head["fork"] is base["fork"] is True
    payload = event(gh, event="pull_request", action="opened", number=pull["number"])
    assert payload["pull_request"]["head"]["repo"]["id"] == payload["pull_request"]["base"]["repo"]["id"]
    assert payload["repository"]["fork"] is True

    fork_of_fork = gh.control("POST", "/_sandbox/repos", {"full_name": "third/agent-app", "fork_of": gh.repository})
    assert fork_of_fork.status == 201
    body = fork_of_fork.body
    assert (body["parent"]["id"], body["source"]["id"]) == (repo["id"], upstream["id"])
    assert gh.as_("bot").get("/repos/third/agent-app/commits/main").body["sha"] == \
        gh.as_("bot").get(f"{gh.repo}/commits/main").body["sha"]
    assert gh.control("PATCH", f"/_sandbox{gh.repo}", {"fork_of": None}).body["fork"] is False


@pytest.mark.parametrize("identity,login,kind", [
    ("bot", "github-actions[bot]", "Bot"), ("app", "some-app[bot]", "Bot"), ("maintainer", None, "User")])
def test_event_senders_carry_their_account_type(gh: Session, identity: str, login: str | None, kind: str) -> None:
    login = login or gh.login(identity)
    issue = gh.new_issue("bot")
    gh.as_(identity).post(f"{gh.repo}/issues/{issue['number']}/labels", {"labels": ["approved"]})
    labeled = event(gh, event="issues", action="labeled", number=issue["number"], label="approved")
    assert (labeled["sender"]["login"], labeled["sender"]["type"]) == (login, kind)
    dispatched = event(gh, event="workflow_dispatch", inputs={"version": "2"}, sender=login)
    assert (dispatched["sender"]["login"], dispatched["sender"]["type"]) == (login, kind)
    if kind == "Bot":
        assert dispatched["sender"]["html_url"].endswith("/apps/" + login.removesuffix("[bot]"))


def test_the_actions_bot_has_githubs_id(gh: Session) -> None:
    sender = event(gh, event="push", after=sha("x"), sender="github-actions[bot]")["sender"]
    assert (sender["id"], base64.b64decode(sender["node_id"]).decode()) == (41898282, "03:Bot41898282")
