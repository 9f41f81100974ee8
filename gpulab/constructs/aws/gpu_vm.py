"""AwsGpuVm: one GPU (or CPU) machine with a persistent data volume.

The image is the current AWS Deep Learning Base AMI (Ubuntu 24.04, NVIDIA
driver and CUDA), read at plan time from its public SSM parameter. IMDSv2 is
required, disks are encrypted gp3, there is no public IP unless asked, and
inbound traffic comes only from the CIDRs given (none: no inbound at all;
SSM Session Manager works regardless). The data volume is a separate resource,
so it survives replacement of the instance.
"""

from __future__ import annotations

from cdktf import Fn, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktf_cdktf_provider_aws.ebs_volume import EbsVolume
from cdktf_cdktf_provider_aws.instance import (
    Instance,
    InstanceInstanceMarketOptions,
    InstanceInstanceMarketOptionsSpotOptions,
    InstanceMetadataOptions,
    InstanceRootBlockDevice,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.volume_attachment import VolumeAttachment
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from gpulab import defaults
from gpulab.agent.install import idle_watchdog_lines, run_agent_lines
from gpulab.constructs.aws import user_data
from gpulab.defaults import DEEP_LEARNING_AMI_PARAMETER
from gpulab.rules import addresses, limits
from gpulab.rules.boot_scripts import check_rendered_script
from gpulab.rules.values import positive_problem, require, require_each, within

DATA_DEVICE = "/dev/sdf"
DATA_MOUNT = "/data"


class AwsGpuVm(Construct):
    """One EC2 machine for training and notebooks.

    Public attributes: `instance_id`, `private_ip`, `public_ip` (None unless
    asked), `security_group_id`, `data_volume_id`, `instance_type`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        vpc_id: str,
        subnet_id: str,
        availability_zone: str,
        instance_type: str,
        instance_profile_name: str,
        metric_namespace: str,
        gpu: bool = True,
        ingress_cidrs: list[str] | None = None,
        ports: dict[str, int] | None = None,
        root_disk_gb: int = defaults.ROOT_DISK_GB,
        data_disk_gb: int = defaults.DATA_DISK_GB,
        kms_key_arn: str | None = None,
        public_ip: bool = False,
        spot: bool = False,
        spot_max_price: float | None = None,
        image_ssm_parameter: str = DEEP_LEARNING_AMI_PARAMETER,
        log_group_name: str | None = None,
        setup_script: str | None = None,
        idle_stop_minutes: int | None = defaults.IDLE_STOP_MINUTES,
        idle_percent: int = defaults.IDLE_PERCENT,
        alarm_topic_arn: str | None = None,
        job_bucket: str | None = None,
        protect_data: bool = False,
        allow_open_ingress: bool = False,
        data_volume_tags: dict[str, str] | None = None,
    ) -> None:
        """Create the machine.

        availability_zone: the subnet's zone; the data volume is created there
            (given, not read from the instance, so replacing the instance never
            replaces the volume).
        instance_profile_name: the identity it runs as (see AwsInstanceRole).
        metric_namespace: where the CloudWatch agent publishes its metrics.
        gpu: whether the machine has NVIDIA GPUs: then the agent reports GPU
            utilisation and the idle alarm watches it; else CPU. True by default.
        ingress_cidrs: who may connect to `ports`; none by default (no inbound).
        ports: name → TCP port opened to `ingress_cidrs`; by default ssh 22,
            jupyter 8888, tensorboard 6006.
        root_disk_gb / data_disk_gb: encrypted gp3 sizes (100 / 100 GB); the
            Deep Learning AMI needs a root disk of at least 75 GB.
        kms_key_arn: encrypt both disks with this key; else the EBS default key.
        public_ip: give the machine a public address (it must then sit in a
            public subnet); off by default.
        spot: run as a persistent spot request that stops (not terminates) the
            machine when interrupted and starts it again when capacity returns;
            `spot_max_price` caps the hourly price (default: on-demand).
        image_ssm_parameter: SSM parameter naming the image; the current
            Deep Learning Base AMI (Ubuntu 24.04) by default. Later image
            releases do not replace a running machine (ami changes are ignored).
        log_group_name: where the agent ships cloud-init and syslog; none by default.
        setup_script: shell commands appended to the boot script.
        idle_stop_minutes: stop the machine after this long (10 to 1440) idle,
            two ways: gpulab's idle watchdog on the machine (no GPU work, CPU load
            or logged-in users; an OS shutdown, which stops the instance), and a
            CloudWatch alarm below `idle_percent` (1 to 50, 5 by default) GPU (or
            CPU) utilisation, in case the machine cannot act; 60 by default, None disables.
        alarm_topic_arn: also notify this SNS topic when the idle alarm fires.
        job_bucket: install gpulab's run agent, which runs the jobs `gpulab run`
            queues for this machine in this bucket (a plain bucket name the
            instance role may read and write); none by default.
        protect_data: `prevent_destroy` on the data volume.
        data_volume_tags: more tags on the data volume, e.g. what selects it for
            `AwsDiskBackups`; none by default.
        allow_open_ingress: accept 0.0.0.0/0 in `ingress_cidrs`; refused by default.
        """
        require("root_disk_gb", root_disk_gb, within(limits.EBS_ROOT_GB))
        require("data_disk_gb", data_disk_gb, within(limits.EBS_GB))
        if spot_max_price is not None:
            if not spot:
                raise ValueError("spot_max_price needs spot=True")
            require("spot_max_price", spot_max_price, positive_problem)
        if idle_stop_minutes is not None:
            require("idle_stop_minutes", idle_stop_minutes, within(limits.IDLE_STOP_MINUTES))
        require("idle_percent", idle_percent, within(limits.IDLE_PERCENT))
        ports = defaults.PORTS if ports is None else ports
        for port_name, port in ports.items():
            require(f"ports[{port_name!r}]", port, addresses.port_problem)
        ingress_cidrs = ingress_cidrs or []
        require_each("ingress_cidrs", ingress_cidrs, addresses.cidr_problem)
        if "0.0.0.0/0" in ingress_cidrs and not allow_open_ingress:
            raise ValueError(
                "ingress_cidrs contains 0.0.0.0/0; list the networks that need access "
                "(or pass allow_open_ingress=True if the whole internet really must reach these ports)"
            )
        super().__init__(scope, id)

        self.security_group = SecurityGroup(
            self,
            "sg",
            name=f"{name}-sg",
            description=f"gpulab machine {name}: inbound only from listed CIDRs",
            vpc_id=vpc_id,
            tags={"Name": f"{name}-sg"},
        )
        self.security_group_id = self.security_group.id
        for port_name, port in sorted(ports.items()):
            for index, cidr in enumerate(ingress_cidrs):
                VpcSecurityGroupIngressRule(
                    self,
                    f"in-{port_name}-{index}",
                    security_group_id=self.security_group_id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=cidr,
                    description=f"{port_name} from {cidr}",
                )
        VpcSecurityGroupEgressRule(
            self,
            "out-all",
            security_group_id=self.security_group_id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="Outbound for packages, AWS APIs and datasets",
        )

        data_volume = EbsVolume(
            self,
            "data",
            availability_zone=availability_zone,
            size=data_disk_gb,
            type="gp3",
            encrypted=True,
            kms_key_id=kms_key_arn,
            tags={**(data_volume_tags or {}), "Name": f"{name}-data"},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect_data else None,
        )
        self.data_volume_id = data_volume.id
        image = DataAwsSsmParameter(self, "image", name=image_ssm_parameter)
        market = None
        if spot:
            market = InstanceInstanceMarketOptions(
                market_type="spot",
                spot_options=InstanceInstanceMarketOptionsSpotOptions(
                    instance_interruption_behavior="stop",
                    spot_instance_type="persistent",
                    max_price=str(spot_max_price) if spot_max_price is not None else None,
                ),
            )
        self._region = DataAwsRegion(self, "region")
        boot = user_data.render(
            volume_id_without_hyphen=Fn.replace(self.data_volume_id, "-", ""),
            region=self._region.region,
            mount_point=DATA_MOUNT,
            metric_namespace=metric_namespace,
            log_group_name=log_group_name,
            gpu=gpu,
            setup_script=setup_script,
            steps=[
                *(idle_watchdog_lines(idle_minutes=idle_stop_minutes, stop="shutdown") if idle_stop_minutes else []),
                *(run_agent_lines(cloud="aws", bucket=job_bucket, machine=name) if job_bucket else []),
            ],
        )
        check_rendered_script("aws", boot)
        self.instance = Instance(
            self,
            "instance",
            ami=image.insecure_value,
            instance_type=instance_type,
            subnet_id=subnet_id,
            vpc_security_group_ids=[self.security_group_id],
            iam_instance_profile=instance_profile_name,
            associate_public_ip_address=public_ip,
            ebs_optimized=True,
            monitoring=True,
            metadata_options=InstanceMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=2
            ),
            root_block_device=InstanceRootBlockDevice(
                volume_type="gp3",
                volume_size=root_disk_gb,
                encrypted=True,
                kms_key_id=kms_key_arn,
                delete_on_termination=True,
            ),
            instance_market_options=market,
            instance_initiated_shutdown_behavior="stop",  # the idle watchdog's OS shutdown stops, never terminates
            user_data=boot,
            tags={"Name": name},
            lifecycle=TerraformResourceLifecycle(ignore_changes=["ami"]),
        )
        self.instance_id = self.instance.id
        VolumeAttachment(
            self,
            "data-attachment",
            device_name=DATA_DEVICE,
            volume_id=self.data_volume_id,
            instance_id=self.instance_id,
            stop_instance_before_detaching=True,
        )
        self.private_ip = self.instance.private_ip
        self.public_ip = self.instance.public_ip if public_ip else None
        self.instance_type = instance_type
        if idle_stop_minutes:
            self._idle_stop_alarm(name, metric_namespace, gpu, idle_stop_minutes, idle_percent, alarm_topic_arn)

    def _idle_stop_alarm(
        self, name: str, namespace: str, gpu: bool, minutes: int, percent: int, topic_arn: str | None
    ) -> None:
        region = self._region
        metric, metric_namespace = ("nvidia_smi_utilization_gpu", namespace) if gpu else ("CPUUtilization", "AWS/EC2")
        CloudwatchMetricAlarm(
            self,
            "idle-stop",
            alarm_name=f"{name}-idle-stop",
            alarm_description=(
                f"Stops {name} after {minutes} min below {percent}% {'GPU' if gpu else 'CPU'} utilisation. "
                "Missing data (agent not running yet) never stops it."
            ),
            namespace=metric_namespace,
            metric_name=metric,
            dimensions={"InstanceId": self.instance_id},
            statistic="Maximum",
            period=300,
            evaluation_periods=max(1, minutes // 5),
            threshold=percent,
            comparison_operator="LessThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[f"arn:aws:automate:{region.region}:ec2:stop", *([topic_arn] if topic_arn else [])],
        )
