"""AWS checks: regions, zones, EC2 types, S3 and IAM names, CloudWatch retentions."""

from __future__ import annotations

import re

from gpulab.config.catalog.aws import AWS
from gpulab.config.checks.common import check_machine_type, check_offered, check_region, unique_names, unused_fields
from gpulab.config.model import Environment
from gpulab.config.tags import GPULAB_TAG_KEYS
from gpulab.rules import names
from gpulab.rules.limits import CLOUDWATCH_RETENTION_DAYS

# IAM role names are at most 64 characters; the longest gpulab builds is
# "<project>-<env>-flow-logs".
MAX_PREFIX_LENGTH = 64 - len("-flow-logs")
RESERVED_TAGS = GPULAB_TAG_KEYS | {"Name"}
# The DLAMI's snapshot is 75 GB; a smaller root volume cannot be created from it.
MIN_ROOT_DISK_GB = 75


def check_aws(env: Environment) -> list[tuple[str, str]]:
    """Every AWS problem in `env`, in file order."""
    problems = check_region("region", env.region, AWS)
    problems += unused_fields(
        "",
        env,
        {
            "azure": "remove it",
            "gcp": "remove it",
            "headquarters": "it is built on azure only",
            "head": "it is built on gcp only",
        },
        "AWS",
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
    problems += unique_names("machines", [m.name for m in env.machines])
    problems += unique_names("buckets", [b.name for b in env.buckets])
    for index, machine in enumerate(env.machines):
        where = f"machines[{index}]"
        type_problems = check_machine_type(where, machine, AWS)
        problems += type_problems or check_offered(where, machine, env.region, AWS)
        if machine.root_disk_gb < MIN_ROOT_DISK_GB:
            problems.append(
                (
                    f"{where}.root_disk_gb",
                    f"{machine.root_disk_gb} is smaller than the Deep Learning AMI's {MIN_ROOT_DISK_GB} GB "
                    f"(use at least {MIN_ROOT_DISK_GB})",
                )
            )
        problems += unused_fields(
            where,
            machine,
            {
                "shutdown_at": "use idle_stop_minutes",
                "shutdown_timezone": "use idle_stop_minutes",
                "max_run_hours": "use idle_stop_minutes",
                "stopped_between_runs": "it is built on gcp only",
            },
            "AWS",
        )
    for index, bucket in enumerate(env.buckets):
        problems += unused_fields(f"buckets[{index}]", bucket, {"cool_after_days": "use archive_after_days"}, "AWS")
        name = env.bucket_name(bucket)
        if names.s3_bucket_name_problem(name):
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
    retention = env.monitoring.log_retention_days
    if retention is not None and retention not in CLOUDWATCH_RETENTION_DAYS:
        nearest = min(CLOUDWATCH_RETENTION_DAYS, key=lambda d: abs(d - retention))
        problems.append(
            (
                "monitoring.log_retention_days",
                f"{retention} is not a retention CloudWatch offers (use {nearest}, or one of "
                f"{', '.join(map(str, CLOUDWATCH_RETENTION_DAYS))})",
            )
        )
    if env.state.bucket is not None and names.s3_bucket_name_problem(env.state.bucket):
        problems.append(
            (
                "state.bucket",
                f"{env.state.bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, hyphens)",
            )
        )
    if env.state.region is not None:
        problems += check_region("state.region", env.state.region, AWS)
    problems += unused_fields(
        "state",
        env.state,
        {
            name: "an S3 backend takes bucket, key and region"
            for name in ("resource_group", "storage_account", "container")
        },
        "AWS",
    )
    return problems
