"""The end state: a table of what the story left, and the checks that find duplicates and
leftovers (anything beyond what the story should have made)."""

import re
from collections import Counter

from .story import expected_comments

PACKAGE_KEY = re.compile(r"^(?P<runtime>[^/]+)/packages/[0-9a-f]{64}\.zip$")
VERSION_KEY = re.compile(r"^(?P<runtime>[^/]+)/v(?P<version>[0-9]+)/code\.zip$")


def final_state(w):
    """Everything the table and the checks need, read once."""
    runtimes = {}
    for name, summary in sorted(w.runtimes().items()):
        runtime_id = summary["agentRuntimeId"]
        runtimes[name] = {"id": runtime_id, "versions": w.versions(runtime_id), "endpoints": {
            endpoint: data.get("liveVersion") for endpoint, data in sorted(w.endpoints(runtime_id).items())}}
    github = w.sandbox.github_state()
    return {"runtimes": runtimes, "issues": github["issues"], "comments": github["comments"], "keys": w.s3_keys()}


def problems(w, state):
    """(duplicates, other problems): each a list of sentences; both empty when all is right."""
    duplicates, wrong = [], []
    runtimes = state["runtimes"]
    if set(runtimes) != {"prod"}:
        wrong.append(f"runtimes left: {sorted(runtimes)} (expected only prod)")
    prod = runtimes.get("prod")
    if prod:
        if len(prod["versions"]) > 2:
            duplicates.append(f"prod has versions {prod['versions']}, expected [1, 2]")
        elif prod["versions"] != [1, 2]:
            wrong.append(f"prod has versions {prod['versions']}, expected [1, 2]")
        if prod["endpoints"] != {"DEFAULT": "2", "prod": "1"}:
            wrong.append(f"prod endpoints {prod['endpoints']}, expected DEFAULT at 2 and prod at 1")

    bot = w.sandbox.logins["bot"]
    issues = [i for i in state["issues"] if "pull_request" not in i]
    deployments = [i for i in issues if "DEPLOYMENT_METADATA" in (i.get("body") or "") and i["user"]["login"] == bot]
    commits = Counter(re.search(r"COMMIT_SHA: (\w+)", i["body"]).group(1) for i in deployments)
    duplicates += [f"{n} deployment issues for commit {sha[:10]}" for sha, n in commits.items() if n > 1]
    if len(issues) != len(deployments):
        wrong.append(f"{len(issues) - len(deployments)} issues that are not the bot's deployment issues")
    if len(commits) != 2:
        wrong.append(f"deployment issues for {len(commits)} commits, expected 2")
    for issue in deployments:
        names = {label["name"] for label in issue["labels"]}
        if issue["state"] != "closed" or "promoted" not in names or "needs-promotion" in names:
            wrong.append(f"issue #{issue['number']} is {issue['state']} with labels {sorted(names)}")

    counted = Counter(c["issue_number"] for c in state["comments"] if c["user"]["login"] == bot)
    for number, expected in expected_comments(w).items():
        if counted[number] > expected:
            duplicates.append(f"#{number} has {counted[number]} comments by the bot, expected {expected}")
        elif counted[number] < expected:
            wrong.append(f"#{number} has {counted[number]} comments by the bot, expected {expected}")
    strangers = [c for c in state["comments"] if c["user"]["login"] != bot]
    if strangers:
        wrong.append(f"{len(strangers)} comments by others than the bot")

    packages = Counter(m["runtime"] for m in map(PACKAGE_KEY.match, state["keys"]) if m)
    copies = Counter(m["runtime"] for m in map(VERSION_KEY.match, state["keys"]) if m)
    if packages["prod"] != 2 or copies["prod"] != 2:
        wrong.append(f"S3 holds {packages['prod']} prod packages and {copies['prod']} prod version copies, expected 2 and 2")
    return duplicates, wrong


def print_table(w, state):
    print("\nRuntimes")
    print(f"  {'name':<8} {'id':<22} {'versions':<10} endpoints (live version)")
    for name, runtime in state["runtimes"].items():
        endpoints = ", ".join(f"{e} → v{v}" for e, v in runtime["endpoints"].items())
        versions = ",".join(map(str, runtime["versions"]))
        print(f"  {name:<8} {runtime['id']:<22} {versions:<10} {endpoints}")
    gone = [f"pr_{n}" for n in w.pull_requests.values() if f"pr_{n}" not in state["runtimes"]]
    print(f"  deleted: {', '.join(gone) or 'none'}")

    print("\nIssues and pull requests")
    print(f"  {'#':>3} {'kind':<13} {'state':<7} {'comments':<26} labels / title")
    comments = {}
    for comment in state["comments"]:
        comments.setdefault(comment["issue_number"], Counter())[comment["user"]["login"]] += 1
    for issue in state["issues"]:
        kind = "pull request" if "pull_request" in issue else "issue"
        count = ", ".join(f"{n} by {login}" for login, n in comments.get(issue["number"], {}).items()) or "none"
        detail = issue["title"] if kind == "pull request" else ", ".join(sorted(l["name"] for l in issue["labels"]))
        print(f"  {issue['number']:>3} {kind:<13} {issue['state']:<7} {count:<26} {detail}")

    print("\nS3 objects")
    for key in state["keys"]:
        print(f"  {key}")
