"""Checks that need the cloud catalog: regions, GPU and machine types, names.

The pydantic model checks the shape of a file; these check that what it asks
for exists on its cloud. Each returns (field path, message) pairs.
"""

from __future__ import annotations

import difflib
import os
import re

from gpulab.config import catalog
from gpulab.config.model import Environment, Machine

# IAM role names are at most 64 characters; the longest gpulab builds is
# "<project>-<env>-flow-logs".
MAX_PREFIX_LENGTH = 64 - len("-flow-logs")
RESERVED_TAGS = frozenset({"Project", "Environment", "ManagedBy", "Owner", "Name"})
S3_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def suggestion(value: str, choices: list[str] | set[str] | frozenset[str]) -> str:
    """`did you mean 'x'?` when a choice is close to `value`, else the choices.

    Close means similar enough (a ratio of 0.6, or 0.8 for names of up to
    four characters, where one letter is a large change), the same letters
    swapped (`dve` → `dev`), or a key the value starts with (`nat_gateway` →
    `nat`). Ties go to the choice sharing the longest prefix.
    """
    cutoff = 0.8 if len(value) <= 4 else 0.6

    def score(choice: str) -> tuple[float, int]:
        ratio = difflib.SequenceMatcher(None, value, choice).ratio()
        prefix = len(os.path.commonprefix([value, choice]))
        return ratio, prefix

    close = [
        c
        for c in choices
        if score(c)[0] >= cutoff or sorted(c) == sorted(value) or (len(c) >= 3 and value.startswith(c))
    ]
    if close:
        best = max(sorted(close), key=score)
        return f"did you mean {best!r}?"
    return "use one of " + ", ".join(sorted(choices))


def check_environment(env: Environment) -> list[tuple[str, str]]:
    """Every catalog problem in `env`, in file order."""
    problems: list[tuple[str, str]] = []
    if env.region not in catalog.AWS_REGIONS:
        problems.append(
            ("region", f"unknown AWS region {env.region!r} ({suggestion(env.region, catalog.AWS_REGIONS)})")
        )
    zones = env.network.availability_zones
    if isinstance(zones, list):
        for index, zone in enumerate(zones):
            if not re.fullmatch(re.escape(env.region) + r"[a-z]", zone):
                problems.append(
                    (
                        f"network.availability_zones[{index}]",
                        f"{zone!r} is not a zone of {env.region} (write e.g. {env.region}a)",
                    )
                )
    if len(env.prefix) > MAX_PREFIX_LENGTH:
        problems.append(
            (
                "project",
                f"'{env.prefix}' (project-environment) is {len(env.prefix)} characters; IAM role names built "
                f"from it allow at most {MAX_PREFIX_LENGTH} (shorten the project or the file name)",
            )
        )
    for key in env.tags:
        if key in RESERVED_TAGS or key.lower().startswith("aws:"):
            problems.append(
                (f"tags.{key}", f"{key!r} is set by gpulab or AWS (remove it; use project/owner for Project/Owner)")
            )
    problems += _unique_names("machines", [m.name for m in env.machines])
    problems += _unique_names("buckets", [b.name for b in env.buckets])
    for index, machine in enumerate(env.machines):
        problems += _check_machine(f"machines[{index}]", machine)
    for index, bucket in enumerate(env.buckets):
        name = env.bucket_name(bucket)
        if not S3_BUCKET_NAME.match(name) or "--" in name:
            problems.append(
                (
                    f"buckets[{index}].name",
                    f"bucket name {name!r} is not a valid S3 name "
                    "(3-63 lowercase letters, digits and single hyphens; shorten project, "
                    "environment or bucket name)",
                )
            )
    if any(b.access_logs for b in env.buckets):
        name = env.bucket_name("access-logs")
        if len(name) > 63:
            problems.append(
                (
                    "buckets",
                    f"access-log bucket name {name!r} is longer than 63 characters "
                    "(shorten project or environment name)",
                )
            )
    if env.state.bucket is not None and not S3_BUCKET_NAME.match(env.state.bucket):
        problems.append(
            (
                "state.bucket",
                f"{env.state.bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, hyphens)",
            )
        )
    if env.state.region is not None and env.state.region not in catalog.AWS_REGIONS:
        problems.append(
            (
                "state.region",
                f"unknown AWS region {env.state.region!r} ({suggestion(env.state.region, catalog.AWS_REGIONS)})",
            )
        )
    return problems


def _unique_names(section: str, names: list[str]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    problems = []
    for index, name in enumerate(names):
        if name in seen:
            problems.append((f"{section}[{index}].name", f"{name!r} is used twice (give each entry its own name)"))
        seen.add(name)
    return problems


def _check_machine(where: str, machine: Machine) -> list[tuple[str, str]]:
    if machine.machine_type is not None:
        known = catalog.AWS_MACHINE_TYPES.get(machine.machine_type)
        if known is None:
            return [
                (
                    f"{where}.machine_type",
                    f"unknown AWS machine type {machine.machine_type!r} "
                    f"({suggestion(machine.machine_type, set(catalog.AWS_MACHINE_TYPES))})",
                )
            ]
        if machine.gpu and (known.gpu, known.gpu_count) != (machine.gpu.type, machine.gpu.count):
            return [
                (
                    f"{where}.machine_type",
                    f"{known.name} carries {known.gpu_count} × {known.gpu or 'no GPU'}, "
                    f"not {machine.gpu.count} × {machine.gpu.type} (drop gpu or machine_type)",
                )
            ]
        return []
    assert machine.gpu is not None  # the model requires gpu or machine_type
    gpu_types = catalog.aws_gpu_types()
    if machine.gpu.type not in gpu_types:
        return [
            (
                f"{where}.gpu.type",
                f"unknown GPU type {machine.gpu.type!r} on AWS ({suggestion(machine.gpu.type, gpu_types)})",
            )
        ]
    if catalog.aws_machine_for_gpu(machine.gpu.type, machine.gpu.count) is None:
        counts = ", ".join(map(str, catalog.aws_gpu_counts(machine.gpu.type)))
        return [
            (
                f"{where}.gpu.count",
                f"no AWS machine carries {machine.gpu.count} × {machine.gpu.type} (use {counts})",
            )
        ]
    return []
