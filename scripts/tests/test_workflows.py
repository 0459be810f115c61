"""The workflows and GitHub Deployments: the tool records each deployment itself (pr-<n> per push,
production per move of the prod endpoint, each with the right commit), so no job may let GitHub
record one of its own for the environment it names, and each job has exactly the deployments
permission its executable needs."""

from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
PRODUCTION = "${{ vars.AGENTCORE_PRODUCTION_ENVIRONMENT || 'agentcore-production' }}"

# Job -> the deployments permission it needs: pr-deploy and prod-promote write records; prod-deploy
# and the sweep read the production ones to keep the last promoted versions.
DEPLOYMENTS_PERMISSION = {
    ("pr-deploy.yml", "deploy"): "write",
    ("prod-promote.yml", "promote"): "write",
    ("prod-deploy.yml", "deploy"): "read",
    ("sweep.yml", "sweep"): "read",
}


def jobs():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            yield path.name, name, job


ENVIRONMENT_JOBS = [job for job in jobs() if "environment" in job[2]]


@pytest.mark.parametrize("workflow,name,job", ENVIRONMENT_JOBS, ids=[f"{w}:{n}" for w, n, _ in ENVIRONMENT_JOBS])
def test_a_job_in_the_production_environment_makes_no_deployment_of_its_own(workflow, name, job):
    # GitHub would record the run's commit (main's tip, not the promoted version's) on every run,
    # also of prod-deploy and the sweep, which move nothing.
    assert job["environment"] == {"name": PRODUCTION, "deployment": False}, f"{workflow} job {name}"


def test_the_production_jobs_name_the_environment():
    named = {(workflow, name) for workflow, name, _ in ENVIRONMENT_JOBS}
    assert named == {("prod-deploy.yml", "deploy"), ("prod-promote.yml", "promote"), ("sweep.yml", "sweep")}


def test_each_job_has_exactly_the_deployments_permission_it_needs():
    found = {(workflow, name): (job.get("permissions") or {}).get("deployments") for workflow, name, job in jobs()}
    for key, permission in found.items():
        assert permission == DEPLOYMENTS_PERMISSION.get(key), key
