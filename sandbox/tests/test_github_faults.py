"""Rate-limit headers, the primary limit, and faults injected through `/_sandbox/faults`."""

from __future__ import annotations

import http.client
import time
import urllib.error

import pytest

from github_fixtures import Session, emulator, gh, request  # noqa: F401

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset",
                "x-ratelimit-resource")


def add_fault(gh: Session, **rule) -> None:
    answer = gh.control("POST", "/_sandbox/faults", rule)
    assert answer.status == 201, answer.body


def test_every_answer_carries_rate_limit_headers_counted_per_token(gh: Session) -> None:
    first = gh.as_("bot").get(gh.repo)
    second = gh.as_("bot").get(f"{gh.repo}/issues/404")
    other = gh.as_("maintainer").get(gh.repo)
    unauthenticated = request(gh.url + gh.repo)
    for answer in (first, second, other, unauthenticated):
        assert all(answer.headers.get(h) for h in RATE_HEADERS), dict(answer.headers)
    assert (first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]) == ("1000", "999")
    assert (second.status, second.headers["x-ratelimit-used"], second.headers["x-ratelimit-remaining"]) == \
        (404, "2", "998")
    assert (other.headers["x-ratelimit-limit"], other.headers["x-ratelimit-used"]) == ("5000", "1")
    assert int(first.headers["x-ratelimit-reset"]) > time.time()
    assert (unauthenticated.status, unauthenticated.headers["x-ratelimit-limit"]) == (401, "60")


def test_a_spent_primary_budget_is_refused_until_reset(gh: Session) -> None:
    bot = gh.as_("bot")
    for _ in range(999):
        bot.get(gh.repo)
    last = bot.get(gh.repo)
    assert (last.status, last.headers["x-ratelimit-remaining"]) == (200, "0")
    refused = bot.get(gh.repo)
    assert refused.status == 403
    assert refused.body["message"].startswith("API rate limit exceeded")
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert gh.as_("maintainer").get(gh.repo).status == 200  # other tokens have their own budget


def test_secondary_rate_limit_answers_403_with_retry_after_then_recovers(gh: Session) -> None:
    add_fault(gh, fault="secondary_rate_limit", count=2, retry_after=1, method="POST", path_contains="/issues")
    bot = gh.as_("bot")
    assert bot.get(f"{gh.repo}/issues").status == 200  # GET is not matched
    for _ in range(2):
        limited = bot.post(f"{gh.repo}/issues", {"title": "t"})
        assert limited.status == 403
        assert limited.body["message"].startswith("You have exceeded a secondary rate limit")
        assert limited.headers["retry-after"] == "1"
        assert int(limited.headers["x-ratelimit-remaining"]) > 0
    assert bot.post(f"{gh.repo}/issues", {"title": "t"}).status == 201
    # The limited requests changed nothing.
    assert [i["number"] for i in bot.get(f"{gh.repo}/issues").body] == [1]


def test_primary_rate_limit_fault_answers_with_remaining_zero_and_a_near_reset(gh: Session) -> None:
    add_fault(gh, fault="primary_rate_limit", count=1, retry_after=2, status=429)
    limited = gh.as_("maintainer").get(gh.repo)
    assert limited.status == 429
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert 0 <= int(limited.headers["x-ratelimit-reset"]) - time.time() <= 3
    assert limited.body["message"] == f"API rate limit exceeded for user ID {gh.emulator.identities['maintainer'].id}."
    assert gh.as_("maintainer").get(gh.repo).status == 200


@pytest.mark.parametrize("fault,status", [("error500", 500), ("error502", 502)])
def test_server_errors_are_injected_for_the_first_count_requests(gh: Session, fault: str, status: int) -> None:
    add_fault(gh, fault=fault, count=1)
    assert gh.as_("bot").get(gh.repo).status == status
    assert gh.as_("bot").get(gh.repo).status == 200


def test_probability_one_fails_every_request_until_faults_are_cleared(gh: Session) -> None:
    add_fault(gh, fault="error500", probability=1.0, path_contains="/labels")
    for _ in range(3):
        assert gh.as_("bot").get(f"{gh.repo}/labels").status == 500
    assert gh.as_("bot").get(gh.repo).status == 200
    assert gh.control("GET", "/_sandbox/faults").body["faults"][0]["fault"] == "error500"
    assert gh.control("DELETE", "/_sandbox/faults").status == 204
    assert gh.as_("bot").get(f"{gh.repo}/labels").status == 200


def test_latency_delays_the_answer(gh: Session) -> None:
    add_fault(gh, fault="latency", count=1, latency_ms=300)
    started = time.monotonic()
    assert gh.as_("bot").get(gh.repo).status == 200
    assert time.monotonic() - started >= 0.3
    log = gh.control("GET", "/_sandbox/requests").body["requests"]
    assert (log[-1]["status"], log[-1]["fault"]) == (200, "latency")


