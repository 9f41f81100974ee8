"""An environment's machines and job bucket on its cloud, behind one interface for `gpulab machines` and `gpulab run`.

Each cloud has a module with `find`, `start` and `stop` (aws_machines,
azure_machines, gcp_machines) and a job store (aws_store, azure_store,
gcp_store); this module picks them by the environment's cloud and imports
only that cloud's SDK.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

from gpulab.config.model import Environment
from gpulab.ops.errors import OpsError

CLOUDS = ("aws", "azure", "gcp")  # the clouds `gpulab machines` and `gpulab run` work on


@dataclass(frozen=True)
class Machine:
    """One machine as its cloud reports it; `state` in the cloud's own words (running, stopped, TERMINATED, …)."""

    name: str
    id: str
    machine_type: str
    state: str


class JobStore(Protocol):
    """The bucket `gpulab run` hands jobs through: keys under it, read and written whole."""

    url: str

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none (yet)."""

    def keys(self, prefix: str) -> list[str]: ...

    def download(self, key: str, path: Path) -> None: ...


def _module(env: Environment, kind: str) -> ModuleType:
    if env.cloud not in CLOUDS:
        raise OpsError(f"{env.name}: is on {env.cloud}; this works on {', '.join(CLOUDS)} environments so far")
    return importlib.import_module(f"gpulab.ops.{env.cloud}_{kind}")


def machines(env: Environment) -> ModuleType:
    """The module that finds, starts and stops `env`'s machines: find/start/stop(env, group=None) → [Machine]."""
    return _module(env, "machines")


def job_store(env: Environment) -> JobStore:
    """The store over `env`'s first bucket (on Azure, that container), where `gpulab run` hands jobs over."""
    if not env.buckets:
        raise OpsError(f"{env.name}: has no bucket to hand jobs through (add one under buckets:)")
    return _module(env, "store").JobBucket(env, env.buckets[0])


def check_group(env: Environment, group: str | None) -> None:
    """OpsError when `group` names no machine group of `env`."""
    if group is not None and group not in {m.name for m in env.machines}:
        known = ", ".join(m.name for m in env.machines) or "none"
        raise OpsError(f"{env.name} has no machine named {group!r} (its machines: {known})")
