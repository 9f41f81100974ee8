"""Fake jsii binding packages, and a fresh Python to probe them in, for the tests of gpulab/speed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

FAKE_BINDING = "cdktf_cdktf_provider_fake"  # named like a provider package: gpulab's import hook treats it as one


def write_package(root: Path, modules: Mapping[str, str], name: str = FAKE_BINDING) -> Path:
    """Package `name` under `root` holding `modules` (module name -> source; `__init__` is empty unless given).

    A name with a slash is a module of a subpackage: "_jsii/__init__". Returns
    `root`, the folder to put on `sys.path`. Writing again overwrites.
    """
    package = root / name
    for module, source in {"__init__": "", **modules}.items():
        path = package / f"{module}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


def run_python(
    probe: str, *args: str, env: Mapping[str, str], flags: Sequence[str] = (), timeout: float | None = None
) -> str:
    """`python <flags> -c <probe> <args>` with exactly `env`; its standard output.

    A failing probe fails the test, and so does one still running after `timeout` seconds.
    """
    command = [sys.executable, *flags, "-c", probe, *args]
    result = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=True, timeout=timeout)
    return result.stdout


def probe_lines(probe: str, *args: str, **env: str) -> list[str]:
    """`run_python` with this process's environment plus `env`; its output lines."""
    return run_python(probe, *args, env={**os.environ, **env}).splitlines()


PLAIN_PACKAGE = "plainpackage"  # not a binding: gpulab's import hooks must leave it alone


def run_beside_a_plain_package(root: Path, widget: str, probe: str, **env: str) -> str:
    """Write `widget` as module `widget` of both the fake binding and PLAIN_PACKAGE under `root`, then run `probe`.

    The probe gets `root` as its first argument and an environment holding
    only PATH, a cache folder under `root` (the fake package's compiled code
    stays out of the user's cache) and `env` (no GPULAB_* switch unless
    given); returns its stripped standard output.
    """
    for package in (FAKE_BINDING, PLAIN_PACKAGE):
        write_package(root, {"widget": widget}, name=package)
    return run_python(probe, str(root), env={**probe_environment(root), **env}).strip()


def probe_environment(root: Path) -> dict[str, str]:
    """PATH, and XDG_CACHE_HOME under `root`: what a probe of fake packages under `root` needs."""
    return {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(root / "cache")}
