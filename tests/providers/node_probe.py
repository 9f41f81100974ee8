"""Run a Node.js script with one of gpulab's kernel preloads, as the jsii kernel would load it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def run_preloaded(preload: Path, script: str, *args: str, cwd: Path | None = None, **env: str) -> str:
    """`node --require=<preload> -e <script> <args>` in `cwd` with `env` added; its standard output."""
    result = subprocess.run(
        ["node", f"--require={preload}", "-e", script, *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout
