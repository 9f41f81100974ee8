"""`gpulab ci init` and `gpulab ci changed`: write the workflows for a project, list what apply.yml applies."""

from __future__ import annotations

import json
from pathlib import Path

from gpulab.ci.workflows import EnvironmentTarget, Project, workflows
from gpulab.config import load_environments

OWN_MARK = "# Written by `gpulab ci init`"


class WorkflowConflict(Exception):
    """A workflow file gpulab would write exists and was not written by gpulab."""


def targets(env_dir: Path) -> tuple[EnvironmentTarget, ...]:
    """Every environment in `env_dir` as a workflow target (raises ConfigError for bad files)."""
    return tuple(
        EnvironmentTarget(
            env.name,
            env.cloud,
            env.region,
            env.protect_data,
            remote_state=bool(env.state.bucket or env.state.storage_account),
            runs_from_ci=env.cloud != "azure" or bool(env.azure.storage_access_cidrs),
        )
        for env in load_environments(env_dir)
    )


def write_workflows(project: Project, out_dir: Path) -> list[Path]:
    """Write the workflows into `out_dir`; a file there that gpulab did not write is never replaced."""
    texts = workflows(project)
    for name in texts:
        existing = out_dir / name
        if existing.exists() and not existing.read_text(encoding="utf-8").startswith(OWN_MARK):
            raise WorkflowConflict(f"{existing}: exists and was not written by gpulab ci init (move it away first)")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def changed_targets(base: str, env_dir: Path) -> list[dict[str, str]]:
    """The environments whose stacks differ from revision `base`, as apply.yml's matrix.

    Only environments that still exist and keep remote state: applying one
    with local state on a runner would lose its state with the runner.
    """
    from gpulab.review.compare import compare_revision

    report = compare_revision(base, env_dir, None, with_scan=False)
    by_name = {target.name: target for target in targets(env_dir) if target.remote_state}
    changed = [env.diff.name for env in report.environments if not env.diff.unchanged and env.diff.name in by_name]
    return [{"environment": n, "cloud": by_name[n].cloud, "region": by_name[n].region} for n in changed]


def matrix_json(entries: list[dict[str, str]]) -> str:
    return json.dumps(entries, separators=(",", ":"))
