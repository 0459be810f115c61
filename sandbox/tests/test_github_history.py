"""The commit graph the control API builds (pushes, pull requests, merges) and what the REST API
shows of it: commits with their parents, branches, references, comparisons; and the commit
statuses reported on commits, one by one and combined."""

from __future__ import annotations

import pytest

from github_fixtures import Session, emulator, gh, sha  # noqa: F401


def push(gh: Session, seed: str, **fields) -> dict:
    answer = gh.control("POST", f"/_sandbox{gh.repo}/push", {"sha": sha(seed), **fields})
    assert answer.status == 200, answer.body
    return answer.body


def merge(gh: Session, number: int, seed: str, **fields) -> dict:
    answer = gh.control("POST", f"/_sandbox{gh.repo}/pulls/{number}/merge", {"merge_commit_sha": sha(seed), **fields})
    assert answer.status == 200, answer.body
    return answer.body


def compare(gh: Session, base: str, head: str, query: str = "") -> dict:
    answer = gh.as_("bot").get(f"{gh.repo}/compare/{base}...{head}{query}")
    assert answer.status == 200, answer.body
    return answer.body


def parents(gh: Session, ref: str) -> list[str]:
    return [p["sha"] for p in gh.as_("bot").get(f"{gh.repo}/commits/{ref}").body["parents"]]


def test_a_repository_starts_with_one_commit_on_main(gh: Session) -> None:
    bot = gh.as_("bot")
    main = bot.get(f"{gh.repo}/branches/main").body
    assert main["name"] == "main" and main["commit"]["parents"] == [] and main["protected"] is False
    ref = bot.get(f"{gh.repo}/git/ref/heads/main").body
    assert (ref["ref"], ref["object"]["sha"], ref["object"]["type"]) == ("refs/heads/main", main["commit"]["sha"], "commit")
    assert bot.get(gh.repo).body["default_branch"] == "main"
    assert [b["name"] for b in bot.get(f"{gh.repo}/branches").body] == ["main"]


def test_pull_requests_pushes_and_merges_build_the_graph(gh: Session) -> None:
    start = gh.as_("bot").get(f"{gh.repo}/branches/main").body["commit"]["sha"]
    pull = gh.open_pull(head_sha=sha("pr 1"), head_ref="feature")
    assert pull["base"]["sha"] == start and parents(gh, sha("pr 1")) == [start]
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/push", {"head_sha": sha("pr 2")})
    assert parents(gh, sha("pr 2")) == [sha("pr 1")]
    assert gh.as_("bot").get(f"{gh.repo}/branches/feature").body["commit"]["sha"] == sha("pr 2")
    assert gh.as_("bot").get(f"{gh.repo}/pulls/{pull['number']}").body["commits"] == 2

    push(gh, "hotfix", message="Fix the prompt")
    merged = merge(gh, pull["number"], "merge 1")
    assert merged["merge_commit_sha"] == sha("merge 1")
    assert parents(gh, "main") == [sha("hotfix"), sha("pr 2")]
    commit = gh.as_("bot").get(f"{gh.repo}/commits/{sha('merge 1')}").body["commit"]
    assert commit["message"].startswith(f"Merge pull request #{pull['number']} from ")

    squashed = gh.open_pull(head_sha=sha("pr 3"), title="Haiku prompt")
    merge(gh, squashed["number"], "squash 1", merge_method="squash")
    assert parents(gh, "main") == [sha("merge 1")]
    assert gh.as_("bot").get(f"{gh.repo}/commits/main").body["commit"]["message"] == \
        f"Haiku prompt (#{squashed['number']})"


def test_fork_pull_requests_leave_the_repositorys_branches_alone(gh: Session) -> None:
    gh.open_pull(head_sha=sha("from fork"), head_ref="patch-1", user="forker", fork=True)
    assert [b["name"] for b in gh.as_("bot").get(f"{gh.repo}/branches").body] == ["main"]
    assert parents(gh, sha("from fork")) == [gh.as_("bot").get(f"{gh.repo}/commits/main").body["sha"]]


