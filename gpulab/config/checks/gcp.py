"""Google Cloud checks: project, regions, zones and their accelerators, machine types, names, labels."""

from __future__ import annotations

from gpulab.config import gcp_names
from gpulab.config.catalog.gcp import ATTACHABLE_COUNTS, GCP, ZONE_ACCELERATORS, attaches_gpus, zones_of, zones_offering
from gpulab.config.checks.common import (
    check_disk_size,
    check_machine_type,
    check_region,
    check_size,
    suggestion,
    unique_names,
    unused_fields,
)
from gpulab.config.model import Environment, Machine
from gpulab.config.tags import GPULAB_TAG_KEYS, common_tags
from gpulab.errors import shown
from gpulab.rules import names
from gpulab.rules.limits import GCE_DISK_GB, LOG_BUCKET_RETENTION_DAYS
from gpulab.rules.time_zones import iana_for_windows, is_iana_time_zone
from gpulab.time_of_day import GCE_SNAPSHOT_START_TIMES


def check_gcp(env: Environment) -> list[tuple[str, str]]:
    """Every Google Cloud problem in `env`, in file order."""
    problems = check_region("region", env.region, GCP)
    if env.backs_up_disks and env.backups.daily_at not in GCE_SNAPSHOT_START_TIMES:
        problems.append(
            (
                "backups.daily_at",
                f"{env.backups.daily_at} is not a start time of Compute Engine snapshot schedules "
                f"(use one of {', '.join(GCE_SNAPSHOT_START_TIMES)} UTC)",
            )
        )
    ring = gcp_names.key_ring_name(env)
    if env.encryption == "kms" and names.key_ring_name_problem(f"{ring}-key"):
        problems.append(("project", f"key ring name {ring!r} is too long for its key's name (shorten project or name)"))
    schedule_name = gcp_names.snapshot_schedule_name(env)
    if env.backs_up_disks and env.machines and not names.GCE_RESOURCE_NAME.match(schedule_name):
        problems.append(
            (
                "project",
                f"snapshot schedule name {schedule_name!r} is longer than 63 characters (shorten project or name)",
            )
        )
    if env.gcp.project_id is None:
        problems.append(("gcp.project_id", "is required on gcp (add the ID of the Google Cloud project to build in)"))
    problems += unused_fields(
        "",
        env,
        {
            "aws": "remove it; Google Cloud settings go under gcp:",
            "azure": "remove it; Google Cloud settings go under gcp:",
            "headquarters": "it is built on azure only",
        },
        "GCP",
    )
    problems += _check_labels(env)
    problems += unused_fields(
        "network",
        env.network,
        {"public_subnets": "GCP subnets are regional: machines go into private_subnets[0]"},
        "GCP",
    )
    if env.network.nat == "per_az":
        problems.append(("network.nat", "per_az: Cloud NAT is regional, one serves every zone (use single)"))
    if env.region in GCP.regions:
        problems += _check_zones_and_machines(env)
    problems += _check_buckets(env)
    retention = env.monitoring.log_retention_days
    low, high = LOG_BUCKET_RETENTION_DAYS
    if retention is not None and not low <= retention <= high:
        problems.append(
            ("monitoring.log_retention_days", f"{retention} is outside what a log bucket keeps (use {low} to {high})")
        )
    problems += unused_fields(
        "monitoring", env.monitoring, {"dashboard": "the Compute Engine VM dashboards show the fleet"}, "GCP"
    )
    if not names.SERVICE_ACCOUNT_ID.match(gcp_names.service_account_id(env)):
        problems.append(
            (
                "project",
                f"service account id {gcp_names.service_account_id(env)!r} must be 6-30 characters "
                "(shorten the project or the file name)",
            )
        )
    not_for_gcs = dict.fromkeys(("region", "resource_group", "storage_account", "container"), "GCS takes bucket, key")
    problems += unused_fields("state", env.state, not_for_gcs, "GCP")
    if env.state.bucket is not None and not names.GCS_BUCKET_NAME.match(env.state.bucket):
        problems.append(("state.bucket", f"{env.state.bucket!r} is not a valid bucket name ({_BUCKET_RULE})"))
    return problems


_BUCKET_RULE = "3-63 lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit"


def _check_labels(env: Environment) -> list[tuple[str, str]]:
    problems = []
    seen: dict[str, str] = {}
    for key in common_tags(env):
        converted = gcp_names.label(key)
        if not gcp_names.LABEL_KEY.match(converted):
            problems.append((f"tags.{key}", f"{key!r} cannot be a GCP label key (start it with a letter)"))
        elif converted in seen:
            problems.append(
                (f"tags.{key}", f"{key!r} and {seen[converted]!r} are the same GCP label {converted!r} (rename one)")
            )
        seen[converted] = key
    for key in env.tags:
        if key in GPULAB_TAG_KEYS:
            problems.append((f"tags.{key}", f"{key!r} is set by gpulab (remove it; use project/owner)"))
    return problems


