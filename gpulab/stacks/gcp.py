"""GcpPlatformStack: one environment file → a GPU training fleet on Google Cloud (seed 003)."""

from __future__ import annotations

from collections import defaultdict

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from gpulab.config import gcp_names
from gpulab.config.catalog.gcp import ACCELERATOR_TYPES, GCP, attaches_gpus
from gpulab.config.checks.gcp import gpu_of, zones_for
from gpulab.config.machines import machine_type_for
from gpulab.config.model import Environment
from gpulab.config.tags import common_tags
from gpulab.constructs.gcp.backups import GcpSnapshotSchedule
from gpulab.constructs.gcp.buckets import GcpBuckets, GcsBucketSpec
from gpulab.constructs.gcp.gpu_vm import Accelerator, GcpGpuVm
from gpulab.constructs.gcp.identity import GcpFleetIdentity
from gpulab.constructs.gcp.kms import GcpKmsKey
from gpulab.constructs.gcp.monitoring import GcpMonitoring
from gpulab.constructs.gcp.network import GcpNetwork
from gpulab.constructs.gcp.schedule import GcpStopSchedule
from gpulab.netmath import derive_subnet_cidrs
from gpulab.providers.gcp import gcp_backend, gcp_provider


class GcpPlatformStack(TerraformStack):
    """KMS key, buckets, the fleet's identity, network, workers, stop schedule and monitoring."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, local_state_path: str) -> None:
        super().__init__(scope, id)
        prefix, region = env.prefix, env.region
        project = env.gcp.project_id
        assert project is not None, "validated by gpulab.config.checks.gcp"
        labels = gcp_names.labels(common_tags(env))
        gcp_provider(self, project=project, region=region, labels=labels)
        gcp_backend(
            self,
            local_path=local_state_path,
            bucket=env.state.bucket,
            prefix=env.state.key or f"gpulab/{env.project}/{env.name}",
        )
        kms = None
        if env.encryption == "kms":
            kms = GcpKmsKey(
                self,
                "kms",
                name=gcp_names.key_ring_name(env),
                project=project,
                location=region,
                protect=env.protect_data,
            )
        key_id = kms.key_id if kms else None
        key_grants = kms.grants if kms else []
        buckets = GcpBuckets(
            self,
            "buckets",
            buckets=[
                GcsBucketSpec(
                    name=env.bucket_name(b),
                    key=b.name,
                    cool_after_days=b.cool_after_days,
                    archive_after_days=b.archive_after_days,
                    noncurrent_expire_days=b.noncurrent_expire_days,
                    archive_noncurrent_after_days=b.archive_noncurrent_after_days,
                    abort_multipart_days=b.abort_multipart_days,
                    access_logs=b.access_logs,
                )
                for b in env.buckets
            ],
            project=project,
            location=region.upper(),
            kms_key_id=key_id,
            protect=env.protect_data,
            access_log_bucket_name=env.bucket_name("access-logs"),
            wait_for=key_grants,
        )
        identity = GcpFleetIdentity(
            self,
            "identity",
            account_id=gcp_names.service_account_id(env),
            project=project,
            bucket_names=list(buckets.bucket_names.values()),
            display_name=f"gpulab {prefix} workers",
        )
        subnet = (env.network.private_subnets or derive_subnet_cidrs(env.network.cidr, 1)[1])[0]
        network = GcpNetwork(
            self,
            "network",
            name=prefix,
            project=project,
            region=region,
            cidr=subnet,
            target_service_accounts=[identity.email],
            iap_ssh=env.gcp.iap_ssh,
            admin_cidrs=env.gcp.admin_cidrs,
            open_egress=env.gcp.open_egress,
            nat=env.network.nat != "none",
            flow_logs=env.network.flow_logs,
        )
        if env.head is not None:
            network.allow_outbound("head", ports=[str(env.head.port)], destination_ranges=[env.head.address])

        disk_schedules = []
        if env.backs_up_disks and env.machines:
            snapshots = GcpSnapshotSchedule(
                self,
                "disk-backups",
                name=gcp_names.snapshot_schedule_name(env),
                project=project,
                region=region,
                retention_days=env.backups.retention_days,
                daily_at=env.backups.daily_at,
                labels=labels,
            )
            disk_schedules.append(snapshots.name)
        zones = zones_for(env)
        names_by_zone: dict[str, list[str]] = defaultdict(list)
        for machine in env.machines:
            machine_type = machine_type_for(machine, "gcp")
            gpu = gpu_of(machine)
            accelerator = None
            if gpu:
                count = machine.gpu.count if machine.gpu else GCP.machine(machine_type).gpu_count
                accelerator = Accelerator(ACCELERATOR_TYPES[gpu], count, attached=attaches_gpus(machine_type))
            network.allow_inbound(
                f"{machine.name}-ports",
                ports=[str(p) for p in machine.ingress.distinct_ports()],
                source_ranges=machine.ingress.cidrs,
            )
            policies, schedule_ready = [], []
            if machine.shutdown_at:
                schedule = GcpStopSchedule(
                    self,
                    f"{machine.name}-stop-schedule",
                    name=f"{prefix}-{machine.name}-stop",
                    project=project,
                    region=region,
                    stop_at=machine.shutdown_at,
                    time_zone=machine.shutdown_timezone,
                )
                policies.append(schedule.self_link)
                schedule_ready = schedule.ready
            for copy in range(machine.count):
                label = f"{machine.name}-{copy}"
                name = gcp_names.instance_name(env, label)
                zone = zones[copy % len(zones)]
                vm = GcpGpuVm(
                    self,
                    label,
                    name=name,
                    project=project,
                    zone=zone,
                    machine_type=machine_type,
                    subnet_self_link=network.subnet_self_link,
                    service_account_email=identity.email,
                    accelerator=accelerator,
                    boot_disk_gb=machine.root_disk_gb,
                    data_disk_gb=machine.data_disk_gb,
                    startup_script=machine.setup_script,
                    spot=machine.spot,
                    max_run_hours=machine.max_run_hours,
                    idle_stop_minutes=machine.idle_stop_minutes,
                    stopped_between_runs=machine.stopped_between_runs,
                    job_bucket=env.bucket_name(env.buckets[0]) if env.buckets else None,
                    resource_policies=policies,
                    data_disk_schedules=disk_schedules,
                    external_ip=machine.public_ip,
                    kms_key_id=key_id,
                    wait_for=[*key_grants, *schedule_ready],
                    protect_data=env.protect_data,
                    labels=labels,
                )
                names_by_zone[zone].append(name)
                TerraformOutput(
                    self, f"{label}-internal-ip", value=vm.internal_ip, description=f"Internal IP of {label}"
                )

        monitor = env.monitoring
        run_hours = [m.max_run_hours for m in env.machines if m.max_run_hours]
        GcpMonitoring(
            self,
            "monitoring",
            name=prefix,
            project=project,
            region=region,
            fleet_labels={"project": labels["project"], "environment": labels["environment"]},
            instance_prefix=f"{prefix}-",
            alarm_email=monitor.alarm_email,
            retention_days=env.log_retention_days,
            cpu_percent=monitor.cpu_alarm_percent,
            cpu_minutes=monitor.cpu_alarm_minutes,
            gpu_idle_percent=monitor.idle_percent,
            gpu=any(gpu_of(m) for m in env.machines),
            max_uptime_hours=max(run_hours) + 1 if run_hours else None,
        )
        for zone, names in sorted(names_by_zone.items()):
            TerraformOutput(
                self,
                f"start-{zone}",
                value=f"gcloud compute instances start {' '.join(names)} --zone {zone} --project {project}",
                description=f"Starts the workers in {zone} for a run (stop: the same with stop)",
            )
        TerraformOutput(
            self, "nat-ips", value=network.nat_ips, description="Outbound addresses: allow them at the head node"
        )
        TerraformOutput(self, "service-account", value=identity.email, description="The workers' service account")
        for key, name in buckets.bucket_names.items():
            TerraformOutput(self, f"bucket-{key}", value=name, description=f"Cloud Storage bucket for {key}")