def test_compare_says_how_head_relates_to_base(gh: Session) -> None:
    root = gh.as_("bot").get(f"{gh.repo}/commits/main").body["sha"]
    pull = gh.open_pull(head_sha=sha("b1"), head_ref="topic")
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/push", {"head_sha": sha("b2")})

    ahead = compare(gh, "main", "topic")
    assert (ahead["status"], ahead["ahead_by"], ahead["behind_by"], ahead["total_commits"]) == ("ahead", 2, 0, 2)
    assert [c["sha"] for c in ahead["commits"]] == [sha("b1"), sha("b2")]  # oldest first
    assert ahead["merge_base_commit"]["sha"] == root and ahead["base_commit"]["sha"] == root

    behind = compare(gh, sha("b2"), sha("b1"))
    assert (behind["status"], behind["ahead_by"], behind["behind_by"], behind["commits"]) == ("behind", 0, 1, [])
    assert compare(gh, "topic", sha("b2"))["status"] == "identical"

    push(gh, "m1")
    diverged = compare(gh, "main", "topic")
    assert (diverged["status"], diverged["ahead_by"], diverged["behind_by"]) == ("diverged", 2, 1)
    assert diverged["merge_base_commit"]["sha"] == root

    merge(gh, pull["number"], "merge")
    after = compare(gh, sha("b2"), "main")
    assert (after["status"], after["ahead_by"], [c["sha"] for c in after["commits"]]) == \
        ("ahead", 2, [sha("m1"), sha("merge")])
    assert compare(gh, f"{gh.repository.split('/')[0]}:main", sha("b1")[:10])["status"] == "behind"


def test_compare_pages_its_commits_when_asked(gh: Session) -> None:
    base = gh.as_("bot").get(f"{gh.repo}/commits/main").body["sha"]
    for n in range(5):
        push(gh, f"c{n}")
    page = gh.as_("bot").get(f"{gh.repo}/compare/{base}...main?per_page=2&page=2")
    assert [c["sha"] for c in page.body["commits"]] == [sha("c2"), sha("c3")]
    assert page.body["ahead_by"] == 5 and 'rel="next"' in page.headers["link"]
    assert len(compare(gh, base, "main")["commits"]) == 5


@pytest.mark.parametrize("spec", [f"main...{sha('nowhere')}", "nowhere...main", "main..main", "other-owner:main...main"])
def test_compare_with_unknown_commits_is_not_found(gh: Session, spec: str) -> None:
    answer = gh.as_("bot").get(f"{gh.repo}/compare/{spec}")
    assert (answer.status, answer.body["message"]) == (404, "Not Found")


def test_histories_without_a_common_commit_cannot_be_compared(gh: Session) -> None:
    push(gh, "orphan", branch="gh-pages", parents=[])
    answer = gh.as_("bot").get(f"{gh.repo}/compare/main...gh-pages")
    assert (answer.status, answer.body["message"]) == (404, "No common ancestor between main and gh-pages.")


def test_unknown_commits_branches_and_references(gh: Session) -> None:
    bot = gh.as_("bot")
    missing = bot.get(f"{gh.repo}/commits/{sha('nothing')}")
    assert (missing.status, missing.body["message"]) == (422, f"No commit found for SHA: {sha('nothing')}")
    assert (bot.get(f"{gh.repo}/branches/nope").status, bot.get(f"{gh.repo}/branches/nope").body["message"]) == \
        (404, "Branch not found")
    assert bot.get(f"{gh.repo}/git/ref/heads/nope").status == 404
    assert bot.get(f"{gh.repo}/git/ref/tags/v1").status == 404


def test_the_push_control_call_creates_and_moves_branches(gh: Session) -> None:
    start = gh.as_("bot").get(f"{gh.repo}/commits/main").body["sha"]
    first = push(gh, "p1", message="First")
    assert (first["ref"], first["before"], first["after"], first["created"], first["forced"]) == \
        ("refs/heads/main", start, sha("p1"), False, False)
    branch = push(gh, "rel", branch="release/1")
    assert branch["created"] and parents(gh, sha("rel")) == [sha("p1")]
    assert gh.as_("bot").get(f"{gh.repo}/branches/release/1").body["commit"]["sha"] == sha("rel")
    reset = push(gh, "p1", branch="release/1")  # a known commit: the branch moves back to it
    assert reset["forced"] and reset["after"] == sha("p1")

    for body, problem in (({"sha": "HEAD"}, "sha must be"), ({"sha": sha("x"), "parents": [sha("unknown")]}, "no commit"),
                          ({"sha": sha("p1"), "parents": []}, "cannot change"), ({"sha": sha("y"), "branch": "refs/heads/x"},
                                                                                 "branch must")):
        answer = gh.control("POST", f"/_sandbox{gh.repo}/push", body)
        assert answer.status == 400 and problem in answer.body["message"], answer.body


