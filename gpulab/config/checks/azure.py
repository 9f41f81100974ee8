"""Azure checks: regions, zones, VM sizes, storage account and container names, retentions."""

from __future__ import annotations

from gpulab import defaults
from gpulab.config import azure_names
from gpulab.config.catalog.azure import AZURE
from gpulab.config.checks.common import (
    check_disk_size,
    check_machine_type,
    check_offered,
    check_region,
    check_size,
    suggestion,
    unique_names,
    unused_fields,
)
from gpulab.config.model import Environment
from gpulab.config.tags import GPULAB_TAG_KEYS
from gpulab.errors import shown
from gpulab.rules import names
from gpulab.rules.limits import AZURE_DATA_DISK_GB, AZURE_OS_DISK_GB, LOG_ANALYTICS_RETENTION_DAYS
from gpulab.rules.time_zones import EXAMPLES, windows_ids, windows_time_zone

FORBIDDEN_TAG_CHARACTERS = set("<>%&\\?/")
ZONES = ("1", "2", "3")


def check_azure(env: Environment) -> list[tuple[str, str]]:
    """Every Azure problem in `env`, in file order."""
    problems = check_region("region", env.region, AZURE)
    problems += unused_fields(
        "",
        env,
        {
            "aws": "remove it; Azure settings go under azure:",
            "gcp": "remove it; Azure settings go under azure:",
            "head": "it is built on gcp only",
        },
        "Azure",
    )
    problems += _check_tags(env)
    problems += _check_network(env)
    problems += _check_machines(env)
    problems += _check_storage(env)
    vault = azure_names.backup_vault_name(env)
    if env.backs_up_disks and (env.machines or env.headquarters) and names.backup_vault_name_problem(vault):
        problems.append(
            ("project", f"Backup vault name {vault!r} is longer than 50 characters (shorten project or name)")
        )
    problems += unused_fields(
        "monitoring",
        env.monitoring,
        {
            "idle_percent": "machines stop by shutdown_at instead",
            "dashboard": "metrics and logs are in the Log Analytics workspace",
        },
        "Azure",
    )
    retention = env.monitoring.log_retention_days
    low, high = LOG_ANALYTICS_RETENTION_DAYS
    if retention is not None and not low <= retention <= high:
        problems.append(
            (
                "monitoring.log_retention_days",
                f"{retention} is outside what Log Analytics keeps ({low} to {high} days; use a value in that range)",
            )
        )
    if env.encryption == "kms" and not env.azure.deployer_cidrs:
        problems.append(
            (
                "azure.deployer_cidrs",
                "is required with encryption: kms (list the addresses Terraform runs from; the Key Vault's "
                "firewall admits nobody else)",
            )
        )
    if env.encryption == "kms":
        name = azure_names.key_vault_name(env)
        if not names.KEY_VAULT_NAME.match(name):
            problems.append(
                (
                    "encryption",
                    f"the Key Vault name {name!r} is not valid (3-24 letters, digits and single hyphens; "
                    "shorten the project or the file name)",
                )
            )
    problems += unused_fields(
        "state", env.state, {"bucket": "use storage_account and container", "region": "remove it"}, "Azure"
    )
    if env.state.storage_account and names.storage_account_problem(env.state.storage_account):
        problems.append(("state.storage_account", _bad_account(env.state.storage_account)))
    return problems


def _check_tags(env: Environment) -> list[tuple[str, str]]:
    problems = []
    for key in env.tags:
        if key in GPULAB_TAG_KEYS:
            problems.append((f"tags.{key}", f"{key!r} is set by gpulab (remove it; use project/owner)"))
        elif FORBIDDEN_TAG_CHARACTERS & set(key) or key.lower().startswith(("azure", "microsoft", "windows")):
            problems.append(
                (
                    f"tags.{key}",
                    f"{key!r} is not a tag name Azure accepts "
                    "(no < > % & \\ ? / and no azure, microsoft or windows prefix)",
                )
            )
    return problems


def _check_network(env: Environment) -> list[tuple[str, str]]:
    problems = []
    zones = env.network.availability_zones
    if isinstance(zones, list):
        for index, zone in enumerate(zones):
            if zone not in ZONES:
                problems.append(
                    (
                        f"network.availability_zones[{index}]",
                        f'{zone!r} is not an Azure zone (write "1", "2" or "3"; zones are numbered per region)',
                    )
                )
    elif env.network.nat == "per_az":
        problems.append(
            (
                "network.nat",
                'per_az needs zones to pin each NAT gateway to (list them, e.g. availability_zones: ["1", "2"])',
            )
        )
    return problems


