"""REST behaviour of the emulator: issues, comments, labels, pull requests, pagination and errors."""

from __future__ import annotations

import re

from github_fixtures import Session, emulator, gh, request, sha  # noqa: F401


def links(answer) -> dict[str, str]:
    header = answer.headers.get("link") or ""
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


# Pagination


def test_250_comments_page_by_100_following_link_headers(gh: Session) -> None:
    issue = gh.new_issue()
    bot = gh.as_("bot")
    created = [bot.post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": f"comment {n}"}).body["id"]
               for n in range(250)]

    seen, url, pages = [], f"{gh.repo}/issues/{issue['number']}/comments?per_page=100", []
    while url:
        answer = bot.get(url)
        assert answer.status == 200
        pages.append((len(answer.body), links(answer)))
        seen += [comment["id"] for comment in answer.body]
        url = links(answer).get("next")

    assert seen == created
    assert [count for count, _ in pages] == [100, 100, 50]
    first, middle, last = (page_links for _, page_links in pages)
    assert set(first) == {"next", "last"} and set(middle) == {"prev", "next", "last", "first"}
    assert set(last) == {"prev", "first"}
    assert first["last"].startswith(gh.url + "/repositories/") and first["last"].endswith("per_page=100&page=3")


def test_per_page_defaults_to_30_and_is_capped_at_100(gh: Session) -> None:
    issue = gh.new_issue()
    for n in range(101):
        gh.as_("bot").post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": str(n)})
    default = gh.as_("bot").get(f"{gh.repo}/issues/{issue['number']}/comments")
    assert len(default.body) == 30 and links(default)["last"].endswith("?page=4")
    capped = gh.as_("bot").get(f"{gh.repo}/issues/{issue['number']}/comments?per_page=500&page=2")
    assert [c["body"] for c in capped.body] == ["100"]


# Issues


def test_issue_lifecycle_and_listing_by_label_and_state(gh: Session) -> None:
    bot = gh.as_("bot")
    deployment = gh.new_issue("bot", title="Deploy v3", body="<!-- meta -->", labels=["deployment", "production"])
    other = gh.new_issue("bot", title="Other", labels=["deployment"])
    pull = gh.open_pull(title="A change")
    bot.post(f"{gh.repo}/issues/{pull['number']}/labels", {"labels": ["deployment", "production"]})

    assert [deployment["number"], other["number"], pull["number"]] == [1, 2, 3]
    listed = bot.get(f"{gh.repo}/issues?labels=deployment,production&state=open").body
    assert [(i["number"], "pull_request" in i) for i in listed] == [(3, True), (1, False)]

    closed = bot.patch(f"{gh.repo}/issues/1", {"state": "closed", "state_reason": "completed"}).body
    assert (closed["state"], closed["state_reason"], closed["closed_by"]["login"]) == \
        ("closed", "completed", "github-actions[bot]")
    assert closed["closed_at"]
    assert [i["number"] for i in bot.get(f"{gh.repo}/issues?labels=production").body] == [3]
    assert [i["number"] for i in bot.get(f"{gh.repo}/issues?labels=production&state=closed").body] == [1]
    assert [i["number"] for i in bot.get(f"{gh.repo}/issues?state=all&direction=asc").body] == [1, 2, 3]

    reopened = bot.patch(f"{gh.repo}/issues/1", {"state": "open"}).body
    assert (reopened["state"], reopened["state_reason"], reopened["closed_at"]) == ("open", "reopened", None)
    assert bot.get(f"{gh.repo}/issues/1").body["body"] == "<!-- meta -->"


