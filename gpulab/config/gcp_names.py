"""Names and labels of Google Cloud resources, computed once for validation and the stack alike."""

from __future__ import annotations

import re

from gpulab.config.model import Environment

LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")


def instance_name(env: Environment, label: str) -> str:
    """`<project>-<env>-<machine>-<n>`."""
    return f"{env.prefix}-{label}"


def key_ring_name(env: Environment) -> str:
    """`<project>-<env>[-<suffix>]`: a Cloud KMS key ring name can never be used again once taken."""
    return env.global_name(env.prefix)


def snapshot_schedule_name(env: Environment) -> str:
    """`<project>-<env>-snapshots`: the data disks' daily snapshot schedule."""
    return f"{env.prefix}-snapshots"


def service_account_id(env: Environment) -> str:
    """`<project>-<env>-workers`: the fleet's own identity (6-30 characters)."""
    return f"{env.prefix}-workers"


def label(value: str) -> str:
    """A tag key or value as a GCP label allows it: lowercase; other characters become `_`."""
    return re.sub(r"[^a-z0-9_-]", "_", value.lower())[:63]


def labels(tags: dict[str, str]) -> dict[str, str]:
    """The common tag set as labels (`Project` → `project`, `ml@example.org` → `ml_example_org`)."""
    return {label(key): label(value) for key, value in tags.items()}