def _check_machines(env: Environment) -> list[tuple[str, str]]:
    hq = env.headquarters
    machine_names = [m.name for m in env.machines]
    problems = unique_names("machines", machine_names)
    if hq and hq.name in machine_names:
        problems.append(("headquarters.name", f"{hq.name!r} is also a machine's name (rename one of them)"))
    for index, machine in enumerate(env.machines):
        where = f"machines[{index}]"
        type_problems = check_machine_type(where, machine, AZURE)
        problems += type_problems or check_offered(where, machine, env.region, AZURE)
        if "shutdown_timezone" in machine.model_fields_set and windows_time_zone(machine.shutdown_timezone) is None:
            zone = machine.shutdown_timezone
            close = suggestion(zone, windows_ids())
            hint = f"; {close}" if close.startswith("did you mean") else ""
            problems.append(
                (f"{where}.shutdown_timezone", f"{shown(zone)} is not a time zone Azure knows (write {EXAMPLES}{hint})")
            )
        if machine.root_disk_gb > AZURE_OS_DISK_GB[1]:
            problems.append(
                (
                    f"{where}.root_disk_gb",
                    f"{machine.root_disk_gb} is more than an Azure OS disk holds (use at most {AZURE_OS_DISK_GB[1]}; "
                    "put data on data_disk_gb)",
                )
            )
        problems += check_disk_size(
            f"{where}.data_disk_gb", machine.data_disk_gb, AZURE_DATA_DISK_GB, "an Azure Premium SSD data disk"
        )
        problems += unused_fields(
            where,
            machine,
            {
                "max_run_hours": "use shutdown_at: a daily deallocation schedule",
                "stopped_between_runs": "it is built on gcp only",
            },
            "Azure",
        )
        longest = azure_names.vm_name(env, f"{machine.name}-{max(machine.count - 1, 0)}")
        if len(longest) > azure_names.MAX_VM_NAME:
            problems.append((f"{where}.name", _too_long_vm(longest)))
    if hq:
        problems += check_size("headquarters.machine_type", hq.machine_type, AZURE)
        known = AZURE.machine(hq.machine_type)
        if known and known.gpu:
            problems.append(
                (
                    "headquarters.machine_type",
                    f"{hq.machine_type} is a GPU size; the headquarters is always on (use e.g. Standard_D4s_v5, "
                    "and a machines: entry for GPU work)",
                )
            )
        label = azure_names.dns_label(env, hq.name)
        if not names.DNS_LABEL.match(label):
            problems.append(
                ("headquarters.name", f"DNS label {label!r} is longer than 63 characters (shorten project or name)")
            )
        if len(azure_names.vm_name(env, hq.name)) > azure_names.MAX_VM_NAME:
            problems.append(("headquarters.name", _too_long_vm(azure_names.vm_name(env, hq.name))))
    return problems


def _check_storage(env: Environment) -> list[tuple[str, str]]:
    problems = unique_names("buckets", [b.name for b in env.buckets])
    for index, bucket in enumerate(env.buckets):
        where = f"buckets[{index}]"
        if names.container_problem(bucket.name):
            problems.append(
                (
                    f"{where}.name",
                    f"{bucket.name!r} is not a valid container name (3-63 lowercase letters, digits, single hyphens)",
                )
            )
        problems += unused_fields(
            where,
            bucket,
            {
                "prefixes": "containers have no folders; a blob's name carries its path",
                "abort_multipart_days": "Azure discards uncommitted blocks after 7 days by itself",
                "access_logs": "blob reads, writes and deletes always go to Log Analytics",
            },
            "Azure",
        )
        for field in ("archive_after_days", "archive_noncurrent_after_days"):
            if getattr(bucket, field) and env.azure.storage_replication in defaults.AZURE_NO_ARCHIVE_REPLICATION:
                problems.append(
                    (
                        f"{where}.{field}",
                        f"{env.azure.storage_replication} storage has no archive tier "
                        f"(set {field}: null, or use LRS, GRS or RAGRS)",
                    )
                )
    # A derived name is the prefix's letters and digits cut to 24, always valid; a given one may not be.
    given = env.azure.storage_account
    if given is not None and names.storage_account_problem(given):
        problems.append(("azure.storage_account", _bad_account(given)))
    return problems


def _bad_account(name: str) -> str:
    return f"{name!r} is not a valid storage account name (3-24 lowercase letters and digits, no hyphens)"


def _too_long_vm(name: str) -> str:
    return f"VM name {name!r} is longer than {azure_names.MAX_VM_NAME} characters (shorten project or machine name)"
