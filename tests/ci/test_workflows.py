"""The shipped workflows: generated, pinned, least-privileged, and safe for pull requests from forks."""

from __future__ import annotations

import re

import pytest
import yaml

from gpulab.ci import actions
from gpulab.ci.check import run_checks, stale_files
from gpulab.ci.setup import targets
from gpulab.ci.workflows import Project, workflows
from gpulab.cli import run
from tests.conftest import ENV_DIR, REPO

SHIPPED = REPO / ".github" / "workflows"
WORKFLOWS = ("plan.yml", "comment.yml", "apply.yml", "train.yml")


@pytest.fixture(scope="module")
def project() -> Project:
    return Project(targets(ENV_DIR), env_dir="environments")


def _load(name: str) -> dict:
    return yaml.safe_load((SHIPPED / name).read_text())


def _jobs() -> dict[str, dict]:
    return {f"{name}:{job_id}": job for name in WORKFLOWS for job_id, job in _load(name)["jobs"].items()}


def test_the_shipped_workflows_are_what_ci_init_writes(project):
    assert stale_files(SHIPPED, project) == []


def test_permissions_are_none_by_default_and_least_per_job():
    for name in WORKFLOWS:
        assert _load(name)["permissions"] == {}
    granted = {key: job["permissions"] for key, job in _jobs().items()}
    assert granted == {
        "plan.yml:review": {"contents": "read", "security-events": "write"},
        "plan.yml:plan": {"contents": "read", "id-token": "write"},
        "comment.yml:comment": {"actions": "read", "pull-requests": "write"},
        "apply.yml:changed": {"contents": "read"},
        "apply.yml:apply": {"contents": "read", "id-token": "write"},
        "train.yml:train": {"contents": "read", "id-token": "write"},
    }


def test_every_action_is_pinned_to_a_release_commit():
    pinned = {a.uses: a.release for a in actions.ALL}
    for name in WORKFLOWS:
        for uses, release in re.findall(r"uses: (\S+)  # (\S+)", (SHIPPED / name).read_text()):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses) and pinned[uses] == release


def test_forks_get_the_offline_review_only_and_no_secret():
    plan = _load("plan.yml")
    assert list(plan["on"]) == ["pull_request"]  # never pull_request_target
    assert plan["jobs"]["plan"]["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert "secrets." not in (SHIPPED / "plan.yml").read_text()
    comment = (SHIPPED / "comment.yml").read_text()
    assert "ref:" not in comment and "head_sha }}" in comment  # checks out the base branch, never the head


def test_each_environment_plans_and_applies_one_at_a_time():
    for key in ("plan.yml:plan", "apply.yml:apply"):
        assert _jobs()[key]["concurrency"] == {
            "group": "terraform-${{ matrix.environment }}",
            "cancel-in-progress": False,
        }
    assert _jobs()["apply.yml:apply"]["environment"] == "${{ matrix.environment }}"


def test_ci_init_never_replaces_a_workflow_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "workflows"
    out.mkdir()
    (out / "plan.yml").write_text("name: mine\n")
    assert run(["ci", "init", "--env-dir", str(ENV_DIR), "--out", str(out)]) == 2
    assert "plan.yml: exists and was not written by gpulab ci init" in capsys.readouterr().err
    assert (out / "plan.yml").read_text() == "name: mine\n" and not (out / "apply.yml").exists()
    (out / "plan.yml").unlink()
    assert run(["ci", "init", "--env-dir", str(ENV_DIR), "--out", str(out)]) == 0
    assert run(["ci", "init", "--env-dir", str(ENV_DIR), "--out", str(out)]) == 0  # its own files: rewritten
    written = capsys.readouterr().out
    assert "protect these GitHub environments with required reviewers: echoes-prod, huge" in written
    assert (
        "gpulab plan-report" in (out / "plan.yml").read_text() and "make install" not in (out / "plan.yml").read_text()
    )


def test_the_checks_catch_an_unpinned_action_and_a_hand_edit(tmp_path, project):
    copy = tmp_path / "workflows"
    copy.mkdir()
    for name, text in workflows(project).items():
        (copy / name).write_text(text)
    plan = copy / "plan.yml"
    plan.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", plan.read_text(), count=1))
    problems = run_checks(copy, project, Project(project.environments, package_version="0.1.0"))
    assert any("plan.yml: differs from what `gpulab ci init` writes" in p for p in problems)
    assert any(p.startswith("zizmor on") and "unpinned" in p for p in problems)


def test_package_installs_scan_with_the_checkov_version_the_repository_pins():
    from gpulab.ci.workflows import CHECKOV_VERSION

    assert f"checkov=={CHECKOV_VERSION}" in (REPO / "requirements-scan.txt").read_text().splitlines()


def test_training_is_dispatched_by_hand_one_run_at_a_time_with_inputs_as_data():
    """Seed 003's workflow: choose the environment, keep the machines alive or not, pass arguments; runs queue."""
    train = _load("train.yml")
    inputs = train["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["options"] == ["dev", "huge", "large", "prod", "small", "tiny"]  # AWS and GCP
    assert inputs["keep_vm_alive"] == {
        "description": "Leave the machines running afterwards (the idle stop still applies)",
        "type": "boolean",
        "default": False,
    }
    assert train["concurrency"] == {"group": "training", "cancel-in-progress": False}
    (step,) = [s for s in train["jobs"]["train"]["steps"] if s["name"] == "Run the training"]
    assert "${{" not in step["run"]  # inputs reach the shell as environment variables, never as code
    assert "--script training/train.sh" in step["run"] and (REPO / "training" / "train.sh").is_file()


def test_training_signs_in_to_the_chosen_environments_cloud_only():
    steps = {s["name"]: s for s in _load("train.yml")["jobs"]["train"]["steps"]}
    assert steps["Sign in to AWS"]["if"] == """contains(fromJSON('["dev", "prod"]'), inputs.environment)"""
    gcp = steps["Sign in to Google Cloud"]
    assert gcp["if"] == """contains(fromJSON('["huge", "large", "small", "tiny"]'), inputs.environment)"""
    assert gcp["with"]["workload_identity_provider"] == "${{ vars.GPULAB_GCP_WORKLOAD_IDENTITY_PROVIDER }}"


def test_a_package_user_installs_the_operations_extras_the_training_needs():
    from gpulab.ci.workflows import train_workflow

    project = Project(targets(ENV_DIR), package_version="0.1.0")
    steps = {s["name"]: s for s in train_workflow(project)["jobs"]["train"]["steps"]}
    assert steps["Install gpulab"]["run"] == "python -m pip install 'gpulab[aws-ops,gcp-ops]==0.1.0'"


def test_azure_training_is_offered_only_where_the_storage_admits_a_runner():
    """On Azure the job goes through a storage account that admits its VNet only, unless
    azure.storage_access_cidrs lists more: only then can a hosted runner hand jobs over."""
    from gpulab.ci.workflows import EnvironmentTarget, train_workflow

    closed = EnvironmentTarget("echoes", "azure", "eastus", False, runs_from_ci=False)
    assert train_workflow(Project((closed,))) is None
    open_to_runner = EnvironmentTarget("echoes", "azure", "eastus", False, runs_from_ci=True)
    aws = EnvironmentTarget("dev", "aws", "us-east-1", False)
    steps = {s["name"]: s for s in train_workflow(Project((open_to_runner, aws)))["jobs"]["train"]["steps"]}
    assert steps["Sign in to Azure"]["if"] == """contains(fromJSON('["echoes"]'), inputs.environment)"""
    assert steps["Sign in to Azure"]["with"]["client-id"] == "${{ vars.GPULAB_AZURE_CLIENT_ID }}"
    assert [t.runs_from_ci for t in targets(ENV_DIR) if t.cloud == "azure"] == [False, False]
