"""Rate limits and injected faults.

Every answer carries GitHub's `x-ratelimit-*` headers, counted per token over an hour-long
window: 1,000 requests for the Actions GITHUB_TOKEN (per repository on github.com), 5,000 for a
personal token, 60 without one. A token that uses its budget up gets GitHub's primary-limit
answer until the window resets.

Faults are rules added through `POST /_sandbox/faults`; each fires on the first `count`
matching requests, or on each with `probability`. Retry waits are short so tests stay fast.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from .identities import Identity

FAULTS = ("secondary_rate_limit", "primary_rate_limit", "error500", "error502", "latency", "drop")
WINDOW_SECONDS = 3600


@dataclass
class FaultRule:
    fault: str
    count: int | None = None
    probability: float | None = None
    retry_after: int = 1
    latency_ms: int = 0
    method: str = "*"
    path_contains: str = ""
    status: int | None = None
    # With True the request is carried out before the fault answers, so a client sees a
    # failure for a change that did happen: the case that makes retries create duplicates.
    after_processing: bool = False

    @classmethod
    def from_json(cls, spec: object) -> FaultRule:
        """A rule from its JSON form; ValueError names the field that is wrong."""
        if not isinstance(spec, dict):
            raise ValueError("the fault rule must be a JSON object")
        unknown = set(spec) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault rule fields: {sorted(unknown)}")
        rule = cls(**spec)
        if rule.fault not in FAULTS:
            raise ValueError(f"fault must be one of {list(FAULTS)}, not {rule.fault!r}")
        if (rule.count is None) == (rule.probability is None):
            raise ValueError("give exactly one of count (a positive integer) or probability (0 to 1)")
        if rule.count is not None and (not isinstance(rule.count, int) or rule.count < 1):
            raise ValueError("count must be a positive integer")
        if rule.probability is not None and not (0 <= float(rule.probability) <= 1):
            raise ValueError("probability must be between 0 and 1")
        if not isinstance(rule.retry_after, int) or rule.retry_after < 0:
            raise ValueError("retry_after must be a whole number of seconds, 0 or more")
        if rule.status is not None and rule.status not in (403, 429):
            raise ValueError("status (for rate limits) must be 403 or 429")
        rule.method = rule.method.upper()
        return rule

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and self.path_contains in path

    def to_json(self) -> dict:
        return dict(self.__dict__)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        # `POST /_sandbox/fail-after`: requests still let through, and the answer for the rest.
        self._fail_after: tuple[int, FaultRule] | None = None

    def fail_after(self, spec: object) -> dict:
        """`{"n": N, "fault": ..., "retry_after": ...}`: every request after the N-th from now
        fails with `fault` (error500 by default); `{"n": null}` switches it off."""
        if not isinstance(spec, dict):
            raise ValueError("the body must be a JSON object")
        n = spec.get("n")
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
            raise ValueError(f'"n" must be a non-negative integer or null (off), not {n!r}')
        rule_spec = {key: value for key, value in spec.items() if key != "n"}
        rule = FaultRule.from_json({"fault": "error500", **rule_spec, "count": 1})
        if rule.fault in ("latency", "drop"):
            raise ValueError("fail-after answers with an error: error500, error502 or a rate limit")
        with self._lock:
            self._fail_after = None if n is None else (n, rule)
        return {"fail_after": n, "fault": rule.fault}

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._fail_after = None

    def rules(self) -> list[dict]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def may_drop(self) -> bool:
        """Whether a fault rule may still drop a connection (the server then keeps none open)."""
        with self._lock:
            return any(rule.fault == "drop" for rule in self._rules)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule that fires for this request, using up one of its count."""
        with self._lock:
            if self._fail_after is not None:
                remaining, rule = self._fail_after
                if remaining <= 0:
                    return rule
                self._fail_after = (remaining - 1, rule)
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                    return rule
                if random.random() < float(rule.probability or 0):
                    return rule
        return None


@dataclass
class Budget:
    limit: int
    used: int = 0
    reset: int = 0


def default_limit(who: Identity | None) -> int:
    return 60 if who is None else 1000 if who.is_bot else 5000


class RateLimits:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._budgets: dict[str, Budget] = {}
        self._limits: dict[str, int] = {}  # limits set through the control API, by identity key

    def clear(self) -> None:
        with self._lock:
            self._budgets.clear()
            self._limits.clear()

    def _budget(self, key: str, limit: int) -> Budget:
        now = int(time.time())
        budget = self._budgets.get(key)
        if budget is None or now >= budget.reset:
            budget = self._budgets[key] = Budget(self._limits.get(key, limit), 0, now + WINDOW_SECONDS)
        return budget

    def charge(self, who: Identity | None) -> tuple[dict[str, str], bool]:
        """Counts one request; returns the headers to send and whether the budget was already spent."""
        with self._lock:
            budget = self._budget(who.key if who else "anonymous", default_limit(who))
            exhausted = budget.used >= budget.limit
            if not exhausted:
                budget.used += 1
            return headers(budget.limit, budget.limit - budget.used, budget.used, budget.reset), exhausted

    def adjust(self, who: Identity, spec: dict) -> dict:
        """Sets an identity's budget: `limit` (kept for later windows too), `remaining` and
        `reset_in` seconds (for the current window). ValueError names a bad field."""
        unknown = set(spec) - {"identity", "limit", "remaining", "reset_in"}
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        for field in ("limit", "remaining", "reset_in"):
            if field in spec and (not isinstance(spec[field], int) or spec[field] < 0):
                raise ValueError(f"{field} must be a whole number, 0 or more")
        with self._lock:
            budget = self._budget(who.key, default_limit(who))
            if "limit" in spec:
                self._limits[who.key] = budget.limit = spec["limit"]
            if "remaining" in spec:
                budget.used = max(budget.limit - spec["remaining"], 0)
            if "reset_in" in spec:
                budget.reset = int(time.time()) + spec["reset_in"]
            return self._describe(budget)

    def describe(self, who: Identity) -> dict:
        with self._lock:
            return self._describe(self._budget(who.key, default_limit(who)))

    @staticmethod
    def _describe(budget: Budget) -> dict:
        return {"limit": budget.limit, "used": budget.used, "remaining": budget.limit - budget.used,
                "reset": budget.reset}


def headers(limit: int, remaining: int, used: int, reset: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-used": str(used),
        "x-ratelimit-reset": str(reset),
        "x-ratelimit-resource": "core",
    }
