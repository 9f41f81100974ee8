"""The GitHub Actions workflows for plan review and apply, built from a project's environments.

Three workflows, the same for this repository (which installs with `make
install` and runs `main.py`) and for a project that installs gpulab as a
package (`gpulab ci init`):

* plan.yml, on every pull request: lint, test, synth, `gpulab diff` against
  the base branch and checkov (SARIF to code scanning), with no secret and
  read-only permissions, so pull requests from forks run it safely; then,
  for pull requests from this repository only, one job per environment that
  signs in to its cloud by OIDC (no stored keys), runs `terraform plan` in
  the environment's stack and renders it with `gpulab plan-report`.
* comment.yml, when plan.yml finishes: posts or updates one comment on the
  pull request from those reports. It runs in the base repository's
  context with the base branch's code and reads the reports as text only,
  so a fork's pull request can be commented without running its code with
  a write token (no `pull_request_target`).
* apply.yml, on every push to main: applies the environments whose stacks
  changed, one job each, in a GitHub environment of the same name, which
  the repository protects with required reviewers for production data.

Permissions are none at the top and the least each job needs; every
third-party action is pinned by commit (actions.py); each environment's
plans and applies share a concurrency group and never cancel one another.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from gpulab.ci import actions

RUNNER = "ubuntu-24.04"
PYTHON_VERSION = "3.11"
NODE_VERSION = "20"
TERRAFORM_VERSION = "1.11.4"
REPORTS = "review"  # the folder of reports each job uploads


@dataclass(frozen=True)
class EnvironmentTarget:
    """An environment a workflow plans or applies: its stack folder name, cloud, region, whether it holds
    production data (its GitHub environment should require a reviewer), and whether its state is remote
    (only those are planned and applied in CI: a runner's local state file is gone when the job ends), and
    whether `gpulab run` can hand it jobs from a hosted runner (on Azure only where the storage account admits
    ranges outside its VNet: azure.storage_access_cidrs)."""

    name: str
    cloud: str
    region: str
    protected: bool
    remote_state: bool = True
    runs_from_ci: bool = True


@dataclass(frozen=True)
class Project:
    """How the workflows install and run gpulab, and what they plan.

    package_version None: this repository (`make install`, `.venv/bin/python main.py`);
    else `pip install gpulab==<version>` and the `gpulab` command.
    """

    environments: tuple[EnvironmentTarget, ...]
    env_dir: str = "environments"
    package_version: str | None = None

    @property
    def gpulab(self) -> str:
        return ".venv/bin/python main.py" if self.package_version is None else "gpulab"


def _step(title: str, **fields: object) -> dict:
    return {"name": title, **fields}


def _uses(title: str, action: actions.Action, /, **with_: object) -> dict:
    return _step(title, uses=action.uses, **({"with": with_} if with_ else {}))


def _checkout(history: bool = False) -> dict:
    options: dict[str, object] = {"persist-credentials": False}
    if history:
        options["fetch-depth"] = 0
    return _uses("Check out", actions.CHECKOUT, **options)


def _install(project: Project, *, terraform: bool, scanner: bool = False, extras: Sequence[str] = ()) -> list[dict]:
    steps = [
        _uses("Set up Python", actions.SETUP_PYTHON, **{"python-version": PYTHON_VERSION}),
        _uses("Set up Node.js", actions.SETUP_NODE, **{"node-version": NODE_VERSION}),
    ]
    if terraform:
        steps.append(
            _uses(
                "Set up Terraform",
                actions.SETUP_TERRAFORM,
                terraform_version=TERRAFORM_VERSION,
                terraform_wrapper=False,
            )
        )
    if project.package_version is None:
        steps.append(_step("Install", run="make install"))
    else:
        package = f"gpulab[{','.join(extras)}]" if extras else "gpulab"
        steps.append(_step("Install gpulab", run=f"python -m pip install '{package}=={project.package_version}'"))
        if scanner:
            steps.append(_step("Install checkov", run=f"pipx install 'checkov=={CHECKOV_VERSION}'"))
    return steps


def _synth(project: Project) -> dict:
    return _step("Synthesize", run=f"{project.gpulab} synth --env-dir {project.env_dir}")


def _sign_in() -> list[dict]:
    """OIDC sign-in to the matrix environment's cloud, from repository variables; no stored keys."""
    return [
        _uses(
            "Sign in to AWS",
            actions.AWS_CREDENTIALS,
            **{"role-to-assume": "${{ vars.GPULAB_AWS_ROLE_ARN }}", "aws-region": "${{ matrix.region }}"},
        )
        | {"if": "matrix.cloud == 'aws'"},
        _uses(
            "Sign in to Azure",
            actions.AZURE_LOGIN,
            **{
                "client-id": "${{ vars.GPULAB_AZURE_CLIENT_ID }}",
                "tenant-id": "${{ vars.GPULAB_AZURE_TENANT_ID }}",
                "subscription-id": "${{ vars.GPULAB_AZURE_SUBSCRIPTION_ID }}",
            },
        )
        | {"if": "matrix.cloud == 'azure'"},
        _uses(
            "Sign in to Google Cloud",
            actions.GCP_AUTH,
            workload_identity_provider="${{ vars.GPULAB_GCP_WORKLOAD_IDENTITY_PROVIDER }}",
            service_account="${{ vars.GPULAB_GCP_SERVICE_ACCOUNT }}",
        )
        | {"if": "matrix.cloud == 'gcp'"},
    ]


AZURE_OIDC_ENV = {  # the azurerm provider and backend sign in with the job's OIDC token
    "ARM_USE_OIDC": "true",
    "ARM_CLIENT_ID": "${{ vars.GPULAB_AZURE_CLIENT_ID }}",
    "ARM_TENANT_ID": "${{ vars.GPULAB_AZURE_TENANT_ID }}",
    "ARM_SUBSCRIPTION_ID": "${{ vars.GPULAB_AZURE_SUBSCRIPTION_ID }}",
}


def _matrix(project: Project) -> dict:
    return {
        "fail-fast": False,
        "matrix": {
            "include": [
                {"environment": e.name, "cloud": e.cloud, "region": e.region}
                for e in project.environments
                if e.remote_state
            ]
        },
    }


def plan_workflow(project: Project) -> dict:
    review_steps = [
        _checkout(history=True),
        *_install(project, terraform=True, scanner=True),
    ]
    if project.package_version is None:
        review_steps += [_step("Lint", run="make lint"), _step("Test", run="make test")]
    review_steps += [
        _synth(project),
        _step(
            "Compare with the base branch",
            env={"BASE_REF": "${{ github.base_ref }}"},
            run=f'mkdir -p {REPORTS}\n{project.gpulab} diff --base "origin/$BASE_REF" --env-dir {project.env_dir} '
            f"--scan --format markdown > {REPORTS}/diff.md",
        ),
        _step(
            "Estimate the monthly cost",
            run=f"mkdir -p {REPORTS}\n"
            f"{project.gpulab} cost --env-dir {project.env_dir} --format markdown > {REPORTS}/cost.md",
        ),
        _step(
            "Scan with checkov",
            run=f"{_checkov(project)} --soft-fail -o sarif --output-file-path checkov.out "
            "$(for stack in cdktf.out/stacks/*/cdk.tf.json; do printf -- ' -f %s' \"$stack\"; done)",
        ),
        _uses("Upload the scan to code scanning", actions.UPLOAD_SARIF, sarif_file="checkov.out/results_sarif.sarif"),
        _uses("Keep the report", actions.UPLOAD_ARTIFACT, name="review-diff", path=REPORTS),
    ]
    plan_steps = [
        _checkout(),
        *_install(project, terraform=True),
        _synth(project),
        *_sign_in(),
        _step(
            "Plan",
            **{"working-directory": "cdktf.out/stacks/${{ matrix.environment }}"},
            run="terraform init -input=false\n"
            "if terraform plan -input=false -lock-timeout=5m -json -out=plan.bin > plan.log.json; then\n"
            "  terraform show -json plan.bin > plan.json\n"
            "fi",
        ),
        _step(
            "Report the plan",
            **{"if": "always()"},
            env={"ENVIRONMENT": "${{ matrix.environment }}"},
            run=f'stack="cdktf.out/stacks/$ENVIRONMENT"\nmkdir -p {REPORTS}\n'
            f'plan="$stack/plan.json"; [ -f "$plan" ] || plan="$stack/plan.log.json"\n'
            f'{project.gpulab} plan-report "$plan" --format markdown > "{REPORTS}/plan-$ENVIRONMENT.md"',
        ),
        _uses(
            "Keep the report",
            actions.UPLOAD_ARTIFACT,
            name="review-plan-${{ matrix.environment }}",
            path=REPORTS,
        )
        | {"if": "always()"},
    ]
    return {
        "name": "plan",
        "on": {"pull_request": {}},
        "permissions": {},
        "jobs": {
            "review": {
                "name": "lint, test, synth, diff, scan",
                "runs-on": RUNNER,
                "permissions": {"contents": "read", "security-events": "write"},
                "steps": review_steps,
            },
            "plan": {
                "name": "plan ${{ matrix.environment }}",
                "needs": "review",
                "if": "github.event.pull_request.head.repo.full_name == github.repository",
                "runs-on": RUNNER,
                "permissions": {"contents": "read", "id-token": "write"},
                "strategy": _matrix(project),
                "concurrency": {"group": "terraform-${{ matrix.environment }}", "cancel-in-progress": False},
                "env": AZURE_OIDC_ENV,
                "steps": plan_steps,
            },
        },
    }


CHECKOV_VERSION = "3.3.30"  # as requirements-scan.txt pins it


def _checkov(project: Project) -> str:
    if project.package_version is None:
        return ".venv-checkov/bin/checkov --config-file .checkov.yaml"
    return "checkov"


def comment_workflow(project: Project) -> dict:
    post = (
        'python3 -m gpulab.review.pr_comment --repository "$REPOSITORY" --head-sha "$HEAD_SHA" '
        f'--head-repository "$HEAD_REPOSITORY" --head-branch "$HEAD_BRANCH" {REPORTS}'
    )
    install = (
        []
        if project.package_version is None
        else [_step("Install gpulab", run=f"python3 -m pip install --no-deps 'gpulab=={project.package_version}'")]
    )
    return {
        "name": "plan comment",
        "on": {"workflow_run": {"workflows": ["plan"], "types": ["completed"]}},
        "permissions": {},
        "jobs": {
            "comment": {
                "name": "comment on the pull request",
                "if": "github.event.workflow_run.event == 'pull_request'",
                "runs-on": RUNNER,
                "permissions": {"actions": "read", "pull-requests": "write"},
                "steps": [
                    _checkout(),  # the base branch: trusted code only
                    *install,
                    _uses(
                        "Fetch the reports",
                        actions.DOWNLOAD_ARTIFACT,
                        **{
                            "run-id": "${{ github.event.workflow_run.id }}",
                            "github-token": "${{ github.token }}",
                            "pattern": "review-*",
                            "merge-multiple": True,
                            "path": REPORTS,
                        },
                    ),
                    _step(
                        "Post or update the comment",
                        env={
                            "GITHUB_TOKEN": "${{ github.token }}",
                            "REPOSITORY": "${{ github.repository }}",
                            "HEAD_SHA": "${{ github.event.workflow_run.head_sha }}",
                            "HEAD_REPOSITORY": "${{ github.event.workflow_run.head_repository.full_name }}",
                            "HEAD_BRANCH": "${{ github.event.workflow_run.head_branch }}",
                        },
                        run=post,
                    ),
                ],
            }
        },
    }


def apply_workflow(project: Project) -> dict:
    changed = (
        f'{project.gpulab} ci changed --base "$BEFORE" --env-dir {project.env_dir} > changed.json\n'
        'echo "environments=$(cat changed.json)" >> "$GITHUB_OUTPUT"'
    )
    return {
        "name": "apply",
        "on": {"push": {"branches": ["main"]}},
        "permissions": {},
        "jobs": {
            "changed": {
                "name": "environments whose stacks changed",
                "runs-on": RUNNER,
                "permissions": {"contents": "read"},
                "outputs": {"environments": "${{ steps.changed.outputs.environments }}"},
                "steps": [
                    _checkout(history=True),
                    *_install(project, terraform=False),
                    _step(
                        "List them",
                        id="changed",
                        env={"BEFORE": "${{ github.event.before }}"},
                        run=changed,
                    ),
                ],
            },
            "apply": {
                "name": "apply ${{ matrix.environment }}",
                "needs": "changed",
                "if": "needs.changed.outputs.environments != '[]'",
                "runs-on": RUNNER,
                "environment": "${{ matrix.environment }}",
                "permissions": {"contents": "read", "id-token": "write"},
                "strategy": {
                    "fail-fast": False,
                    "matrix": {"include": "${{ fromJSON(needs.changed.outputs.environments) }}"},
                },
                "concurrency": {"group": "terraform-${{ matrix.environment }}", "cancel-in-progress": False},
                "env": AZURE_OIDC_ENV,
                "steps": [
                    _checkout(),
                    *_install(project, terraform=True),
                    _synth(project),
                    *_sign_in(),
                    _step(
                        "Apply",
                        **{"working-directory": "cdktf.out/stacks/${{ matrix.environment }}"},
                        run="terraform init -input=false\nterraform apply -input=false -lock-timeout=5m -auto-approve",
                    ),
                ],
            },
        },
    }


RUNS_ON = ("aws", "azure", "gcp")  # clouds `gpulab run` works on
OPS_EXTRAS = {"aws": "aws-ops", "azure": "azure-ops", "gcp": "gcp-ops"}
TRAINING_SCRIPT = "training/train.sh"


def train_workflow(project: Project) -> dict | None:
    """Seed 003's training workflow: dispatched by hand, one run at a time, `gpulab run` with the repository's
    training script on the chosen environment; None when no environment is on a cloud `gpulab run` serves."""
    clouds = {e.name: e.cloud for e in project.environments if e.cloud in RUNS_ON and e.runs_from_ci}
    choices = list(clouds)
    if not choices:
        return None
    run = (
        'read -ra ARGS <<< "$TRAINING_ARGUMENTS"  # words, never evaluated\n'
        'KEEP=(); if [ "$KEEP_VM_ALIVE" = "true" ]; then KEEP=(--keep-alive); fi\n'
        f'{project.gpulab} run "$ENVIRONMENT" --env-dir {project.env_dir} "${{KEEP[@]}}" '
        f'--script {TRAINING_SCRIPT} -- "${{ARGS[@]}}"'
    )
    extras = sorted(OPS_EXTRAS[cloud] for cloud in set(clouds.values()))
    return {
        "name": "train",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    "environment": {"description": "Where to train", "type": "choice", "options": choices},
                    "keep_vm_alive": {
                        "description": "Leave the machines running afterwards (the idle stop still applies)",
                        "type": "boolean",
                        "default": False,
                    },
                    "training_arguments": {
                        "description": f"Arguments for {TRAINING_SCRIPT}",
                        "type": "string",
                        "default": "",
                    },
                }
            }
        },
        "permissions": {},
        "concurrency": {"group": "training", "cancel-in-progress": False},
        "jobs": {
            "train": {
                "name": "train on ${{ inputs.environment }}",
                "runs-on": RUNNER,
                "permissions": {"contents": "read", "id-token": "write"},
                "steps": [
                    _checkout(),
                    *_install(project, terraform=False, extras=extras),
                    *_training_sign_in(project, clouds),
                    _step(
                        "Run the training",
                        env={
                            "ENVIRONMENT": "${{ inputs.environment }}",
                            "KEEP_VM_ALIVE": "${{ inputs.keep_vm_alive }}",
                            "TRAINING_ARGUMENTS": "${{ inputs.training_arguments }}",
                        },
                        run=run,
                    ),
                    _uses("Keep the logs and results", actions.UPLOAD_ARTIFACT, name="training-run", path="runs")
                    | {"if": "always()"},
                ],
            }
        },
    }


