"""GcpStopSchedule: an instance schedule that stops VMs every day at a set time."""

from __future__ import annotations

from cdktf import ITerraformDependable, TerraformStack
from cdktf_cdktf_provider_google.compute_resource_policy import (
    ComputeResourcePolicy,
    ComputeResourcePolicyInstanceSchedulePolicy,
    ComputeResourcePolicyInstanceSchedulePolicyVmStopSchedule,
)
from cdktf_cdktf_provider_google.data_google_project import DataGoogleProject
from cdktf_cdktf_provider_google.project_iam_member import ProjectIamMember
from constructs import Construct

from gpulab import defaults
from gpulab.rules import names
from gpulab.rules.time_zones import iana_time_zone_problem
from gpulab.rules.values import require
from gpulab.time_of_day import hours_and_minutes

# What the Compute Engine service agent needs before an instance that carries a schedule can even be
# created: without it the API answers 412 (terraform-provider-google #11899; Compute Engine docs,
# "Scheduling a VM instance to start and stop", Before you begin).
SCHEDULER_ROLE = "roles/compute.instanceAdmin.v1"


class GcpScheduleAgentGrant(Construct):
    """Compute Engine's service agent may start and stop the project's VMs, as instance schedules need.

    One per project in a stack: `GcpStopSchedule` makes it on first use
    (`for_project`) and every schedule of that project shares it.
    """

    def __init__(self, scope: Construct, id: str, *, project: str) -> None:
        super().__init__(scope, id)
        number = DataGoogleProject(self, "project", project_id=project).number
        self.member: ProjectIamMember = ProjectIamMember(
            self,
            "compute-agent-may-start-and-stop",
            project=project,
            role=SCHEDULER_ROLE,
            member=f"serviceAccount:service-{number}@compute-system.iam.gserviceaccount.com",
        )

    @staticmethod
    def for_project(scope: Construct, project: str) -> GcpScheduleAgentGrant:
        """The stack's grant for `project`, made the first time it is asked for."""
        stack = TerraformStack.of(scope)
        id = f"schedule-agent-{project}"
        found = stack.node.try_find_child(id)
        return found if isinstance(found, GcpScheduleAgentGrant) else GcpScheduleAgentGrant(stack, id, project=project)


class GcpStopSchedule(Construct):
    """A resource policy that stops every VM it is attached to at `stop_at` in `time_zone`.

    Attach it through `GcpGpuVm(resource_policies=[schedule.self_link],
    wait_for=schedule.ready)`. A stopped VM keeps its disks and costs only
    their storage. Compute Engine's service agent must be allowed to start and
    stop the project's VMs before an instance with a schedule can be created:
    the schedule grants it `roles/compute.instanceAdmin.v1` on the project
    (once per stack, see `GcpScheduleAgentGrant`), and `ready` is that grant.
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
        self.ready: list[ITerraformDependable] = [GcpScheduleAgentGrant.for_project(self, project).member]
