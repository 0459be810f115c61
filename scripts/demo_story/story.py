"""The story, one function per step; STORY lists them in order. Each step acts as a person or as
GitHub would, runs the executable the workflow would run, checks what the sandbox holds now, and
returns one readable line about it."""

from .world import expect

BOT = "bot"


def pull_request_event(action, number, **extra):
    return {"event": "pull_request", "action": action, "number": number, **extra}


def approval_event(issue):
    return {"event": "issues", "action": "labeled", "number": issue, "label": "approved"}


# Checks shared by several steps.

def runtime_with_versions(w, name, versions):
    runtime = w.runtime(name)
    expect(runtime is not None, f"{name} does not exist")
    found = w.versions(runtime["agentRuntimeId"])
    expect(found == versions, f"{name} has versions {found}, expected {versions}")
    return runtime


def runtime_gone(w, name):
    expect(w.runtime(name) is None, f"{name} still exists")


def one_sticky_comment(w, run, number, says="<!-- RUNTIME_ID:"):
    """The bot's one comment on the pull request, which now contains `says` and the marker
    pr-deploy reports as its `comment_marker` output (the tool defines it, not the demo)."""
    marker = run.outputs.get("comment_marker")
    expect(marker, f"{run.executable} reported no comment_marker")
    comments = w.bot_comments(number)
    expect(len(comments) == 1, f"pull request #{number} has {len(comments)} comments by the bot, expected 1")
    body = comments[0]["body"]
    expect(marker in body and says in body, f"the bot's comment on #{number} does not say {says!r}")


def smoke_test_passed(w, run, number):
    """The deployed version answered: pr-deploy says so in its output and in the sticky comment."""
    expect(run.outputs.get("smoke_test") == "passed", f"pr-deploy's smoke_test output is {run.outputs.get('smoke_test')}")
    one_sticky_comment(w, run, number, says="#### Smoke test: passed")


def prod_answers(w):
    """What the prod endpoint answers now, asked with `agentcore invoke` as a person would."""
    return w.invoke("prod", endpoint="prod", prompt="Tell me something about Mondays")


def prod_endpoint_version(w):
    prod = w.runtime("prod")
    endpoint = w.endpoints(prod["agentRuntimeId"]).get("prod") if prod else None
    return endpoint and endpoint.get("liveVersion")


def labels(issue):
    return {label["name"] for label in issue["labels"]}


def merged_and_deployed(w, name, pr_versions, prod_version):
    """The merge, pr-deploy for the close (the PR runtime stays for the promotion), prod-deploy
    for the merge commit. Returns (pull request, deployment issue)."""
    number = w.pull_requests[name]
    merge_sha = w.merge(number)
    w.run("pr-deploy", pull_request_event("closed", number))
    runtime_with_versions(w, f"pr_{number}", pr_versions)
    return number, deployed_to_prod(w, name, merge_sha, number, prod_version)


def deployed_to_prod(w, name, merge_sha, pull_request, version):
    """prod-deploy for the merge commit: a new prod version and its deployment issue."""
    run = w.run("prod-deploy", {"event": "push", "after": merge_sha})
    number = int(run.outputs.get("issue_number", 0))
    expect(number > 0, "prod-deploy reported no deployment issue")
    runtime_with_versions(w, "prod", list(range(1, version + 1)))
    issue = w.issue(number)
    expect(issue["user"]["login"] == w.sandbox.logins[BOT], f"issue #{number} was not opened by the bot")
    expect({"deployment", "production", "needs-promotion"} <= labels(issue), f"issue #{number} labels: {labels(issue)}")
    for line in (f"VERSION: {version}", f"COMMIT_SHA: {merge_sha}", f"PR_NUMBER: {pull_request}"):
        expect(line in issue["body"], f"issue #{number}'s metadata lacks {line}")
    expect("#### Smoke test: passed" in issue["body"], f"issue #{number} does not say that version {version} answered")
    w.issues[name] = number
    return number


