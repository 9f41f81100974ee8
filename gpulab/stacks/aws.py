"""AwsPlatformStack: one environment file → a whole ML platform on AWS."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from gpulab.config.machines import machine_type_for
from gpulab.config.model import Environment
from gpulab.config.tags import common_tags
from gpulab.constructs.aws.backups import AwsDiskBackups
from gpulab.constructs.aws.buckets import AwsBuckets, BucketSpec
from gpulab.constructs.aws.gpu_vm import AwsGpuVm
from gpulab.constructs.aws.iam import AwsInstanceRole
from gpulab.constructs.aws.kms import AwsKmsKey
from gpulab.constructs.aws.monitoring import AwsMonitoring
from gpulab.constructs.aws.network import AwsNetwork
from gpulab.providers.aws import aws_backend, aws_provider

# The tag that selects the data volumes AwsDiskBackups snapshots.
BACKUP_TAG = "gpulab:backup"


class AwsPlatformStack(TerraformStack):
    """Network, KMS key, buckets, identity, machines and monitoring for one environment."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, local_state_path: str) -> None:
        super().__init__(scope, id)
        prefix = env.prefix
        aws_provider(self, region=env.region, tags=common_tags(env), allowed_account_ids=env.aws.allowed_account_ids)
        aws_backend(
            self,
            local_path=local_state_path,
            bucket=env.state.bucket,
            key=env.state.key or f"gpulab/{env.project}/{env.name}.tfstate",
            region=env.state.region or env.region,
        )
        key_arn = None
        if env.encryption == "kms":
            key_arn = AwsKmsKey(
                self,
                "kms",
                alias=prefix,
                protect=env.protect_data,
                s3_access_logs=any(b.access_logs for b in env.buckets),
            ).key_arn
        monitor = env.monitoring

        network = AwsNetwork(
            self,
            "network",
            name=prefix,
            cidr=env.network.cidr,
            availability_zones=env.network.availability_zones,
            public_subnet_cidrs=env.network.public_subnets,
            private_subnet_cidrs=env.network.private_subnets,
            nat=env.network.nat,
            flow_logs=env.network.flow_logs,
            flow_log_retention_days=env.log_retention_days,
            kms_key_arn=key_arn,
        )
        buckets = AwsBuckets(
            self,
            "buckets",
            buckets=[
                BucketSpec(
                    name=env.bucket_name(b),
                    key=b.name,
                    prefixes=tuple(b.prefixes),
                    archive_after_days=b.archive_after_days,
                    noncurrent_expire_days=b.noncurrent_expire_days,
                    archive_noncurrent_after_days=b.archive_noncurrent_after_days,
                    abort_multipart_days=b.abort_multipart_days,
                    access_logs=b.access_logs,
                )
                for b in env.buckets
            ],
            kms_key_arn=key_arn,
            protect=env.protect_data,
            access_log_bucket_name=env.bucket_name("access-logs"),
        )
        namespace = f"gpulab/{prefix}"
        monitoring = AwsMonitoring(
            self,
            "monitoring",
            name=prefix,
            log_groups=[m.name for m in env.machines],
            alarm_email=monitor.alarm_email,
            log_retention_days=env.log_retention_days,
            kms_key_arn=key_arn,
            metric_namespace=namespace,
        )
        role = AwsInstanceRole(
            self,
            "identity",
            name=f"{prefix}-machine",
            bucket_arns=list(buckets.bucket_arns.values()),
            log_group_arns=list(monitoring.log_group_arns.values()),
            metric_namespace=namespace,
            kms_key_arn=key_arn,
        )

        zone_names = network.zone_names
        backup_tags = {BACKUP_TAG: prefix} if env.backs_up_disks else None
        if backup_tags and env.machines:
            AwsDiskBackups(
                self,
                "disk-backups",
                name=prefix,
                target_tags=backup_tags,
                retention_days=env.backups.retention_days,
                daily_at=env.backups.daily_at,
                kms_key_arn=key_arn,
            )
        for machine in env.machines:
            machine_type = machine_type_for(machine)
            subnets = network.public_subnet_ids if machine.subnet == "public" else network.private_subnet_ids
            for copy in range(machine.count):
                label = f"{machine.name}-{copy}"
                zone = copy % len(subnets)
                vm = AwsGpuVm(
                    self,
                    label,
                    name=f"{prefix}-{label}",
                    vpc_id=network.vpc_id,
                    subnet_id=subnets[zone],
                    availability_zone=zone_names[zone],
                    instance_type=machine_type,
                    instance_profile_name=role.instance_profile_name,
                    metric_namespace=namespace,
                    gpu=machine.gpu is not None,
                    ingress_cidrs=machine.ingress.cidrs,
                    ports=machine.ingress.port_numbers(),
                    root_disk_gb=machine.root_disk_gb,
                    data_disk_gb=machine.data_disk_gb,
                    kms_key_arn=key_arn,
                    public_ip=machine.public_ip,
                    spot=machine.spot,
                    spot_max_price=machine.spot_max_price,
                    log_group_name=monitoring.log_group_names[machine.name],
                    setup_script=machine.setup_script,
                    idle_stop_minutes=machine.idle_stop_minutes,
                    idle_percent=monitor.idle_percent,
                    alarm_topic_arn=monitoring.topic_arn,
                    job_bucket=env.bucket_name(env.buckets[0]) if env.buckets else None,
                    protect_data=env.protect_data,
                    data_volume_tags=backup_tags,
                )
                monitoring.watch_instance(
                    label,
                    instance_id=vm.instance_id,
                    gpu=machine.gpu is not None,
                    instance_type=machine_type,
                    cpu_alarm_percent=monitor.cpu_alarm_percent,
                    cpu_alarm_periods=monitor.cpu_alarm_periods,
                )
                TerraformOutput(
                    self,
                    f"{label}-instance-id",
                    value=vm.instance_id,
                    description=f"EC2 instance id of {label} ({machine_type})",
                )
                TerraformOutput(self, f"{label}-private-ip", value=vm.private_ip, description=f"Private IP of {label}")
                if vm.public_ip is not None:
                    TerraformOutput(self, f"{label}-public-ip", value=vm.public_ip, description=f"Public IP of {label}")
        if monitor.dashboard and env.machines:
            dashboard = monitoring.add_dashboard()
            TerraformOutput(self, "dashboard-name", value=dashboard, description="CloudWatch dashboard of the machines")

        TerraformOutput(self, "vpc-id", value=network.vpc_id, description="VPC id")
        TerraformOutput(
            self, "public-subnet-ids", value=network.public_subnet_ids, description="Public subnet ids, one per zone"
        )
        TerraformOutput(
            self, "private-subnet-ids", value=network.private_subnet_ids, description="Private subnet ids, one per zone"
        )
        for key, name in buckets.bucket_names.items():
            TerraformOutput(self, f"bucket-{key}", value=name, description=f"S3 bucket for {key}")
        TerraformOutput(
            self, "alerts-topic-arn", value=monitoring.topic_arn, description="SNS topic that receives every alarm"
        )