def _zones(env: Environment) -> tuple[list[str], list[tuple[str, str]]]:
    """The zones machines go to: the file's, or the first ones of the region offering every GPU asked for."""
    given = env.network.availability_zones
    if isinstance(given, list):
        known = zones_of(env.region)
        problems = [
            (
                f"network.availability_zones[{index}]",
                f"{zone!r} is not a zone of {env.region} ({suggestion(zone, known)})",
            )
            for index, zone in enumerate(given)
            if zone not in known
        ]
        return given, problems
    wanted = {gpu for machine in env.machines for gpu in [gpu_of(machine)] if gpu}
    offering = zones_offering(env.region, wanted)
    if len(offering) < given:
        return offering, [
            (
                "network.availability_zones",
                f"{given} zones asked for, but only {len(offering)} of {env.region} offer "
                f"{', '.join(sorted(wanted)) or 'machines'} ({', '.join(offering) or 'none'}; ask for fewer zones "
                "or another region)",
            )
        ]
    return offering[:given], []


def zones_for(env: Environment) -> list[str]:
    """The zones a validated environment's machines are spread over."""
    return _zones(env)[0]


def gpu_of(machine: Machine) -> str | None:
    """The accelerator a machine carries: asked for, or built into its machine type."""
    if machine.gpu:
        return machine.gpu.type
    known = GCP.machine(machine.machine_type or "")
    return known.gpu if known else None


def _check_zones_and_machines(env: Environment) -> list[tuple[str, str]]:
    zones, problems = _zones(env)
    problems += unique_names("machines", [m.name for m in env.machines])
    for index, machine in enumerate(env.machines):
        where = f"machines[{index}]"
        machine_problems = _check_machine(where, machine)
        problems += machine_problems
        gpu = gpu_of(machine)
        if gpu and not machine_problems:
            for zone in zones:
                if zone in ZONE_ACCELERATORS and gpu not in ZONE_ACCELERATORS[zone]:
                    offering = zones_offering(env.region, {gpu})
                    problems.append(
                        (
                            f"{where}.gpu.type" if machine.gpu else f"{where}.machine_type",
                            f"{gpu} is not offered in {zone} (zones of {env.region} that offer it: "
                            f"{', '.join(offering) or 'none'})",
                        )
                    )
        if not is_iana_time_zone(machine.shutdown_timezone):
            zone = machine.shutdown_timezone
            iana = iana_for_windows(zone)
            hint = f"did you mean {iana!r}?" if iana else suggestion(zone, {"UTC", "Etc/UTC"})
            problems.append(
                (
                    f"{where}.shutdown_timezone",
                    f"{shown(zone)} is not an IANA time zone (write e.g. UTC or Europe/Berlin; {hint})",
                )
            )
        for disk in ("root_disk_gb", "data_disk_gb"):
            problems += check_disk_size(
                f"{where}.{disk}", getattr(machine, disk), GCE_DISK_GB, "a Compute Engine persistent disk"
            )
        longest = gcp_names.instance_name(env, f"{machine.name}-{max(machine.count - 1, 0)}")
        if not names.GCE_RESOURCE_NAME.match(longest):
            problems.append(
                (f"{where}.name", f"instance name {longest!r} is longer than 63 characters (shorten project or name)")
            )
    return problems


def _check_machine(where: str, machine: Machine) -> list[tuple[str, str]]:
    """A machine type that exists, with GPUs it can carry; or a GPU request some type meets."""
    gpu, name = machine.gpu, machine.machine_type
    if name is None or gpu is None:
        return check_machine_type(where, machine, GCP)
    unknown = check_size(f"{where}.machine_type", name, GCP)
    if unknown:
        return unknown
    built_in = GCP.machine(name)
    if built_in and built_in.gpu and (built_in.gpu, built_in.gpu_count) == (gpu.type, gpu.count):
        return []
    if attaches_gpus(name) and gpu.type in ATTACHABLE_COUNTS:
        if gpu.count in ATTACHABLE_COUNTS[gpu.type]:
            return []
        counts = ", ".join(map(str, ATTACHABLE_COUNTS[gpu.type]))
        return [(f"{where}.gpu.count", f"an N1 machine carries 1 of {counts} × {gpu.type}, not {gpu.count}")]
    carries = f"{built_in.gpu_count} × {built_in.gpu}" if built_in and built_in.gpu else "no attachable GPU"
    return [
        (
            f"{where}.machine_type",
            f"{name} carries {carries}, not {gpu.count} × {gpu.type} (drop gpu or machine_type)",
        )
    ]


def _check_buckets(env: Environment) -> list[tuple[str, str]]:
    problems = unique_names("buckets", [b.name for b in env.buckets])
    bucket_names = [(f"buckets[{i}].name", env.bucket_name(b)) for i, b in enumerate(env.buckets)]
    if any(b.access_logs for b in env.buckets):
        bucket_names.append(("buckets", env.bucket_name("access-logs")))
    for where, name in bucket_names:
        if names.gcs_bucket_name_problem(name):
            problems.append(
                (where, f"bucket name {name!r} is not a valid GCS name ({_BUCKET_RULE}; no goog prefix or google)")
            )
    for index, bucket in enumerate(env.buckets):
        problems += unused_fields(
            f"buckets[{index}]",
            bucket,
            {"prefixes": "GCS has no folders; an object's name carries its path"},
            "GCP",
        )
    return problems
