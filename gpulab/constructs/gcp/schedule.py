"""GcpStopSchedule: an instance schedule that stops VMs every day at a set time."""

from __future__ import annotations

from cdktf_cdktf_provider_google.compute_resource_policy import (
    ComputeResourcePolicy,
    ComputeResourcePolicyInstanceSchedulePolicy,
    ComputeResourcePolicyInstanceSchedulePolicyVmStopSchedule,
)
from constructs import Construct

from gpulab import defaults
from gpulab.rules import names
from gpulab.rules.time_zones import iana_time_zone_problem
from gpulab.rules.values import require
from gpulab.time_of_day import hours_and_minutes


class GcpStopSchedule(Construct):
    """A resource policy that stops every VM it is attached to at `stop_at` in `time_zone`.

    Attach it through `GcpGpuVm(resource_policies=[schedule.self_link])`. A
    stopped VM keeps its disks and costs only their storage. Compute Engine's
    service agent needs `compute.instances.stop` on the project for the
    schedule to act (docs/gcp.md says how to grant it).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        project: str,
        region: str,
        stop_at: str = defaults.SHUTDOWN_AT,
        time_zone: str = defaults.SHUTDOWN_TIMEZONE,
    ) -> None:
        """stop_at: "HH:MM" (19:00 by default); time_zone: an IANA zone (UTC by default)."""
        require("name", name, names.gce_resource_name_problem)
        hours, minutes = hours_and_minutes(stop_at, "stop_at")
        require("time_zone", time_zone, iana_time_zone_problem)
        super().__init__(scope, id)
        self.policy = ComputeResourcePolicy(
            self,
            "policy",
            name=name,
            project=project,
            region=region,
            description=f"gpulab: stop the fleet daily at {stop_at} {time_zone}",
            instance_schedule_policy=ComputeResourcePolicyInstanceSchedulePolicy(
                time_zone=time_zone,
                vm_stop_schedule=ComputeResourcePolicyInstanceSchedulePolicyVmStopSchedule(
                    schedule=f"{minutes} {hours} * * *"
                ),
            ),
        )
        self.self_link: str = self.policy.self_link
