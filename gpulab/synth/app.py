"""The cdktf App of a set of environments, and its synthesis into an output folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from cdktf import App

from gpulab.config.model import Environment
from gpulab.errors import MissingProvider
from gpulab.speed.import_ahead import import_ahead
from gpulab.stacks import PROVIDER_BINDINGS, build_stack, import_stack_modules, missing_providers
from gpulab.synth.commit import commit_output
from gpulab.synth.out_dir import check_out_dir


def local_state_path(env_name: str, out_dir: Path, state_dir: Path) -> str:
    """Where a stack's local state lives, relative to its working directory.

    Terraform runs in `<out>/stacks/<env>`; the state file lives in `state_dir`
    (the project folder), outside the output folder that each synth replaces.
    """
    stack_dir = out_dir.resolve() / "stacks" / env_name
    return os.path.relpath(state_dir.resolve() / f"terraform.{env_name}.tfstate", stack_dir)


def build_app(
    envs: list[Environment],
    outdir: Path,
    *,
    state_dir: Path,
    final_outdir: Path | None = None,
) -> App:
    """An App holding one stack per environment, writing to `outdir`."""
    import_ahead([PROVIDER_BINDINGS[cloud][0] for cloud in dict.fromkeys(env.cloud for env in envs)])
    app = App(outdir=str(outdir))
    import_stack_modules()
    for env in envs:
        build_stack(app, env, local_state_path=local_state_path(env.name, final_outdir or outdir, state_dir))
    return app


def synthesize(
    envs: list[Environment],
    out_dir: Path,
    *,
    state_dir: Path,
    protected: dict[Path, str] | None = None,
) -> Path:
    """Synthesize `envs` into `out_dir`, replacing only their own files, and only on success.

    `state_dir`: where each stack's local state file lives (the project
    folder), the same whatever folder this runs from. `protected`: folders
    that must not be, or lie inside, `out_dir`, each with what it is; `/` and
    the home folder always are. Raises `UnsafeOutDir` before anything is
    written when `out_dir` holds what cdktf did not write, and
    `MissingProvider` (every missing one, a line each) when a cloud's
    provider bindings are not installed.
    """
    check_out_dir(out_dir, protected=protected)
    missing = missing_providers(envs)
    if missing:
        raise MissingProvider("\n".join(missing))
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        app = build_app(envs, staging, state_dir=state_dir, final_outdir=out_dir)
        app.synth()
        commit_output(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir
