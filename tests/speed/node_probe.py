"""Run a Node.js script with one of gpulab's kernel preloads, as the jsii kernel would load it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def run_preloaded(preload: Path, script: str, *args: str, cwd: Path | None = None, **env: str) -> str:
    """`node --require=<preload> -e <script> <args>` in `cwd`; its standard output.

    The environment is this process's with `env` added, less NODE_OPTIONS
    unless `env` sets it, so the preload under test runs alone.
    """
    inherited = {name: value for name, value in os.environ.items() if name != "NODE_OPTIONS"}
    result = subprocess.run(
        ["node", f"--require={preload}", "-e", script, *args],
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
