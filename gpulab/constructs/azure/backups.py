"""AzureDiskBackups: daily snapshots of managed data disks by Azure Backup (a Backup vault and a disk policy)."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf_cdktf_provider_azurerm.data_protection_backup_instance_disk import DataProtectionBackupInstanceDisk
from cdktf_cdktf_provider_azurerm.data_protection_backup_policy_disk import DataProtectionBackupPolicyDisk
from cdktf_cdktf_provider_azurerm.data_protection_backup_vault import (
    DataProtectionBackupVault,
    DataProtectionBackupVaultIdentity,
)
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from constructs import Construct

from gpulab import defaults
from gpulab.rules import limits, names
from gpulab.rules.values import require, within
from gpulab.time_of_day import hours_and_minutes

# What a Backup vault's identity needs to back up a managed disk (Azure docs, "Back up Azure Managed Disks",
# Configure backup): read the disk, and create snapshots in the snapshot resource group.
DISK_READER = "Disk Backup Reader"
SNAPSHOT_CONTRIBUTOR = "Disk Snapshot Contributor"
# Deleted backups stay recoverable this long in the vault (the service's minimum is 14 days).
SOFT_DELETE_DAYS = 14


class AzureDiskBackups(Construct):
    """A Backup vault that snapshots each of `disk_ids` daily at `daily_at` (UTC), each snapshot kept `retention_days`.

    The snapshots are incremental and live in a resource group of their own
    (`rg-<name>-snapshots`); the vault's own identity may read the disks and
    write snapshots into that group, and nothing else. Deleted backups stay recoverable
    for 14 days (soft delete). A snapshot outlives its disk, which
    `prevent_destroy` cannot promise. Public attributes: `vault_id`, `policy_id`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        disk_ids: Mapping[str, str],
        retention_days: int = defaults.BACKUP_RETENTION_DAYS,
        daily_at: str = defaults.BACKUP_AT,
        tags: dict[str, str] | None = None,
    ) -> None:
        """
        name: the vault's name (`bvault-<name>`, at most 50 characters in all)
            and the snapshot resource group's (`rg-<name>-snapshots`).
        resource_group_name: where the vault lives.
        disk_ids: label → managed disk id of each disk to back up.
        retention_days: how long a snapshot is kept (1 to 365, 7 by default).
        daily_at: "HH:MM" in UTC when the daily backup starts (04:00 by default).
        """
        require("name", f"bvault-{name}", names.backup_vault_name_problem)
        require("retention_days", retention_days, within(limits.BACKUP_RETENTION_DAYS))
        hours, minutes = hours_and_minutes(daily_at, "daily_at")
        super().__init__(scope, id)
        vault = DataProtectionBackupVault(
            self,
            "vault",
            name=f"bvault-{name}",
            resource_group_name=resource_group_name,
            location=location,
            datastore_type="VaultStore",
            redundancy="LocallyRedundant",
            soft_delete="On",
            retention_duration_in_days=SOFT_DELETE_DAYS,
            identity=DataProtectionBackupVaultIdentity(type="SystemAssigned"),
            tags=tags or {},
        )
        policy = DataProtectionBackupPolicyDisk(
            self,
            "policy",
            name=f"daily-{retention_days}d",
            vault_id=vault.id,
            backup_repeating_time_intervals=[f"R/2024-01-01T{hours:02d}:{minutes:02d}:00+00:00/P1D"],
            default_retention_duration=f"P{retention_days}D",
        )
        vault_principal = vault.identity.principal_id
        snapshot_group = ResourceGroup(
            self, "snapshot-group", name=f"rg-{name}-snapshots", location=location, tags=tags or {}
        )
        snapshots = RoleAssignment(
            self,
            "may-write-snapshots",
            scope=snapshot_group.id,
            role_definition_name=SNAPSHOT_CONTRIBUTOR,
            principal_id=vault_principal,
            principal_type="ServicePrincipal",
            description="gpulab: the Backup vault writes disk snapshots here",
        )
        for label, disk_id in disk_ids.items():
            reader = RoleAssignment(
                self,
                f"may-read-{label}",
                scope=disk_id,
                role_definition_name=DISK_READER,
                principal_id=vault_principal,
                principal_type="ServicePrincipal",
                description=f"gpulab: the Backup vault reads {label}'s data disk",
            )
            DataProtectionBackupInstanceDisk(
                self,
                f"{label}-data",
                name=f"{label}-data",
                location=location,
                vault_id=vault.id,
                disk_id=disk_id,
                snapshot_resource_group_name=snapshot_group.name,
                backup_policy_id=policy.id,
                depends_on=[reader, snapshots],
            )
        self.vault_id: str = vault.id
        self.policy_id: str = policy.id
