"""Deployments, deployment statuses and environments, as GitHub documents them.

Creating or deleting a deployment or a deployment status needs the write role and, for
GITHUB_TOKEN, `deployments: write`; reading needs nothing (the repositories are public).

- `POST /deployments` checks, in order: `ref` names a branch or commit (else 422 "No ref found
  for: ..."); with `auto_merge` (default true) the ref must contain the default branch's tip: a
  branch behind it gets the default branch merged in and the answer is 202 without a deployment,
  a sha behind it is a 409 merge conflict; then the commit statuses: every context in
  `required_contexts` (default: every context reported on the commit) must be `success`, else 409
  "Conflict: Commit status checks failed for ...". A new environment name creates the environment.
- A `success` status with `auto_inactive` (default true) adds an `inactive` status to every
  earlier deployment to the same environment that is neither transient nor production and whose
  latest state is `success`.
- Only an inactive deployment can be deleted, unless it is the repository's only one.
"""

from __future__ import annotations

from .commits import latest_statuses
from .errors import ApiError, check_description_length, missing_field, not_found, required_state, validation_failed
from .history import is_ancestor
from .routing import Call, Reply, route
from .state import Deployment, Repo, derived_sha

REPO = "/repos/<owner>/<name>"
DEPLOYMENTS = REPO + "/deployments"
DEPLOYMENT_STATES = ("error", "failure", "inactive", "in_progress", "queued", "pending", "success")


def _deployment(repo: Repo, deployment_id: int) -> Deployment:
    deployment = repo.deployments.get(deployment_id)
    if deployment is None:
        raise not_found()
    return deployment


def _typed(data: dict, field: str, kinds: type | tuple[type, ...], default: object) -> object:
    """`data[field]` if it has one of `kinds`, `default` if it is missing or null, else 422."""
    if data.get(field) is None:
        return default
    value = data[field]
    if not isinstance(value, kinds):
        raise validation_failed("Deployment", field)
    return value


# Deployments


@route("GET", DEPLOYMENTS, docs="deployments/deployments#list-deployments")
def list_deployments(call: Call, owner: str, name: str) -> Reply:
    """Newest first, filtered by `sha`, `ref`, `task` and `environment` when given."""
    repo = call.repo(owner, name)
    args = call.request.args
    wanted = {field: args[field] for field in ("sha", "ref", "task", "environment") if args.get(field)}
    found = [d for d in reversed(repo.deployments.values())
             if all(getattr(d, field) == value for field, value in wanted.items())]
    return call.paginate(repo, found, call.render.deployment)


