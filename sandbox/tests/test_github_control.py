"""The control API: pull requests opened, pushed to, merged and closed the way GitHub users would,
plus repositories, the state dump, the request log and reset."""

from __future__ import annotations

from github_fixtures import Session, emulator, gh, sha  # noqa: F401


def pulls_path(gh: Session, suffix: str = "") -> str:
    return f"/_sandbox{gh.repo}/pulls{suffix}"


def test_opening_a_pull_request_takes_the_next_number_shared_with_issues(gh: Session) -> None:
    gh.new_issue()
    opened = gh.open_pull(title="Add tool", head_sha=sha("a"), head_ref="add-tool", body="Adds a tool",
                          user=gh.login("outsider"))
    assert opened["number"] == 2
    assert (opened["state"], opened["merged"], opened["merged_at"]) == ("open", False, None)
    assert len(opened["merge_commit_sha"]) == 40  # GitHub's test merge commit, not on main
    assert (opened["head"]["sha"], opened["head"]["ref"], opened["base"]["ref"]) == (sha("a"), "add-tool", "main")
    assert opened["head"]["repo"]["fork"] is False and opened["user"]["login"] == gh.login("outsider")
    assert gh.new_issue()["number"] == 3

    chosen = gh.open_pull(number=10)
    assert chosen["number"] == 10 and gh.new_issue()["number"] == 11
    taken = gh.control("POST", pulls_path(gh), {"number": 10, "head_sha": sha("b")})
    assert taken.status == 422


def test_a_pull_request_from_a_fork_has_the_forks_head_repository(gh: Session) -> None:
    pull = gh.open_pull(user="forker", fork=True, head_ref="patch-1")
    assert pull["head"]["repo"]["fork"] is True
    assert pull["head"]["repo"]["full_name"] == f"forker/{gh.repository.split('/')[1]}"
    assert pull["head"]["label"] == "forker:patch-1"
    permission = gh.as_("bot").get(f"{gh.repo}/collaborators/forker/permission").body
    assert (permission["permission"], permission["role_name"]) == ("read", "read")


def test_push_merge_and_close(gh: Session) -> None:
    first, second = gh.open_pull(head_sha=sha("1")), gh.open_pull(head_sha=sha("2"))

    pushed = gh.control("POST", pulls_path(gh, f"/{first['number']}/push"), {"head_sha": sha("1b")})
    assert pushed.body["head"]["sha"] == sha("1b")

    merged = gh.control("POST", pulls_path(gh, f"/{first['number']}/merge"), {"merge_commit_sha": sha("m")}).body
    assert (merged["state"], merged["merged"], merged["merge_commit_sha"]) == ("closed", True, sha("m"))
    assert merged["merged_at"] == merged["closed_at"] and merged["merged_by"]["login"] == gh.login("maintainer")
    as_issue = gh.as_("bot").get(f"{gh.repo}/issues/{first['number']}").body
    assert as_issue["state"] == "closed" and as_issue["pull_request"]["merged_at"] == merged["merged_at"]

    closed = gh.control("POST", pulls_path(gh, f"/{second['number']}/close")).body
    assert (closed["state"], closed["merged"], closed["merged_at"]) == ("closed", False, None)

    again = gh.control("POST", pulls_path(gh, f"/{first['number']}/merge"), {"merge_commit_sha": sha("n")})
    assert again.status == 422 and "not open" in again.body["message"]
    bad_sha = gh.control("POST", pulls_path(gh), {"head_sha": "HEAD"})
    assert bad_sha.status == 400 and "head_sha" in bad_sha.body["message"]
    assert gh.control("POST", pulls_path(gh, "/99/close")).status == 404


def test_state_dump_holds_everything(gh: Session) -> None:
    issue = gh.new_issue("bot", labels=["deployment"])
    comment = gh.as_("bot").post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": "<!-- m -->"}).body
    pull = gh.open_pull()

    state = gh.control("GET", "/_sandbox/state").body
    assert [r["full_name"] for r in state["repos"]] == [gh.repository]
    assert [i["number"] for i in state["issues"]] == [issue["number"], pull["number"]]
    assert [p["number"] for p in state["pulls"]] == [pull["number"]]
    assert [(c["id"], c["issue_number"], c["body"], c["user"]["login"]) for c in state["comments"]] == \
        [(comment["id"], issue["number"], "<!-- m -->", "github-actions[bot]")]
    assert "deployment" in [l["name"] for l in state["labels"][gh.repository]]


def test_request_log_records_calls_without_tokens_and_can_be_cleared(gh: Session) -> None:
    gh.as_("bot").get(f"{gh.repo}/issues?state=all")
    gh.as_("outsider").post(f"{gh.repo}/labels", {"name": "x", "color": "ffffff"})
    log = gh.control("GET", "/_sandbox/requests").body["requests"]
    assert [(e["method"], e["path"], e["status"], e["login"]) for e in log] == [
        ("GET", f"{gh.repo}/issues?state=all", 200, "github-actions[bot]"),
        ("POST", f"{gh.repo}/labels", 403, gh.login("outsider")),
    ]
    assert not any(token in str(log) for token in gh.info["tokens"].values())
    assert gh.control("DELETE", "/_sandbox/requests").status == 204
    assert gh.control("GET", "/_sandbox/requests").body["requests"] == []


def test_reset_forgets_everything_but_keeps_the_tokens(gh: Session) -> None:
    gh.new_issue()
    gh.control("POST", "/_sandbox/faults", {"fault": "error500", "probability": 1.0, "path_contains": "/nothing"})
    assert gh.control("POST", "/_sandbox/reset").status == 204
    state = gh.control("GET", "/_sandbox/state").body
    assert state["issues"] == [] and gh.control("GET", "/_sandbox/faults").body["faults"] == []
    assert gh.new_issue()["number"] == 1


def test_extra_repositories_start_with_githubs_default_labels(gh: Session) -> None:
    created = gh.control("POST", "/_sandbox/repos", {"full_name": "other-org/other-repo"})
    assert created.status == 201
    labels = gh.as_("bot").get("/repos/other-org/other-repo/labels").body
    assert len(labels) == 9 and labels[0] == {**labels[0], "name": "bug", "color": "d73a4a", "default": True}
    assert gh.control("POST", "/_sandbox/repos", {"full_name": "other-org/other-repo"}).status == 422
    assert gh.control("POST", "/_sandbox/repos", {"full_name": "no-slash"}).status == 400
