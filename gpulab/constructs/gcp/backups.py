"""GcpSnapshotSchedule: daily snapshots of the disks it is attached to, kept a number of days."""

from __future__ import annotations

from cdktf_cdktf_provider_google.compute_resource_policy import (
    ComputeResourcePolicy,
    ComputeResourcePolicySnapshotSchedulePolicy,
    ComputeResourcePolicySnapshotSchedulePolicyRetentionPolicy,
    ComputeResourcePolicySnapshotSchedulePolicySchedule,
    ComputeResourcePolicySnapshotSchedulePolicyScheduleDailySchedule,
    ComputeResourcePolicySnapshotSchedulePolicySnapshotProperties,
)
from constructs import Construct

from gpulab import defaults
from gpulab.rules import limits, names
from gpulab.rules.values import one_of, require, within
from gpulab.time_of_day import GCE_SNAPSHOT_START_TIMES


class GcpSnapshotSchedule(Construct):
    """A snapshot schedule: each attached disk is snapshotted daily at `daily_at` (UTC), each snapshot kept
    `retention_days`, stored in the disk's region, and kept when the disk itself is deleted.

    Attach it through `GcpGpuVm(data_disk_schedules=[schedule.name])`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        project: str,
        region: str,
        retention_days: int = defaults.BACKUP_RETENTION_DAYS,
        daily_at: str = defaults.BACKUP_AT,
        labels: dict[str, str] | None = None,
    ) -> None:
        """
        retention_days: how long a snapshot is kept (1 to 365, 7 by default).
        daily_at: the start time in UTC, one of GCE_SNAPSHOT_START_TIMES (04:00 by default).
        labels: on every snapshot; none by default.
        """
        require("name", name, names.gce_resource_name_problem)
        require("retention_days", retention_days, within(limits.BACKUP_RETENTION_DAYS))
        require("daily_at", daily_at, one_of(GCE_SNAPSHOT_START_TIMES))
        super().__init__(scope, id)
        self.policy = ComputeResourcePolicy(
            self,
            "policy",
            name=name,
            project=project,
            region=region,
            description="gpulab: daily snapshots of the data disks",
            snapshot_schedule_policy=ComputeResourcePolicySnapshotSchedulePolicy(
                schedule=ComputeResourcePolicySnapshotSchedulePolicySchedule(
                    daily_schedule=ComputeResourcePolicySnapshotSchedulePolicyScheduleDailySchedule(
                        days_in_cycle=1, start_time=daily_at
                    )
                ),
                retention_policy=ComputeResourcePolicySnapshotSchedulePolicyRetentionPolicy(
                    max_retention_days=retention_days, on_source_disk_delete="KEEP_AUTO_SNAPSHOTS"
                ),
                snapshot_properties=ComputeResourcePolicySnapshotSchedulePolicySnapshotProperties(
                    storage_locations=[region], labels=labels or None
                ),
            ),
        )
        self.name: str = self.policy.name
        self.self_link: str = self.policy.self_link