def test_comments_carry_author_timestamps_and_links_and_can_be_edited_and_deleted(gh: Session) -> None:
    issue = gh.new_issue()
    bot = gh.as_("bot")
    comment = bot.post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": "deployed"}).body
    assert comment["user"] == {**comment["user"], "login": "github-actions[bot]", "type": "Bot", "id": 41898282}
    assert comment["created_at"] == comment["updated_at"]
    assert comment["html_url"].endswith(f"/issues/{issue['number']}#issuecomment-{comment['id']}")
    assert comment["author_association"] == "NONE"

    edited = bot.patch(f"{gh.repo}/issues/comments/{comment['id']}", {"body": "redeployed"})
    assert (edited.status, edited.body["body"], edited.body["id"]) == (200, "redeployed", comment["id"])
    assert bot.get(f"{gh.repo}/issues/comments/{comment['id']}").body["body"] == "redeployed"
    assert bot.get(f"{gh.repo}/issues/{issue['number']}").body["comments"] == 1

    assert bot.delete(f"{gh.repo}/issues/comments/{comment['id']}").status == 204
    assert bot.get(f"{gh.repo}/issues/comments/{comment['id']}").status == 404
    assert bot.get(f"{gh.repo}/issues/{issue['number']}/comments").body == []


# Labels


def test_adding_unknown_labels_creates_them_grey_and_matches_names_without_case(gh: Session) -> None:
    issue = gh.new_issue()
    bot = gh.as_("bot")
    added = bot.post(f"{gh.repo}/issues/{issue['number']}/labels", {"labels": ["needs-promotion", "BUG"]})
    assert added.status == 200
    assert [(l["name"], l["color"], l["default"]) for l in added.body] == \
        [("needs-promotion", "ededed", False), ("bug", "d73a4a", True)]
    again = bot.post(f"{gh.repo}/issues/{issue['number']}/labels", ["Needs-Promotion", "approved"]).body
    assert [l["name"] for l in again] == ["needs-promotion", "bug", "approved"]
    repo_labels = [l["name"] for l in bot.get(f"{gh.repo}/labels?per_page=100").body]
    assert repo_labels.count("needs-promotion") == 1 and "approved" in repo_labels

    removed = bot.delete(f"{gh.repo}/issues/{issue['number']}/labels/needs-promotion")
    assert [l["name"] for l in removed.body] == ["bug", "approved"]
    absent = bot.delete(f"{gh.repo}/issues/{issue['number']}/labels/needs-promotion")
    assert (absent.status, absent.body["message"]) == (404, "Label does not exist")
    assert [l["name"] for l in bot.get(f"{gh.repo}/issues/{issue['number']}/labels").body] == ["bug", "approved"]

    replaced = bot.put(f"{gh.repo}/issues/{issue['number']}/labels", {"labels": ["promoted"]})
    assert [l["name"] for l in replaced.body] == ["promoted"]


def test_label_names_with_spaces_are_addressed_url_encoded(gh: Session) -> None:
    bot = gh.as_("bot")
    label = bot.get(f"{gh.repo}/labels/good%20first%20issue").body
    assert label["name"] == "good first issue" and label["url"].endswith("/labels/good%20first%20issue")
    issue = gh.new_issue("bot", labels=["good first issue"])
    assert bot.delete(f"{gh.repo}/issues/{issue['number']}/labels/good%20first%20issue").body == []


def test_creating_an_existing_label_is_rejected(gh: Session) -> None:
    maintainer = gh.as_("maintainer")
    assert maintainer.post(f"{gh.repo}/labels", {"name": "approved", "color": "0e8a16"}).status == 201
    clash = maintainer.post(f"{gh.repo}/labels", {"name": "Approved", "color": "0e8a16"})
    assert clash.status == 422
    assert clash.body["errors"] == [{"resource": "Label", "code": "already_exists", "field": "name"}]


# Pull requests, repository, user


def test_pull_requests_are_found_by_head_sha_and_by_merge_commit_sha(gh: Session) -> None:
    bot = gh.as_("bot")
    head, merge = sha("feature"), sha("merge")
    pull = gh.open_pull(head_sha=head, head_ref="feature")
    assert [p["number"] for p in bot.get(f"{gh.repo}/commits/{head}/pulls").body] == [pull["number"]]
    assert bot.get(f"{gh.repo}/commits/{merge}/pulls").body == []

    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/merge", {"merge_commit_sha": merge})
    found = bot.get(f"{gh.repo}/commits/{merge}/pulls").body
    assert [(p["number"], p["merged_at"] is not None, p["merge_commit_sha"]) for p in found] == \
        [(pull["number"], True, merge)]
    assert bot.get(f"{gh.repo}/commits/{merge[:7]}/pulls").body[0]["number"] == pull["number"]
    not_a_sha = bot.get(f"{gh.repo}/commits/main~1/pulls")
    assert not_a_sha.status == 422 and "No commit found" in not_a_sha.body["message"]