def promoted(w, issue, version, pull_request):
    expect(prod_endpoint_version(w) == str(version), f"prod endpoint serves {prod_endpoint_version(w)}, expected {version}")
    runtime_gone(w, f"pr_{pull_request}")
    state = w.issue(issue)
    expect(state["state"] == "closed", f"issue #{issue} is {state['state']}, expected closed")
    expect("promoted" in labels(state), f"issue #{issue} is not labelled promoted: {labels(state)}")
    marked = [c for c in w.bot_comments(issue) if f"<!-- PROMOTION: version {version} -->" in c["body"]]
    expect(len(marked) == 1, f"issue #{issue} has {len(marked)} promotion comments, expected 1")


def opened_and_deployed(w, name, title):
    """A new pull request, and pr-deploy for it: pr_<n> at version 1 and its sticky comment."""
    number, _ = w.open_pull_request(name, title)
    run = w.run("pr-deploy", pull_request_event("opened", number))
    runtime = runtime_with_versions(w, f"pr_{number}", [1])
    smoke_test_passed(w, run, number)
    return number, run, runtime


# The steps.

def open_first_pull_request(w):
    number, run, runtime = opened_and_deployed(w, "first", "Sharper dad jokes")
    return (f"PR #{number} opened → pr-deploy created pr_{number} v{run.outputs.get('runtime_version')} "
            f"({runtime['agentRuntimeId']}), which passed its smoke test; sticky comment posted")


def push_without_change(w):
    number = w.pull_requests["first"]
    before = w.sandbox.github_as("maintainer", "GET", f"/pulls/{number}")["head"]["sha"]
    w.push(number)
    run = w.run("pr-deploy", pull_request_event("synchronize", number, before=before))
    expect(run.outputs.get("changed") == "false", f"an unchanged push reported changed={run.outputs.get('changed')}")
    runtime_with_versions(w, f"pr_{number}", [1])
    smoke_test_passed(w, run, number)
    return (f"PR #{number} pushed, same package → pr-deploy made no new version (pr_{number} stays at v1, "
            f"its smoke test not repeated), comment updated")


def push_changed_prompt(w):
    number = w.pull_requests["first"]
    before = w.sandbox.github_as("maintainer", "GET", f"/pulls/{number}")["head"]["sha"]
    w.append_to_prompt("Keep every joke under twenty words.\n")
    w.push(number)
    run = w.run("pr-deploy", pull_request_event("synchronize", number, before=before))
    expect(run.outputs.get("runtime_version") == "2", f"pr-deploy reported version {run.outputs.get('runtime_version')}, expected 2")
    runtime_with_versions(w, f"pr_{number}", [1, 2])
    smoke_test_passed(w, run, number)
    return f"PR #{number} pushed with a sharper dad-joke prompt → pr_{number} v2, smoke-tested, the same comment edited"


def merge_first_pull_request(w):
    number, issue = merged_and_deployed(w, "first", pr_versions=[1, 2], prod_version=1)
    expect(prod_endpoint_version(w) is None, "the prod endpoint exists before any promotion")
    return (f"PR #{number} merged → pr-deploy kept pr_{number} for the promotion; "
            f"prod-deploy created prod v1, deployment issue #{issue}")


def triage_approves(w):
    issue, number = w.issues["first"], w.pull_requests["first"]
    w.add_label("triage", issue, "approved")
    run = w.run("prod-promote", approval_event(issue))
    state = w.issue(issue)
    expect(state["state"] == "open", f"issue #{issue} was closed by a refused approval")
    expect("approved" not in labels(state), f"the triage user's approved label is still on #{issue}")
    refusals = [c for c in w.bot_comments(issue) if "<!-- PROMOTION_REFUSED:" in c["body"]]
    expect(len(refusals) == 1, f"issue #{issue} has {len(refusals)} refusal comments, expected 1")
    expect(prod_endpoint_version(w) is None, "a refused approval created the prod endpoint")
    runtime_with_versions(w, f"pr_{number}", [1, 2])
    expect(run.outputs.get("outcome") == "refused", f"prod-promote's outcome is {run.outputs.get('outcome')}, expected refused")
    return (f"{w.sandbox.logins['triage']} (triage) labels #{issue} approved → prod-promote refused: "
            f"comment, label removed, nothing moved")