def test_a_pull_request_needs_a_known_base(gh: Session) -> None:
    unknown = gh.control("POST", f"/_sandbox{gh.repo}/pulls", {"head_sha": sha("h"), "base_sha": sha("elsewhere")})
    assert unknown.status == 400 and "push it first" in unknown.body["message"]
    other = gh.control("POST", f"/_sandbox{gh.repo}/pulls", {"head_sha": sha("h"), "base_ref": "develop"})
    assert other.status == 400 and "base_ref" in other.body["message"]
    assert gh.control("GET", "/_sandbox/state").body["issues"] == []  # nothing half-done


# Commit statuses


def test_commit_statuses_are_listed_newest_first_and_combined(gh: Session) -> None:
    tip = gh.as_("bot").get(f"{gh.repo}/commits/main").body["sha"]
    bot = gh.as_("bot")
    assert bot.get(f"{gh.repo}/commits/main/status").body["state"] == "pending"  # no statuses yet

    first = bot.post(f"{gh.repo}/statuses/{tip}", {"state": "pending", "context": "agentcore/smoke-test",
                                                   "description": "Testing", "target_url": "https://run.example/1"})
    assert first.status == 201 and first.headers.get("location") == first.body["url"]
    assert (first.body["state"], first.body["context"], first.body["creator"]["login"]) == \
        ("pending", "agentcore/smoke-test", "github-actions[bot]")
    bot.post(f"{gh.repo}/statuses/{tip}", {"state": "success"})
    bot.post(f"{gh.repo}/statuses/{tip}", {"state": "success", "context": "agentcore/smoke-test"})

    listed = gh.as_("outsider").get(f"{gh.repo}/commits/main/statuses").body
    assert [(s["context"], s["state"]) for s in listed] == \
        [("agentcore/smoke-test", "success"), ("default", "success"), ("agentcore/smoke-test", "pending")]
    combined = bot.get(f"{gh.repo}/commits/{tip}/status").body
    assert (combined["state"], combined["sha"], combined["total_count"]) == ("success", tip, 2)
    assert {(s["context"], s["state"]) for s in combined["statuses"]} == {("agentcore/smoke-test", "success"),
                                                                          ("default", "success")}
    assert combined["repository"]["full_name"] == gh.repository

    bot.post(f"{gh.repo}/statuses/{tip}", {"state": "error", "context": "ci"})
    assert bot.get(f"{gh.repo}/commits/main/status").body["state"] == "failure"
    bot.post(f"{gh.repo}/statuses/{tip}", {"state": "pending", "context": "ci"})
    assert bot.get(f"{gh.repo}/commits/main/status").body["state"] == "pending"
    assert bot.get(f"{gh.repo}/commits/main/statuses?per_page=2").headers["link"].count("rel=") == 2


def test_bad_commit_statuses_are_refused(gh: Session) -> None:
    tip = gh.as_("bot").get(f"{gh.repo}/commits/main").body["sha"]
    bot = gh.as_("bot")
    unknown = bot.post(f"{gh.repo}/statuses/{sha('nowhere')}", {"state": "success"})
    assert (unknown.status, unknown.body["message"]) == (422, f"No commit found for SHA: {sha('nowhere')}")
    wrong = bot.post(f"{gh.repo}/statuses/{tip}", {"state": "passed"})
    assert wrong.status == 422 and wrong.body["errors"][0]["message"] == "state is not included in the list"
    long = bot.post(f"{gh.repo}/statuses/{tip}", {"state": "success", "description": "x" * 141})
    assert long.status == 422 and "too long" in long.body["errors"][0]["message"]
    assert bot.post(f"{gh.repo}/statuses/{tip}", {}).body["errors"][0]["code"] == "missing_field"
    assert gh.as_("triage").post(f"{gh.repo}/statuses/{tip}", {"state": "success"}).status == 403
    assert bot.get(f"{gh.repo}/commits/{tip}/statuses").body == []
    assert bot.get(f"{gh.repo}/commits/{sha('nowhere')}/status").status == 404
    assert bot.get(f"{gh.repo}/commits/no-branch/statuses").body == []