def test_drop_closes_the_connection_without_an_answer(gh: Session) -> None:
    add_fault(gh, fault="drop", count=1, method="POST")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
        gh.as_("bot").post(f"{gh.repo}/issues", {"title": "lost"})
    assert gh.as_("bot").get(f"{gh.repo}/issues").body == []
    log = gh.control("GET", "/_sandbox/requests").body["requests"]
    assert (log[0]["method"], log[0]["status"], log[0]["fault"]) == ("POST", None, "drop")


@pytest.mark.parametrize("fault", ["error502", "drop"])
def test_a_fault_after_processing_loses_the_answer_but_keeps_the_change(gh: Session, fault: str) -> None:
    issue = gh.new_issue()
    add_fault(gh, fault=fault, count=1, method="POST", path_contains="/comments", after_processing=True)
    try:
        failed = gh.as_("bot").post(f"{gh.repo}/issues/{issue['number']}/comments", {"body": "once"})
        assert (fault, failed.status) == ("error502", 502)
    except (http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError):
        assert fault == "drop"
    assert [c["body"] for c in gh.as_("bot").get(f"{gh.repo}/issues/{issue['number']}/comments").body] == ["once"]


@pytest.mark.parametrize("rule", [
    {"fault": "meteor", "count": 1},
    {"fault": "error500"},
    {"fault": "error500", "count": 1, "probability": 0.5},
    {"fault": "error500", "count": 0},
    {"fault": "error500", "count": 1, "colour": "red"},
    {"fault": "primary_rate_limit", "count": 1, "status": 500},
])
def test_bad_fault_rules_are_refused_with_the_reason(gh: Session, rule: dict) -> None:
    answer = gh.control("POST", "/_sandbox/faults", rule)
    assert answer.status == 400 and answer.body["message"].startswith("bad fault rule:")
    assert gh.control("GET", "/_sandbox/faults").body["faults"] == []


def test_rate_limit_budgets_can_be_set_through_the_control_api(gh: Session) -> None:
    nearly_spent = gh.control("POST", "/_sandbox/rate-limits", {"identity": "bot", "remaining": 1, "reset_in": 2})
    assert nearly_spent.status == 200 and nearly_spent.body["remaining"] == 1
    last = gh.as_("bot").get(gh.repo)
    assert (last.status, last.headers["x-ratelimit-remaining"]) == (200, "0")
    refused = gh.as_("bot").get(gh.repo)
    assert refused.status == 403 and refused.body["message"] == "API rate limit exceeded for installation ID 1."
    assert 0 <= int(refused.headers["x-ratelimit-reset"]) - time.time() <= 3

    raised = gh.control("POST", "/_sandbox/rate-limits", {"identity": "bot", "limit": 50000})
    assert raised.body["limit"] == 50000
    assert gh.as_("bot").get(gh.repo).headers["x-ratelimit-limit"] == "50000"
    assert gh.control("GET", "/_sandbox/rate-limits").body["bot"]["limit"] == 50000
    assert gh.control("POST", "/_sandbox/rate-limits", {"identity": "nobody"}).status == 400
    assert gh.control("POST", "/_sandbox/rate-limits", {"identity": "bot", "remaining": -1}).status == 400
    assert gh.control("DELETE", "/_sandbox/rate-limits").status == 204
    assert gh.as_("bot").get(gh.repo).headers["x-ratelimit-limit"] == "1000"


def test_fail_after_lets_n_requests_through_then_fails_every_one(gh: Session) -> None:
    bot = gh.as_("bot")
    answer = gh.control("POST", "/_sandbox/fail-after", {"n": 2, "fault": "primary_rate_limit", "retry_after": 3600})
    assert answer.status == 200, answer.body
    assert [bot.get(gh.repo).status for _ in range(4)] == [200, 200, 403, 403]
    assert "rate limit" in bot.get(gh.repo).body["message"]
    assert gh.control("DELETE", "/_sandbox/fail-after").status == 200
    assert bot.get(gh.repo).status == 200
    assert gh.control("POST", "/_sandbox/fail-after", {"n": 0}).status == 200
    assert bot.get(gh.repo).status == 500
    gh.control("DELETE", "/_sandbox/faults")
    assert bot.get(gh.repo).status == 200


@pytest.mark.parametrize("spec", [{"n": -1}, {"n": "3"}, {"n": 1, "fault": "drop"}, {"n": 1, "fault": "nope"}])
def test_bad_fail_after_is_refused(gh: Session, spec: dict) -> None:
    assert gh.control("POST", "/_sandbox/fail-after", spec).status == 400