@route("POST", DEPLOYMENTS, docs="deployments/deployments#create-a-deployment", writes=("deployments",))
def create_deployment(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    who = call.require("write")
    data = call.json_object()
    ref = data.get("ref")
    if ref is None:
        raise missing_field("Deployment", "ref")
    if not isinstance(ref, str) or not ref:
        raise validation_failed("Deployment", "ref")
    task = _typed(data, "task", str, "deploy")
    environment = _typed(data, "environment", str, "production")
    description = _typed(data, "description", str, "")
    auto_merge = _typed(data, "auto_merge", bool, True)
    required = _typed(data, "required_contexts", list, None)
    payload = _typed(data, "payload", (dict, str), {})
    transient = _typed(data, "transient_environment", bool, False)
    production = _typed(data, "production_environment", bool, environment == "production")
    if required is not None and not all(isinstance(context, str) for context in required):
        raise validation_failed("Deployment", "required_contexts")
    check_description_length("Deployment", description)  # type: ignore[arg-type]

    commit = repo.resolve(ref)
    if commit is None:
        raise ApiError(422, f"No ref found for: {ref}")
    default_tip = repo.branches[repo.default_branch]
    if auto_merge and not is_ancestor(repo, default_tip, commit.sha):
        return _merge_default_branch_into(call, repo, ref, commit.sha, default_tip, who.login)
    _require_successful_statuses(repo, ref, commit.sha, required)  # type: ignore[arg-type]

    deployment = call.store.create_deployment(
        repo, sha=commit.sha, ref=ref, task=task, payload=payload, environment=environment,
        original_environment=environment, description=description, creator=who.login,
        transient_environment=transient, production_environment=production)
    rendered = call.render.deployment(repo, deployment)
    return Reply(201, rendered, {"location": rendered["url"]})


def _merge_default_branch_into(call: Call, repo: Repo, ref: str, sha: str, default_tip: str, author: str) -> Reply:
    """A branch behind the default branch gets it merged in (202, no deployment); a commit
    cannot take a merge, so that is a conflict."""
    branch = ref.removeprefix("refs/heads/")
    if branch not in repo.branches:
        raise ApiError(409, f"Conflict merging {repo.default_branch} into {ref}.")
    message = f"Auto-merged {repo.default_branch} into {branch} on deployment."
    merge = call.store.add_commit(repo, derived_sha("auto-merge", sha, default_tip), [sha, default_tip], message, author)
    repo.branches[branch] = merge.sha
    return Reply(202, {"message": message})


def _require_successful_statuses(repo: Repo, ref: str, sha: str, required: list[str] | None) -> None:
    latest = latest_statuses(repo, sha)
    states = {status.context: status.state for status in latest}
    contexts = list(states) if required is None else required
    if all(states.get(context) == "success" for context in contexts):
        return
    raise ApiError(409, f"Conflict: Commit status checks failed for {ref}.", errors=[{
        "contexts": [{"context": status.context, "state": status.state} for status in latest],
        "resource": "Deployment", "field": "required_contexts", "code": "invalid",
    }])


@route("GET", DEPLOYMENTS + "/<int:deployment_id>", docs="deployments/deployments#get-a-deployment")
def get_deployment(call: Call, owner: str, name: str, deployment_id: int) -> Reply:
    repo = call.repo(owner, name)
    return Reply(200, call.render.deployment(repo, _deployment(repo, deployment_id)))


@route("DELETE", DEPLOYMENTS + "/<int:deployment_id>", docs="deployments/deployments#delete-a-deployment",
       writes=("deployments",))
def delete_deployment(call: Call, owner: str, name: str, deployment_id: int) -> Reply:
    repo = call.repo(owner, name)
    deployment = _deployment(repo, deployment_id)
    call.require("write")
    if len(repo.deployments) > 1 and deployment.state != "inactive":
        raise validation_failed("Deployment", "id", "custom",
                                "We cannot delete an active deployment unless it is the only deployment in a "
                                "given environment.")
    del repo.deployments[deployment_id]
    return Reply(204)


# Deployment statuses


@route("GET", DEPLOYMENTS + "/<int:deployment_id>/statuses",
       docs="deployments/statuses#list-deployment-statuses")
def list_deployment_statuses(call: Call, owner: str, name: str, deployment_id: int) -> Reply:
    """Newest first."""
    repo = call.repo(owner, name)
    statuses = list(reversed(_deployment(repo, deployment_id).statuses))
    return call.paginate(repo, statuses, call.render.deployment_status)


@route("POST", DEPLOYMENTS + "/<int:deployment_id>/statuses",
       docs="deployments/statuses#create-a-deployment-status", writes=("deployments",))
def create_deployment_status(call: Call, owner: str, name: str, deployment_id: int) -> Reply:
    repo = call.repo(owner, name)
    deployment = _deployment(repo, deployment_id)
    who = call.require("write")
    data = call.json_object()
    state = required_state(data, "DeploymentStatus", DEPLOYMENT_STATES)
    texts = {field: _typed(data, field, str, "") for field in
             ("description", "log_url", "target_url", "environment_url", "environment")}
    auto_inactive = _typed(data, "auto_inactive", bool, True)
    check_description_length("DeploymentStatus", texts["description"])  # type: ignore[arg-type]

    status = call.store.add_deployment_status(
        repo, deployment, state, who.login, description=texts["description"],  # type: ignore[arg-type]
        environment=texts["environment"] or None,  # type: ignore[arg-type]
        log_url=texts["log_url"] or texts["target_url"],  # type: ignore[arg-type]
        environment_url=texts["environment_url"])  # type: ignore[arg-type]
    if state == "success" and auto_inactive:
        for earlier in list(repo.deployments.values()):
            if (earlier.id < deployment.id and earlier.environment.lower() == deployment.environment.lower()
                    and not earlier.transient_environment and not earlier.production_environment
                    and earlier.state == "success"):
                call.store.add_deployment_status(repo, earlier, "inactive", who.login)
    rendered = call.render.deployment_status(repo, status)
    return Reply(201, rendered, {"location": rendered["url"]})


@route("GET", DEPLOYMENTS + "/<int:deployment_id>/statuses/<int:status_id>",
       docs="deployments/statuses#get-a-deployment-status")
def get_deployment_status(call: Call, owner: str, name: str, deployment_id: int, status_id: int) -> Reply:
    repo = call.repo(owner, name)
    found = next((s for s in _deployment(repo, deployment_id).statuses if s.id == status_id), None)
    if found is None:
        raise not_found()
    return Reply(200, call.render.deployment_status(repo, found))


# Environments


@route("GET", REPO + "/environments", docs="deployments/environments#list-environments")
def list_environments(call: Call, owner: str, name: str) -> Reply:
    repo = call.repo(owner, name)
    environments = sorted(repo.environments.values(), key=lambda e: e.name.lower())
    shown, headers = call.page(repo, environments)
    return Reply(200, {"total_count": len(environments),
                       "environments": [call.render.environment(repo, e) for e in shown]}, headers)


@route("GET", REPO + "/environments/<path:environment>", docs="deployments/environments#get-an-environment")
def get_environment(call: Call, owner: str, name: str, environment: str) -> Reply:
    repo = call.repo(owner, name)
    found = repo.environments.get(environment.lower())
    if found is None:
        raise not_found()
    return Reply(200, call.render.environment(repo, found))
