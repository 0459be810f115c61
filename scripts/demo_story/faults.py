"""Fault injection for the story's executables: each AWS and GitHub request they send meets a
fault with probability `rate`, spread over the kinds below. The driver's own reads and people's
clicks happen with the rules off, so every fault counted hit the product."""

import contextlib
import re
from collections import Counter

# (kind, share of the faults). Latency slows a request down; the others fail it.
AWS_FAULTS = [("throttle", 0.3), ("error500", 0.2), ("error503", 0.2), ("latency", 0.15), ("drop", 0.15)]
GITHUB_FAULTS = [("secondary_rate_limit", 0.3), ("error500", 0.2), ("error502", 0.2), ("latency", 0.15), ("drop", 0.15)]
LATENCY_MS = 300
AWS_FAULT_LINE = re.compile(r" fault (\w+) on ")


def chained(rate, kinds):
    """Per-rule probabilities such that the first matching rule fires with `rate` in all: rules
    are tried in order, so each later one only sees what the earlier ones let through."""
    rules, left = [], 1.0
    for kind, share in kinds:
        probability = rate * share / left
        rules.append((kind, min(1.0, probability)))
        left -= rate * share
    return rules


class Faults:
    def __init__(self, sandbox, rate):
        self.sandbox = sandbox
        self.rate = rate
        # Requests sent while the rules were on, that is by the executables: {"aws": n, "github": n}.
        self.exposed = Counter()

    def _logged(self):
        return Counter(aws=len(self.sandbox.aws_control("GET", "/_sandbox/requests")["requests"]),
                       github=len(self.sandbox.github_control("GET", "/_sandbox/requests")["requests"]))

    @contextlib.contextmanager
    def active(self):
        before = self._logged()
        for kind, probability in chained(self.rate, AWS_FAULTS):
            rule = {"service": "*", "operation": "*", "fault": kind, "probability": probability}
            if kind == "latency":
                rule["latency_ms"] = LATENCY_MS
            self.sandbox.aws_control("POST", "/_sandbox/faults", rule)
        for kind, probability in chained(self.rate, GITHUB_FAULTS):
            rule = {"fault": kind, "probability": probability}
            if kind == "latency":
                rule["latency_ms"] = LATENCY_MS
            if kind == "secondary_rate_limit":
                rule["retry_after"] = 1
            self.sandbox.github_control("POST", "/_sandbox/faults", rule)
        try:
            yield
        finally:
            self.sandbox.aws_control("DELETE", "/_sandbox/faults")
            self.sandbox.github_control("DELETE", "/_sandbox/faults")
            self.exposed += self._logged() - before

    def injected(self):
        """(AWS faults by kind, GitHub faults by kind, the GitHub request log)."""
        aws = Counter(match.group(1) for match in map(AWS_FAULT_LINE.search, self.sandbox.aws_fault_lines()) if match)
        github_log = self.sandbox.github_control("GET", "/_sandbox/requests")["requests"]
        github = Counter(r["fault"] for r in github_log if r.get("fault"))
        return aws, github, github_log
