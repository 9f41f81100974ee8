"""Synthesize the environments of a git revision and of the working tree, side by side, into a scratch folder.

The revision is checked out into a detached git worktree under the scratch
folder and removed afterwards, whatever happens; the working tree is read
as it is. Each side runs in its own process from its own tree, so a
revision synthesizes with its own gpulab code where the tree holds it (this
repository), and with the installed gpulab where it does not (a project
that only holds environment files). The two synths run at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gpulab.config.loader import environment_files

SYNTH = "import sys; from gpulab.cli import entry_point; sys.exit(entry_point())"
SYNTH_TIMEOUT_S = 600


class RevisionError(Exception):
    """The revision cannot be read or synthesized; the message says which and why."""


def git(*args: str, cwd: Path) -> str:
    """`git ARGS` in `cwd`; its output, or RevisionError with git's message."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    except FileNotFoundError:
        raise RevisionError("git is not installed (gpulab diff compares git revisions)") from None
    if done.returncode != 0:
        raise RevisionError(f"git {' '.join(args)}: {done.stderr.strip() or f'exit status {done.returncode}'}")
    return done.stdout.strip()


def repository_root(start: Path) -> Path:
    return Path(git("rev-parse", "--show-toplevel", cwd=start))


@contextmanager
def checked_out(root: Path, revision: str, scratch: Path) -> Iterator[Path]:
    """Revision `revision` of the repository at `root`, checked out under `scratch` while the block runs."""
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", cwd=root)
    except RevisionError:
        raise RevisionError(f"{revision!r} is not a commit of {root} (give a branch, tag or commit)") from None
    tree = scratch / "base"
    git("worktree", "add", "--detach", "--quiet", str(tree), commit, cwd=root)
    try:
        yield tree
    finally:
        try:
            git("worktree", "remove", "--force", str(tree), cwd=root)
        except RevisionError:
            shutil.rmtree(tree, ignore_errors=True)
            subprocess.run(["git", "worktree", "prune"], cwd=root, capture_output=True, check=False)


def environment_names(env_dir: Path) -> list[str]:
    return [path.stem for path in environment_files(env_dir)] if env_dir.is_dir() else []


def start_synth(tree: Path, env_dir: Path, names: list[str], out: Path) -> subprocess.Popen | None:
    """Start synthesizing `names` (those of them `env_dir` holds) from `tree` into `out`; None when there are none."""
    present = [name for name in names if name in environment_names(env_dir)]
    if not present:
        return None
    command = [sys.executable, "-c", SYNTH, "synth", *present, "--env-dir", str(env_dir), "--out", str(out)]
    environ = {key: value for key, value in os.environ.items() if key != "CDKTF_OUTDIR"}
    return subprocess.Popen(command, cwd=tree, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_synth(label: str, process: subprocess.Popen | None, out: Path) -> dict[str, dict]:
    """Wait for a synth started by start_synth; its stacks by environment name, or RevisionError with its output."""
    if process is None:
        return {}
    try:
        _, errors = process.communicate(timeout=SYNTH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RevisionError(f"{label}: synth did not finish in {SYNTH_TIMEOUT_S} s") from None
    if process.returncode != 0:
        raise RevisionError(f"{label}: synth failed (exit status {process.returncode}):\n{errors.strip()}")
    stacks = {}
    for stack_file in sorted((out / "stacks").glob("*/cdk.tf.json")):
        stacks[stack_file.parent.name] = json.loads(stack_file.read_text(encoding="utf-8"))
    return stacks


def synthesize_both(
    root: Path, revision: str, env_dir: Path, names: list[str] | None, scratch: Path
) -> tuple[dict[str, dict], dict[str, dict]]:
    """Stacks at `revision` and in the working tree by environment name, for `names` (default: every environment
    of either side).

    `env_dir` is the environment folder of the working tree; the revision's
    is the same path inside its checkout.
    """
    relative_env_dir = env_dir.resolve().relative_to(root.resolve())
    with checked_out(root, revision, scratch) as base_tree:
        base_env_dir = base_tree / relative_env_dir
        wanted = names or sorted(set(environment_names(base_env_dir)) | set(environment_names(env_dir)))
        base_run = start_synth(base_tree, base_env_dir, wanted, scratch / "base-out")
        head_run = start_synth(root, env_dir.resolve(), wanted, scratch / "head-out")
        results, failures = [], []
        for label, run, out in ((revision, base_run, "base-out"), ("working tree", head_run, "head-out")):
            try:
                results.append(finish_synth(label, run, scratch / out))
            except RevisionError as error:
                failures.append(str(error))
        if failures:
            raise RevisionError("\n".join(failures))
        base_stacks, head_stacks = results
    unknown = [name for name in wanted if name not in base_stacks and name not in head_stacks]
    if unknown:
        raise RevisionError(f"no environment named {', '.join(map(repr, unknown))} at {revision} or in {env_dir}")
    return base_stacks, head_stacks
