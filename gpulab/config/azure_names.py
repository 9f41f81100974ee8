"""Names of Azure resources that must be globally unique or follow Azure's own rules.

One place computes them, so validation checks the same names the stack builds.
"""

from __future__ import annotations

import re

from gpulab.config.model import Environment

MAX_VM_NAME = 64


def storage_account_name(env: Environment) -> str:
    """`azure.storage_account`, or `<project><env>` without hyphens, cut to leave room for the suffix in 24."""
    if env.azure.storage_account:
        return env.azure.storage_account
    return re.sub(r"[^a-z0-9]", "", env.prefix)[: 24 - len(env.suffix)] + env.suffix


def key_vault_name(env: Environment) -> str:
    """`kv-<project>-<env>[-<suffix>]`: Key Vault names are global, 3-24 characters."""
    return env.global_name(f"kv-{env.prefix}")


def backup_vault_name(env: Environment) -> str:
    """`bvault-<project>-<env>`: the Backup vault of the data disks (2-50 characters)."""
    return f"bvault-{env.prefix}"


def blob_account_url(env: Environment) -> str:
    """`https://<storage account>.blob.core.windows.net`: the blob endpoint of the environment's account."""
    return f"https://{storage_account_name(env)}.blob.core.windows.net"


VM_PREFIX = "vm-"  # before `<project>-<env>-` in every VM's name


def vm_name(env: Environment, label: str) -> str:
    """`vm-<project>-<env>-<label>`."""
    return f"{VM_PREFIX}{env.prefix}-{label}"


def dns_label(env: Environment, label: str) -> str:
    """The public IP's DNS label: `<label>.<region>.cloudapp.azure.com` needs it unique per region."""
    return env.global_name(f"{env.prefix}-{label}")
