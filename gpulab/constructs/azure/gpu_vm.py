"""AzureGpuVm: an experiment VM with NVIDIA drivers, a data disk, a daily deallocation and an idle stop."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_azurerm.dev_test_global_vm_shutdown_schedule import (
    DevTestGlobalVmShutdownSchedule,
    DevTestGlobalVmShutdownScheduleNotificationSettings,
)
from constructs import Construct

from gpulab import defaults
from gpulab.agent.install import idle_watchdog_lines, run_agent_lines
from gpulab.constructs.azure.linux_vm import (
    UBUNTU_HPC_GPU,
    UBUNTU_LTS,
    AzureLinuxVm,
    DiskEncryption,
    Spot,
    check_vm_arguments,
)
from gpulab.constructs.azure.self_stop import AzureSelfDeallocate
from gpulab.rules import limits
from gpulab.rules.time_zones import azure_time_zone
from gpulab.rules.values import email_problem, require, within
from gpulab.time_of_day import hours_and_minutes

SHUTDOWN_NOTICE_MINUTES = 30
DEFAULT_DATA_MOUNT = "/data"


class AzureGpuVm(Construct):
    """One experiment VM: private by default, its own data disk, stopped every evening and when idle.

    GPU sizes boot Microsoft's Ubuntu HPC image (NVIDIA driver and CUDA
    installed); CPU sizes boot Ubuntu LTS. `shutdown_at` ("19:00" in
    `shutdown_timezone`, a Windows time zone id, by default) deallocates the
    VM daily through Azure's auto-shutdown, which stops billing for compute;
    a shutdown from inside the OS would not. `notify_email` hears 30 minutes
    before. `idle_stop_minutes` deallocates it, through its own identity,
    once it has been idle that long (gpulab's idle watchdog). No public IP
    unless `public_ip_dns_label` is given: reach it from the headquarters or
    through Azure Bastion.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        subnet_id: str,
        size: str,
        gpu: bool,
        admin_username: str,
        ssh_public_keys: Sequence[str],
        os_disk_gb: int = defaults.ROOT_DISK_GB,
        data_disk_gb: int = defaults.DATA_DISK_GB,
        data_mount: str = DEFAULT_DATA_MOUNT,
        setup_script: str | None = None,
        spot: Spot | None = None,
        shutdown_at: str | None = defaults.SHUTDOWN_AT,
        shutdown_timezone: str = defaults.SHUTDOWN_TIMEZONE,
        idle_stop_minutes: int | None = None,
        self_deallocate: AzureSelfDeallocate | None = None,
        notify_email: str | None = None,
        job_container: str | None = None,
        job_account_url: str | None = None,
        public_ip_dns_label: str | None = None,
        zone: str | None = None,
        encryption_at_host: bool = True,
        disk_encryption: DiskEncryption | None = None,
        protect_data: bool = False,
        tags: dict[str, str] | None = None,
    ) -> None:
        """
        shutdown_at: "HH:MM", or None for no daily deallocation.
        shutdown_timezone: the time zone of shutdown_at (UTC by default), a
        Windows id or an IANA name, which is translated to its Windows id.
        spot: run on spot capacity, deallocated on eviction (see `Spot`).
        idle_stop_minutes: deallocate the VM after this many minutes (10 to
            1440) without GPU work, CPU load or logged-in users: gpulab's idle
            watchdog, through the VM's identity, which `self_deallocate` lets
            deallocate this VM and nothing else. None (the default): no idle stop.
        job_container, job_account_url: install gpulab's run agent, which runs
            the jobs `gpulab run` queues for this VM in that container of the
            storage account at that URL (its identity needs Storage Blob Data
            Contributor there: AzureBlobAccess); none by default.
        """
        if (job_container is None) != (job_account_url is None):
            raise ValueError("job_container and job_account_url: give both or neither")
        check_vm_arguments(
            admin_username=admin_username,
            ssh_public_keys=ssh_public_keys,
            os_disk_gb=os_disk_gb,
            data_disk_gb=data_disk_gb,
            data_mount=data_mount,
            public_ip_dns_label=public_ip_dns_label,
        )
        windows_zone = azure_time_zone("shutdown_timezone", shutdown_timezone)
        stop_time = hours_and_minutes(shutdown_at, "shutdown_at") if shutdown_at else None
        if notify_email is not None:
            require("notify_email", notify_email, email_problem)
        if idle_stop_minutes is not None:
            require("idle_stop_minutes", idle_stop_minutes, within(limits.IDLE_STOP_MINUTES))
            if self_deallocate is None:
                raise ValueError("self_deallocate: required with idle_stop_minutes (the group's AzureSelfDeallocate)")
        super().__init__(scope, id)
        boot_steps = (
            idle_watchdog_lines(idle_minutes=idle_stop_minutes, stop="azure-deallocate") if idle_stop_minutes else []
        )
        if job_container and job_account_url:
            boot_steps += run_agent_lines(
                cloud="azure", bucket=job_container, machine=name, account_url=job_account_url
            )
        self.machine = AzureLinuxVm(
            self,
            "machine",
            name=name,
            resource_group_name=resource_group_name,
            location=location,
            subnet_id=subnet_id,
            size=size,
            admin_username=admin_username,
            ssh_public_keys=ssh_public_keys,
            image=UBUNTU_HPC_GPU if gpu else UBUNTU_LTS,
            os_disk_gb=os_disk_gb,
            data_disk_gb=data_disk_gb,
            data_mount=data_mount,
            setup_script=setup_script,
            boot_steps=boot_steps,
            public_ip_dns_label=public_ip_dns_label,
            zone=zone,
            spot=spot,
            encryption_at_host=encryption_at_host,
            disk_encryption=disk_encryption,
            protect_data=protect_data,
            tags=tags,
        )
        self.vm_id: str = self.machine.vm_id
        self.principal_id: str = self.machine.principal_id
        self.data_disk_id: str | None = self.machine.data_disk_id
        self.private_ip: str = self.machine.private_ip
        self.public_ip: str | None = self.machine.public_ip
        if idle_stop_minutes and self_deallocate is not None:
            self_deallocate.allow(id, vm_id=self.machine.vm_id, principal_id=self.machine.principal_id)
        if stop_time:
            hours, minutes = stop_time
            DevTestGlobalVmShutdownSchedule(
                self,
                "daily-shutdown",
                virtual_machine_id=self.machine.vm_id,
                location=location,
                enabled=True,
                daily_recurrence_time=f"{hours:02d}{minutes:02d}",
                timezone=windows_zone,
                notification_settings=DevTestGlobalVmShutdownScheduleNotificationSettings(
                    enabled=notify_email is not None,
                    email=notify_email,
                    time_in_minutes=SHUTDOWN_NOTICE_MINUTES,
                ),
                tags=tags or {},
            )