def maintainer_approves(w):
    issue, number = w.issues["first"], w.pull_requests["first"]
    w.add_label("maintainer", issue, "approved")
    w.run("prod-promote", approval_event(issue))
    promoted(w, issue, version=1, pull_request=number)
    w.answers["first"] = prod_answers(w)
    return (f"{w.sandbox.logins['maintainer']} labels #{issue} approved → prod endpoint serves v1, "
            f"pr_{number} deleted, issue closed as promoted\n      prod answers: {w.answers['first']}")


def open_second_pull_request(w):
    w.use_prompt("haiku_bot.txt")
    number, _, runtime = opened_and_deployed(w, "second", "Haiku instead")
    return f"PR #{number} opened (haiku_bot.txt) → pr_{number} v1 ({runtime['agentRuntimeId']}), smoke-tested"


def merge_second_pull_request(w):
    number, issue = merged_and_deployed(w, "second", pr_versions=[1], prod_version=2)
    expect(prod_endpoint_version(w) == "1", "prod-deploy moved the prod endpoint")
    return f"PR #{number} merged → prod v2 (the endpoint still serves v1), deployment issue #{issue}"


def maintainer_approves_second(w):
    issue, number = w.issues["second"], w.pull_requests["second"]
    w.add_label("maintainer", issue, "approved")
    w.run("prod-promote", approval_event(issue))
    promoted(w, issue, version=2, pull_request=number)
    w.answers["second"] = prod_answers(w)
    expect(w.answers["second"] != w.answers["first"], "prod answers as before the haiku version was promoted")
    return (f"maintainer labels #{issue} approved → prod endpoint serves v2, pr_{number} deleted, issue closed"
            f"\n      prod answers: {indented(w.answers['second'])}")


def roll_back(w):
    w.run("prod-promote", {"event": "workflow_dispatch", "inputs": {"prod_runtime_version": "1"}})
    expect(prod_endpoint_version(w) == "1", f"after the rollback the prod endpoint serves {prod_endpoint_version(w)}")
    runtime_with_versions(w, "prod", [1, 2])
    answer = prod_answers(w)
    expect(answer == w.answers["first"], f"after the rollback prod answers {answer!r}, not as v1 did")
    return f"workflow_dispatch prod_runtime_version=1 → prod endpoint rolled back to v1 (v2 kept)\n      prod answers: {answer}"


def indented(text):
    """A multi-line answer (a haiku) lined up under the first line."""
    return text.replace("\n", "\n" + " " * 20)


def abandoned_pull_request(w):
    w.append_to_prompt("\nAnswer in French.\n")
    number, _ = w.open_pull_request("third", "An idea we drop")
    w.run("pr-deploy", pull_request_event("opened", number))
    runtime_with_versions(w, f"pr_{number}", [1])
    w.close_unmerged(number)
    run = w.run("pr-deploy", pull_request_event("closed", number))
    runtime_gone(w, f"pr_{number}")
    one_sticky_comment(w, run, number, says=f"`pr_{number}`: deleted")
    return f"PR #{number} opened (pr_{number} v1), then closed unmerged → pr-deploy deleted pr_{number}"


STORY = [
    open_first_pull_request,
    push_without_change,
    push_changed_prompt,
    merge_first_pull_request,
    triage_approves,
    maintainer_approves,
    open_second_pull_request,
    merge_second_pull_request,
    maintainer_approves_second,
    roll_back,
    abandoned_pull_request,
]


def expected_comments(w):
    """Comments by the bot each issue or pull request should carry at the end; people post none."""
    return {
        w.pull_requests["first"]: 1, w.issues["first"]: 2,  # refusal, then promotion
        w.pull_requests["second"]: 1, w.issues["second"]: 1,
        w.pull_requests["third"]: 1,
    }
