"""Synthesize environments into a cdktf output folder, all or nothing.

The app is synthesized into a fresh folder beside the output folder, which
replaces the old one only once synthesis has succeeded: a failure leaves the
earlier good output untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from cdktf import App

from gpulab.config.model import Environment
from gpulab.providers.skip_preparing import mark_without_preparing
from gpulab.stacks import build_stack, import_stack_modules


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
    without_preparing: bool = False,
) -> App:
    """An App holding one stack per environment, writing to `outdir`.

    `without_preparing`: synthesize it without cdktf's preparing pass
    (providers/skip_preparing.py), for a caller that adds nothing of its own.
    """
    app = App(outdir=str(outdir))
    if without_preparing:
        mark_without_preparing(app)
    import_stack_modules()
    for env in envs:
        build_stack(app, env, local_state_path=local_state_path(env.name, final_outdir or outdir, state_dir))
    return app


def synthesize(envs: list[Environment], out_dir: Path, *, state_dir: Path | None = None) -> Path:
    """Synthesize `envs` into `out_dir`, replacing it only on success."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        app = build_app(envs, staging, state_dir=state_dir or Path.cwd(), final_outdir=out_dir, without_preparing=True)
        app.synth()
        _replace(out_dir, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _replace(target: Path, new: Path) -> None:
    """Swap `new` in for `target`; if the swap fails, `target` is put back."""
    if not target.exists():
        os.rename(new, target)
        return
    parking = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, parking / target.name)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(parking / target.name, target)
        raise
    finally:
        shutil.rmtree(parking, ignore_errors=True)