def _training_sign_in(project: Project, clouds: dict[str, str]) -> list[dict]:
    """OIDC sign-in for the chosen environment's cloud: one step per cloud among the choices, each run only for
    its own environments when the choices span clouds."""
    steps = []
    for cloud in RUNS_ON:
        names = [name for name, on in clouds.items() if on == cloud]
        if not names:
            continue
        if cloud == "aws":
            regions = {e.region for e in project.environments if e.name in names}
            region = regions.pop() if len(regions) == 1 else "${{ vars.GPULAB_AWS_REGION }}"
            step = _uses(
                "Sign in to AWS",
                actions.AWS_CREDENTIALS,
                **{"role-to-assume": "${{ vars.GPULAB_AWS_ROLE_ARN }}", "aws-region": region},
            )
        elif cloud == "azure":
            step = _uses(
                "Sign in to Azure",
                actions.AZURE_LOGIN,
                **{
                    "client-id": "${{ vars.GPULAB_AZURE_CLIENT_ID }}",
                    "tenant-id": "${{ vars.GPULAB_AZURE_TENANT_ID }}",
                    "subscription-id": "${{ vars.GPULAB_AZURE_SUBSCRIPTION_ID }}",
                },
            )
        else:
            step = _uses(
                "Sign in to Google Cloud",
                actions.GCP_AUTH,
                workload_identity_provider="${{ vars.GPULAB_GCP_WORKLOAD_IDENTITY_PROVIDER }}",
                service_account="${{ vars.GPULAB_GCP_SERVICE_ACCOUNT }}",
            )
        if len(set(clouds.values())) > 1:
            step |= {"if": f"contains(fromJSON('{json.dumps(names)}'), inputs.environment)"}
        steps.append(step)
    return steps


