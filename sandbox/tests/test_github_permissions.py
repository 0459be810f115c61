"""Who may do what, for each of the four identities, as GitHub enforces it on a public repository.

Every row acts on an issue and a comment that belong to somebody else (the maintainer), so an
author's own rights never hide a missing role.
"""

from __future__ import annotations

from typing import Callable

import pytest

from github_fixtures import Answer, Client, Session, emulator, gh  # noqa: F401

IDENTITIES = ("bot", "maintainer", "triage", "outsider")

# action -> expected status for (bot, maintainer, triage, outsider)
MATRIX: dict[str, tuple[tuple[int, int, int, int], Callable[[Client, str, dict], Answer]]] = {
    "read an issue": ((200, 200, 200, 200), lambda c, r, t: c.get(f"{r}/issues/{t['issue']}")),
    "list comments": ((200, 200, 200, 200), lambda c, r, t: c.get(f"{r}/issues/{t['issue']}/comments")),
    "open an issue": ((201, 201, 201, 201), lambda c, r, t: c.post(f"{r}/issues", {"title": "t"})),
    "comment": ((201, 201, 201, 201), lambda c, r, t: c.post(f"{r}/issues/{t['issue']}/comments", {"body": "b"})),
    "add a label": ((200, 200, 200, 403), lambda c, r, t: c.post(f"{r}/issues/{t['issue']}/labels", {"labels": ["approved"]})),
    "remove a label": ((200, 200, 200, 403), lambda c, r, t: c.delete(f"{r}/issues/{t['issue']}/labels/bug")),
    "set labels": ((200, 200, 200, 403), lambda c, r, t: c.put(f"{r}/issues/{t['issue']}/labels", {"labels": ["x"]})),
    "close an issue": ((200, 200, 200, 403), lambda c, r, t: c.patch(f"{r}/issues/{t['issue']}", {"state": "closed"})),
    "retitle an issue": ((200, 200, 403, 403), lambda c, r, t: c.patch(f"{r}/issues/{t['issue']}", {"title": "new"})),
    "edit a comment": ((200, 200, 403, 403), lambda c, r, t: c.patch(f"{r}/issues/comments/{t['comment']}", {"body": "b"})),
    "delete a comment": ((204, 204, 403, 403), lambda c, r, t: c.delete(f"{r}/issues/comments/{t['comment']}")),
    "create a label": ((201, 201, 403, 403), lambda c, r, t: c.post(f"{r}/labels", {"name": "n", "color": "ffffff"})),
    "delete a label": ((204, 204, 403, 403), lambda c, r, t: c.delete(f"{r}/labels/wontfix")),
    "read a permission": ((200, 200, 403, 403), lambda c, r, t: c.get(f"{r}/collaborators/{t['login']}/permission")),
    "read the repository": ((200, 200, 200, 200), lambda c, r, t: c.get(r)),
}


@pytest.mark.parametrize("action", MATRIX)
@pytest.mark.parametrize("index", range(4), ids=IDENTITIES)
def test_role_decides_what_an_identity_may_do(gh: Session, action: str, index: int) -> None:
    issue = gh.new_issue("maintainer", labels=["bug"])
    comment = gh.as_("maintainer").post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": "c"}).body
    targets = {"issue": issue["number"], "comment": comment["id"], "login": gh.login("triage")}
    expected_statuses, act = MATRIX[action]
    identity = IDENTITIES[index]

    answer = act(gh.as_(identity), gh.repo, targets)

    assert answer.status == expected_statuses[index], answer.body
    if answer.status == 403:
        assert answer.body["documentation_url"].startswith("https://docs.github.com/")
        assert answer.body["message"]
    # A refused write leaves no trace.
    if answer.status == 403 and action in ("add a label", "remove a label", "set labels"):
        labels = [l["name"] for l in gh.as_("bot").get(f"{gh.repo}/issues/{issue['number']}").body["labels"]]
        assert labels == ["bug"]


def test_the_actions_token_is_no_user_so_get_user_is_refused(gh: Session) -> None:
    issue = gh.new_issue()
    answer = gh.as_("bot").get("/user")
    assert (answer.status, answer.body["message"]) == (403, "Resource not accessible by integration")
    assert gh.as_("bot").get(f"{gh.repo}/issues/{issue['number']}").status == 200


def test_users_may_close_and_edit_their_own_issues_and_comments(gh: Session) -> None:
    outsider = gh.as_("outsider")
    issue = gh.new_issue("outsider", title="Question")
    comment = outsider.post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": "hi"}).body
    assert outsider.patch(f"{gh.repo}/issues/comments/{comment['id']}", {"body": "hello"}).status == 200
    assert outsider.patch(f"{gh.repo}/issues/{issue['number']}", {"title": "Better question"}).status == 200
    closed = outsider.patch(f"{gh.repo}/issues/{issue['number']}", {"state": "closed", "state_reason": "not_planned"})
    assert (closed.status, closed.body["state_reason"]) == (200, "not_planned")
    assert outsider.delete(f"{gh.repo}/issues/comments/{comment['id']}").status == 204


def test_labels_given_by_users_without_triage_are_silently_dropped(gh: Session) -> None:
    outsider = gh.as_("outsider")
    created = outsider.post(f"{gh.repo}/issues", {"title": "Please deploy", "labels": ["approved"]})
    assert created.status == 201 and created.body["labels"] == []
    edited = outsider.patch(f"{gh.repo}/issues/{created.body['number']}", {"labels": ["approved"]})
    assert edited.status == 200 and edited.body["labels"] == []
    assert "approved" not in [l["name"] for l in gh.as_("bot").get(f"{gh.repo}/labels?per_page=100").body]

    triaged = gh.as_("triage").post(f"{gh.repo}/issues", {"title": "Triaged", "labels": ["approved"]})
    assert [l["name"] for l in triaged.body["labels"]] == ["approved"]
