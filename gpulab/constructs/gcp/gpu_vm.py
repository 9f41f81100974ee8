"""GcpGpuVm: a worker VM with GPUs, a persistent data disk, and the seed's stop safety nets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_google.compute_disk import ComputeDisk, ComputeDiskDiskEncryptionKey
from cdktf_cdktf_provider_google.compute_disk_resource_policy_attachment import ComputeDiskResourcePolicyAttachment
from cdktf_cdktf_provider_google.compute_instance import (
    ComputeInstance,
    ComputeInstanceAttachedDisk,
    ComputeInstanceBootDisk,
    ComputeInstanceBootDiskInitializeParams,
    ComputeInstanceGuestAccelerator,
    ComputeInstanceNetworkInterface,
    ComputeInstanceNetworkInterfaceAccessConfig,
    ComputeInstanceScheduling,
    ComputeInstanceSchedulingMaxRunDuration,
    ComputeInstanceServiceAccount,
    ComputeInstanceShieldedInstanceConfig,
)
from constructs import Construct

from gpulab import defaults
from gpulab.agent.install import idle_watchdog_lines, run_agent_lines
from gpulab.config.catalog.gcp import GCE_ACCELERATOR_TYPES
from gpulab.constructs.boot_script import boot_script, gcp_data_disk_links, template_literal
from gpulab.rules import limits, names
from gpulab.rules.boot_scripts import check_rendered_script
from gpulab.rules.values import one_of, require, within

# Deep Learning VM image with CUDA 12.4 on Ubuntu 22.04; the NVIDIA driver installs at first boot.
DEEP_LEARNING_IMAGE = "projects/deeplearning-platform-release/global/images/family/common-cu124-ubuntu-2204-py310"
UBUNTU_LTS_IMAGE = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64"
# Only what the agent and the workers need: objects, logs, metrics. Roles narrow it further.
SCOPES = (
    "https://www.googleapis.com/auth/devstorage.read_write",
    "https://www.googleapis.com/auth/logging.write",
    "https://www.googleapis.com/auth/monitoring.write",
)
DATA_DEVICE = "data"
DEFAULT_DATA_MOUNT = "/data"
OPS_AGENT_STEPS = (
    "# Ops Agent: memory, disk and (with the NVIDIA driver) GPU metrics, and the boot logs",
    "if ! systemctl is-active --quiet google-cloud-ops-agent; then",
    "  curl -fsSL https://dl.google.com/cloudagents/add-google-cloud-ops-agent-repo.sh | bash -s -- --also-install",
    "fi",
)


@dataclass(frozen=True)
class Accelerator:
    """GPUs for the VM: the Compute Engine accelerator type and how many.

    attached: True for N1 machines, where GPUs are attached to the VM; False
    for families that carry them built in (g2, a2, a3).
    """

    type: str
    count: int
    attached: bool

    def __post_init__(self) -> None:
        require("type", self.type, one_of(sorted(GCE_ACCELERATOR_TYPES)))
        require("count", self.count, within(limits.GPU_COUNT))


class GcpGpuVm(Construct):
    """One worker: no external IP, shielded, its own service account, stopped rather than deleted.

    GPU VMs set `on_host_maintenance = TERMINATE` (Compute Engine cannot
    live-migrate them; creation fails otherwise). `spot` VMs stop (not
    delete) when preempted. `max_run_hours` stops a VM that has run that long
    since its last start: the seed's safety net against a run that never
    ends. `resource_policies` takes an instance schedule (see
    `GcpStopSchedule`). With `stopped_between_runs` the VM is created, then
    left stopped, and Terraform ignores whether it runs, so per-run `gcloud
    compute instances start/stop` never shows up as drift. OS Login, no
    project-wide SSH keys, no serial port, vTPM and integrity monitoring.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        project: str,
        zone: str,
        machine_type: str,
        subnet_self_link: str,
        service_account_email: str,
        accelerator: Accelerator | None = None,
        boot_disk_gb: int = defaults.ROOT_DISK_GB,
        data_disk_gb: int = defaults.DATA_DISK_GB,
        startup_script: str | None = None,
        spot: bool = False,
        max_run_hours: int | None = None,
        idle_stop_minutes: int | None = None,
        stopped_between_runs: bool = False,
        job_bucket: str | None = None,
        resource_policies: Sequence[str] = (),
        data_disk_schedules: Sequence[str] = (),
        external_ip: bool = False,
        kms_key_id: str | None = None,
        wait_for: Sequence[ITerraformDependable] = (),
        protect_data: bool = False,
        labels: dict[str, str] | None = None,
    ) -> None:
        """
        name: the instance's name (its data disk is `<name>-data`): lowercase
            letters, digits and hyphens, starting with a letter, 58 at most.
        zone, machine_type: where and on what it runs, e.g. us-central1-a, n1-standard-4.
        subnet_self_link, service_account_email: its subnet and identity
            (see GcpNetwork and GcpFleetIdentity).
        accelerator: GPUs to attach (N1) or that the type carries (g2, a2,
            a3); none by default, a CPU machine with Ubuntu LTS.
        boot_disk_gb / data_disk_gb: pd-balanced sizes, 10 to 65536 (100 /
            100 GB). The data disk is its own resource and outlives the VM.
        startup_script: shell lines run after the data disk is mounted at /data;
            Compute Engine runs the whole script at every start, so it must be
            safe to run again (gpulab's own part is).
        kms_key_id: encrypt the boot and data disks with this Cloud KMS key
            (Google-managed keys by default); `wait_for` its grants.
        external_ip: give the VM an ephemeral external IP (none by default:
            SSH through IAP, outbound through Cloud NAT).
        spot: run on Spot capacity, stopped (not deleted) when preempted; off by default.
        max_run_hours: stop the VM this long (1 to 168) after each start; no limit by default.
        idle_stop_minutes: stop the VM (an OS shutdown, which ends compute billing on
            Compute Engine) after this many minutes (10 to 1440) without GPU work, CPU
            load or logged-in users: gpulab's idle watchdog; none by default.
        stopped_between_runs: create it, leave it stopped, and ignore whether it runs; off by default.
        job_bucket: install gpulab's run agent, which runs the jobs `gpulab run`
            queues for this machine in this bucket (a plain bucket name the
            service account may read and write); none by default.
        resource_policies: e.g. a GcpStopSchedule's self_link; none by default.
        data_disk_schedules: names of snapshot schedules for the data disk (a
            GcpSnapshotSchedule's `name`), each attached by its own resource so
            adding or removing one never touches the disk; none by default.
        wait_for: what must exist before the disks and the VM (key grants, the schedule's IAM).
        protect_data: Terraform refuses to destroy the data disk; off by default.
        labels: on the VM and its disks; none by default.
        """
        require("name", f"{name}-data", names.gce_resource_name_problem)
        require("boot_disk_gb", boot_disk_gb, within(limits.GCE_DISK_GB))
        require("data_disk_gb", data_disk_gb, within(limits.GCE_DISK_GB))
        if max_run_hours is not None:
            require("max_run_hours", max_run_hours, within(limits.MAX_RUN_HOURS))
        if idle_stop_minutes is not None:
            require("idle_stop_minutes", idle_stop_minutes, within(limits.IDLE_STOP_MINUTES))
        super().__init__(scope, id)
        labels = labels or {}
        gpu = accelerator is not None
        disk_key = ComputeDiskDiskEncryptionKey(kms_key_self_link=kms_key_id) if kms_key_id else None
        data_disk = ComputeDisk(
            self,
            "data-disk",
            name=f"{name}-data",
            project=project,
            zone=zone,
            type="pd-balanced",
            size=data_disk_gb,
            disk_encryption_key=disk_key,
            depends_on=list(wait_for) or None,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect_data else None,
            labels=labels,
        )
        script = boot_script(
            data_mount=DEFAULT_DATA_MOUNT,
            disk_links=gcp_data_disk_links(DATA_DEVICE),
            steps=[
                *OPS_AGENT_STEPS,
                *(idle_watchdog_lines(idle_minutes=idle_stop_minutes, stop="shutdown") if idle_stop_minutes else []),
                *(run_agent_lines(cloud="gcp", bucket=job_bucket, machine=name) if job_bucket else []),
            ],
            setup_script=startup_script,
        )
        stopping = "STOP" if spot or max_run_hours else None
        check_rendered_script("gcp", script, "startup_script")
        self.instance = ComputeInstance(
            self,
            "instance",
            name=name,
            project=project,
            zone=zone,
            machine_type=machine_type,
            boot_disk=ComputeInstanceBootDisk(
                initialize_params=ComputeInstanceBootDiskInitializeParams(
                    image=DEEP_LEARNING_IMAGE if gpu else UBUNTU_LTS_IMAGE,
                    size=boot_disk_gb,
                    type="pd-balanced",
                    labels=labels,
                ),
                kms_key_self_link=kms_key_id,
            ),
            attached_disk=[ComputeInstanceAttachedDisk(source=data_disk.self_link, device_name=DATA_DEVICE)],
            guest_accelerator=(
                [ComputeInstanceGuestAccelerator(type=accelerator.type, count=accelerator.count)]
                if accelerator and accelerator.attached
                else None
            ),
            network_interface=[
                ComputeInstanceNetworkInterface(
                    subnetwork=subnet_self_link,
                    access_config=[ComputeInstanceNetworkInterfaceAccessConfig()] if external_ip else None,
                )
            ],
            service_account=ComputeInstanceServiceAccount(email=service_account_email, scopes=list(SCOPES)),
            scheduling=ComputeInstanceScheduling(
                on_host_maintenance="TERMINATE" if gpu else "MIGRATE",
                automatic_restart=not spot,
                preemptible=spot,
                provisioning_model="SPOT" if spot else "STANDARD",
                instance_termination_action=stopping,
                max_run_duration=(
                    ComputeInstanceSchedulingMaxRunDuration(seconds=max_run_hours * 3600) if max_run_hours else None
                ),
            ),
            shielded_instance_config=ComputeInstanceShieldedInstanceConfig(
                enable_secure_boot=not gpu, enable_vtpm=True, enable_integrity_monitoring=True
            ),
            metadata={
                "enable-oslogin": "TRUE",
                "block-project-ssh-keys": "TRUE",
                "serial-port-enable": "FALSE",
                "startup-script": template_literal(script),
                **({"install-nvidia-driver": "True"} if gpu else {}),
            },
            resource_policies=list(resource_policies) or None,
            desired_status="TERMINATED" if stopped_between_runs else None,
            allow_stopping_for_update=True,
            depends_on=list(wait_for) or None,
            can_ip_forward=False,
            deletion_protection=False,
            lifecycle=TerraformResourceLifecycle(ignore_changes=["desired_status"]) if stopped_between_runs else None,
            labels=labels,
        )
        self.data_disk = data_disk
        for index, schedule in enumerate(data_disk_schedules):
            ComputeDiskResourcePolicyAttachment(
                self, f"data-disk-schedule-{index}", name=schedule, disk=data_disk.name, zone=zone, project=project
            )

    # Read from the jsii kernel on first use: each read is a round trip, and a fleet has many machines.
    @cached_property
    def instance_id(self) -> str:
        """The instance's numeric ID."""
        return self.instance.instance_id

    @cached_property
    def name(self) -> str:
        """The instance's name."""
        return self.instance.name

    @cached_property
    def self_link(self) -> str:
        """The instance's URI, for resource policies and IAM bindings."""
        return self.instance.self_link

    @cached_property
    def internal_ip(self) -> str:
        """The first network interface's internal IP."""
        return self.instance.get_string_attribute("network_interface[0].network_ip")

    @cached_property
    def data_disk_id(self) -> str:
        """The data disk's ID."""
        return self.data_disk.id