HEADER = (
    "# Written by `gpulab ci init` ({what}); edit the environments, then run it again.\n"
    "# docs/ci.md: what this does, the repository variables it reads, and the environments to protect.\n"
)


class _WorkflowDumper(yaml.SafeDumper):
    """Multi-line scripts as literal blocks, so a workflow reads like a hand-written one."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_WorkflowDumper.add_representer(str, _string)


def render(workflow: dict, what: str) -> str:
    """A workflow as YAML, each pinned action followed by its release."""
    text = yaml.dump(workflow, Dumper=_WorkflowDumper, sort_keys=False, width=10_000, allow_unicode=True)
    releases = {a.uses: a.release for a in actions.ALL}
    text = re.sub(r"(uses: )(\S+)", lambda m: f"{m[1]}{m[2]}  # {releases.get(m[2], '?')}", text)
    return HEADER.format(what=what) + text


def workflows(project: Project) -> dict[str, str]:
    """File name → text of every workflow for `project`."""
    what = "this repository" if project.package_version is None else f"gpulab {project.package_version}"
    comment = render(comment_workflow(project), what).replace(
        "  workflow_run:\n",
        "  # The safe use of workflow_run: the base branch's code runs, and the reports plan.yml uploaded are read\n"
        "  # as text and posted, never executed (docs/ci.md).\n"
        "  workflow_run:  # zizmor: ignore[dangerous-triggers]\n",
    )
    files = {
        "plan.yml": render(plan_workflow(project), what),
        "comment.yml": comment,
        "apply.yml": render(apply_workflow(project), what),
    }
    training = train_workflow(project)
    if training is not None:
        files["train.yml"] = render(training, what)
    return files
