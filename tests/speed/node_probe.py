"""Run a Node.js script with one of gpulab's kernel preloads, as the jsii kernel would load it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path


def run_preloaded(
    preload: Path,
    script: str,
    *args: str,
    cwd: Path | None = None,
    before: Sequence[Path] = (),
    node_options: Sequence[str] = (),
    **env: str,
) -> str:
    """`node --require=<before>… --require=<preload> <node_options> -e <script> <args>` in `cwd`; its standard output.

    The environment is this process's with `env` added, less NODE_OPTIONS
    unless `env` sets it: gpulab, imported by the tests, puts its other
    preloads there, and the preload under test runs alone (after the
    scripts of `before`, which see what it hands on).
    """
    inherited = {name: value for name, value in os.environ.items() if name != "NODE_OPTIONS"}
    requires = [f"--require={path}" for path in (*before, preload)]
    result = subprocess.run(
        ["node", *requires, *node_options, "-e", script, *args],
        cwd=cwd,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def write_node_module(root: Path, path: str, source: str) -> None:
    """Write `source` as `root/node_modules/<path>`, where `require(path)` run in `root` finds it."""
    module = root / "node_modules" / path
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(source)