def test_a_pull_request_is_an_issue_but_an_issue_is_no_pull_request(gh: Session) -> None:
    bot = gh.as_("bot")
    issue = gh.new_issue()
    pull = gh.open_pull()
    assert bot.get(f"{gh.repo}/pulls/{issue['number']}").status == 404
    as_issue = bot.get(f"{gh.repo}/issues/{pull['number']}").body
    assert as_issue["pull_request"]["url"].endswith(f"/pulls/{pull['number']}")
    comment = bot.post(f"{gh.repo}/issues/{pull['number']}/comments", {"body": "runtime pr_2"}).body
    assert comment["html_url"].endswith(f"/pull/{pull['number']}#issuecomment-{comment['id']}")
    assert bot.get(f"{gh.repo}/pulls?state=open").body[0]["number"] == pull["number"]


def test_repository_and_user_endpoints(gh: Session) -> None:
    repository = gh.as_("triage").get(gh.repo).body
    assert repository["full_name"] == gh.repository and repository["default_branch"] == "main"
    assert repository["permissions"] == {"admin": False, "maintain": False, "push": False, "triage": True, "pull": True}
    via_id = gh.as_("triage").get(f"/repositories/{repository['id']}")
    assert via_id.body["full_name"] == gh.repository
    me = gh.as_("maintainer").get("/user").body
    assert (me["login"], me["type"]) == (gh.login("maintainer"), "User")


def test_permission_endpoint_maps_roles_as_github_does(gh: Session) -> None:
    expected = {"maintainer": ("write", "maintain"), "triage": ("read", "triage"), "outsider": ("read", "read")}
    for identity, (permission, role_name) in expected.items():
        login = gh.login(identity)
        answer = gh.as_("bot").get(f"{gh.repo}/collaborators/{login}/permission")
        assert answer.status == 200
        assert (answer.body["permission"], answer.body["role_name"], answer.body["user"]["login"]) == \
            (permission, role_name, login), identity
    assert gh.as_("bot").get(f"{gh.repo}/collaborators/nobody-at-all/permission").status == 404


def test_bots_and_apps_are_no_users_to_the_permission_endpoint(gh: Session) -> None:
    for identity in ("bot", "app"):
        login = gh.login(identity)
        answer = gh.as_("maintainer").get(f"{gh.repo}/collaborators/{login}/permission")
        assert (answer.status, answer.body["message"]) == (404, f"{login} is not a user"), identity
        assert answer.body["documentation_url"].endswith("#get-repository-permissions-for-a-user")


# Errors


def test_error_bodies_are_shaped_like_githubs(gh: Session) -> None:
    bad = request(gh.url + gh.repo, token="ghp_not-a-token")
    assert (bad.status, bad.body["message"]) == (401, "Bad credentials")
    assert bad.body["documentation_url"].startswith("https://docs.github.com/")
    assert request(gh.url + gh.repo).status == 401
    assert request(gh.url + gh.repo, token=gh.info["tokens"]["bot"], scheme="token").status == 200

    bot = gh.as_("bot")
    for path in ("/repos/nobody/nothing", f"{gh.repo}/issues/99", f"{gh.repo}/no-such-thing", f"{gh.repo}/labels/nope"):
        missing = bot.get(path)
        assert (missing.status, missing.body["message"]) == (404, "Not Found"), path
        assert "documentation_url" in missing.body

    forbidden = gh.as_("outsider").post(f"{gh.repo}/labels", {"name": "x", "color": "ffffff"})
    assert forbidden.status == 403
    assert forbidden.body["message"] == "Resource not accessible by personal access token"

    no_title = bot.post(f"{gh.repo}/issues", {"body": "b"})
    assert no_title.status == 422 and no_title.body["message"] == "Validation Failed"
    assert no_title.body["errors"] == [{"resource": "Issue", "code": "missing_field", "field": "title"}]
    not_json = bot.call("POST", f"{gh.repo}/issues", raw_body=b"{title")
    assert (not_json.status, not_json.body["message"]) == (400, "Problems parsing JSON")


def test_bodies_longer_than_65536_characters_are_rejected(gh: Session) -> None:
    issue = gh.new_issue()
    bot = gh.as_("bot")
    comments = f"{gh.repo}/issues/{issue['number']}/comments"
    assert bot.post(comments, {"body": "x" * 65536}).status == 201
    too_long = bot.post(comments, {"body": "x" * 65537})
    assert too_long.status == 422
    assert too_long.body["errors"][0]["code"] == "custom"
    assert "too long" in too_long.body["errors"][0]["message"]
    assert bot.post(f"{gh.repo}/issues", {"title": "t", "body": "é" * 65537}).status == 422
    assert bot.patch(f"{gh.repo}/issues/{issue['number']}", {"body": "x" * 65537}).status == 422


def test_issue_events_say_who_labelled_closed_and_merged(gh: Session) -> None:
    issue = gh.new_issue("bot", labels=["deployment"])
    events_path = f"{gh.repo}/issues/{issue['number']}/events"
    gh.as_("triage").post(f"{gh.repo}/issues/{issue['number']}/labels", {"labels": ["approved", "deployment"]})
    gh.as_("outsider").post(f"{gh.repo}/issues/{issue['number']}/labels", {"labels": ["sneaky"]})  # refused
    gh.as_("bot").delete(f"{gh.repo}/issues/{issue['number']}/labels/approved")
    gh.as_("bot").patch(f"{gh.repo}/issues/{issue['number']}", {"state": "closed"})
    gh.as_("maintainer").patch(f"{gh.repo}/issues/{issue['number']}", {"state": "open"})

    events = gh.as_("bot").get(events_path).body
    assert [(e["event"], e["actor"]["login"], e.get("label", {}).get("name")) for e in events] == [
        ("labeled", "github-actions[bot]", "deployment"),
        ("labeled", gh.login("triage"), "approved"),
        ("unlabeled", "github-actions[bot]", "approved"),
        ("closed", "github-actions[bot]", None),
        ("reopened", gh.login("maintainer"), None),
    ]

    pull = gh.open_pull()
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{pull['number']}/merge", {"merge_commit_sha": sha("m")})
    merged = gh.as_("bot").get(f"{gh.repo}/issues/{pull['number']}/events").body
    assert [(e["event"], e["commit_id"]) for e in merged] == [("merged", sha("m")), ("closed", sha("m"))]


def test_a_rejected_edit_changes_nothing(gh: Session) -> None:
    issue = gh.new_issue("bot", title="Deploy v1", labels=["deployment"])
    path = f"{gh.repo}/issues/{issue['number']}"
    rejected = gh.as_("bot").patch(path, {"title": "Changed", "labels": ["x"], "state": "shut"})
    assert rejected.status == 422 and rejected.body["errors"][0]["field"] == "state"
    after = gh.as_("bot").get(path).body
    assert (after["title"], [l["name"] for l in after["labels"]], after["state"]) == ("Deploy v1", ["deployment"], "open")

    merged = gh.open_pull()
    gh.control("POST", f"/_sandbox{gh.repo}/pulls/{merged['number']}/merge", {"merge_commit_sha": sha("m")})
    assert gh.as_("bot").patch(f"{gh.repo}/issues/{merged['number']}", {"state": "open"}).status == 422


def test_concurrent_writers_get_distinct_numbers_and_ids(gh: Session) -> None:
    from concurrent.futures import ThreadPoolExecutor

    issue = gh.new_issue()

    def write(n: int) -> tuple[int, int]:
        client = gh.as_(("bot", "maintainer", "triage", "outsider")[n % 4])
        opened = client.post(f"{gh.repo}/issues", {"title": f"t{n}"}).body["number"]
        said = client.post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": str(n)}).body["id"]
        return opened, said

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(write, range(80)))
    assert sorted(number for number, _ in results) == list(range(2, 82))
    assert len({comment_id for _, comment_id in results}) == 80
    listed = gh.as_("bot").get(f"{gh.repo}/issues/{issue['number']}/comments?per_page=100").body
    assert sorted(int(c["body"]) for c in listed) == list(range(80))
