"""AwsMonitoring: alert topic, log groups, machine alarms and a dashboard.

Build it before the machines (they need its log groups and topic), then call
`watch_instance` for each machine and `add_dashboard` once at the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from gpulab import defaults
from gpulab.config.catalog.aws import supports_recovery
from gpulab.rules import limits
from gpulab.rules.limits import CLOUDWATCH_RETENTION_DAYS
from gpulab.rules.values import email_problem, one_of, require, within

ALARM_PERIOD_SECONDS = defaults.ALARM_PERIOD_MINUTES * 60
# The mount points the CloudWatch agent reports disk use of (user_data.agent_config), and their alarm ids.
DISK_PATHS = {"/": "root", "/data": "data"}


@dataclass(frozen=True)
class WatchedInstance:
    """A machine on the dashboard: its label, id and whether it has GPUs."""

    label: str
    instance_id: str
    gpu: bool


class AwsMonitoring(Construct):
    """Where a platform's alarms go and its machines' logs land.

    Public attributes: `topic_arn`, `log_group_names` and `log_group_arns`
    (dicts keyed by the names given), `dashboard_name` (after `add_dashboard`).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        log_groups: list[str],
        alarm_email: str | None = None,
        log_retention_days: int = defaults.LOG_RETENTION_DAYS["aws"],
        kms_key_arn: str | None = None,
        metric_namespace: str | None = None,
    ) -> None:
        """Create the topic and log groups.

        name: prefix of the topic, log groups, alarms and dashboard.
        log_groups: one log group `/gpulab/<name>/<entry>` per entry.
        alarm_email: subscribe this address to the topic (AWS mails a
            confirmation link that must be clicked); no subscription by default.
        log_retention_days: how long log groups keep events: 7 by default, else
            one of the values CloudWatch offers (CLOUDWATCH_RETENTION_DAYS).
        kms_key_arn: encrypt the topic and log groups with this key; by
            default the topic is unencrypted (CloudWatch alarms cannot publish to
            a topic under the AWS-managed SNS key) and logs use CloudWatch's
            own encryption.
        metric_namespace: the agent's namespace, for GPU widgets on the dashboard.
        """
        if alarm_email is not None:
            require("alarm_email", alarm_email, email_problem)
        require("log_retention_days", log_retention_days, one_of(CLOUDWATCH_RETENTION_DAYS))
        super().__init__(scope, id)
        self._name = name
        self._namespace = metric_namespace
        self._watched: list[WatchedInstance] = []
        self._region = DataAwsRegion(self, "region").region
        topic = SnsTopic(self, "alerts", name=f"{name}-alerts", kms_master_key_id=kms_key_arn)
        self.topic_arn = topic.arn
        if alarm_email:
            SnsTopicSubscription(self, "alerts-email", topic_arn=self.topic_arn, protocol="email", endpoint=alarm_email)
        self.log_group_names: dict[str, str] = {}
        self.log_group_arns: dict[str, str] = {}
        for entry in log_groups:
            group = CloudwatchLogGroup(
                self,
                f"logs-{entry}",
                name=f"/gpulab/{name}/{entry}",
                retention_in_days=log_retention_days,
                kms_key_id=kms_key_arn,
            )
            self.log_group_names[entry] = group.name
            self.log_group_arns[entry] = group.arn
        self.dashboard_name: str | None = None

    def watch_instance(
        self,
        label: str,
        *,
        instance_id: str,
        gpu: bool = True,
        instance_type: str | None = None,
        recoverable: bool | None = None,
        cpu_alarm_percent: int = defaults.CPU_ALARM_PERCENT,
        cpu_alarm_periods: int = defaults.CPU_ALARM_PERIODS,
        disk_alarm_percent: int = defaults.DISK_ALARM_PERCENT,
    ) -> None:
        """Alarms for one machine: CPU high, system and instance status checks, disks filling up.

        instance_type: the machine's EC2 type, which decides `recoverable`.
        recoverable: whether the type supports EC2 auto-recovery; a failed
            system check then recovers the machine onto healthy hardware,
            otherwise it reboots it. By default derived from `instance_type`
            (types with instance-store disks, such as g4dn/g5/g6/p4d/p5,
            cannot be recovered); without `instance_type`, False, as a reboot
            works on every type.
        cpu_alarm_percent: alarm when CPU stays above this (1-100, 80 by default)
            for `cpu_alarm_periods` periods of 5 minutes (1-24, 2 by default).
        disk_alarm_percent: alarm when the root disk or the data disk at /data is
            fuller than this (1-100, 85 by default, seed 004's figure), as the
            CloudWatch agent reports it; only with the monitoring's `metric_namespace`.
        """
        require("cpu_alarm_percent", cpu_alarm_percent, within(limits.CPU_ALARM_PERCENT))
        require("cpu_alarm_periods", cpu_alarm_periods, within(limits.CPU_ALARM_PERIODS))
        require("disk_alarm_percent", disk_alarm_percent, within(limits.PERCENT))
        if recoverable is None:
            recoverable = instance_type is not None and supports_recovery(instance_type)
        region = self._region
        notify = [self.topic_arn]
        CloudwatchMetricAlarm(
            self,
            f"{label}-cpu-high",
            alarm_name=f"{self._name}-{label}-cpu-high",
            alarm_description=f"CPU above {cpu_alarm_percent}% for {cpu_alarm_periods} × 5 min on {label}",
            metric_name="CPUUtilization",
            statistic="Average",
            evaluation_periods=cpu_alarm_periods,
            threshold=cpu_alarm_percent,
            comparison_operator="GreaterThanThreshold",
            namespace="AWS/EC2",
            dimensions={"InstanceId": instance_id},
            period=ALARM_PERIOD_SECONDS,
            alarm_actions=notify,
            ok_actions=notify,
        )
        system_action = "recover" if recoverable else "reboot"
        self._status_check_alarm(
            label,
            instance_id,
            "System",
            f"AWS hardware or network fault under {label}: {system_action} it",
            [f"arn:aws:automate:{region}:ec2:{system_action}", *notify],
        )
        self._status_check_alarm(
            label, instance_id, "Instance", f"The operating system of {label} stopped answering", notify
        )
        if self._namespace:
            for path, key in DISK_PATHS.items():
                self._disk_alarm(label, instance_id, path, key, disk_alarm_percent, notify)
        self._watched.append(WatchedInstance(label, instance_id, gpu))

    def _disk_alarm(self, label: str, instance_id: str, path: str, key: str, percent: int, notify: list[str]) -> None:
        """The agent's disk_used_percent for one mount point above `percent` for two periods of 5 minutes."""
        CloudwatchMetricAlarm(
            self,
            f"{label}-{key}-disk-full",
            alarm_name=f"{self._name}-{label}-{key}-disk-full",
            alarm_description=f"{path} on {label} more than {percent}% full",
            namespace=self._namespace,
            metric_name="disk_used_percent",
            dimensions={"InstanceId": instance_id, "path": path},
            statistic="Maximum",
            period=ALARM_PERIOD_SECONDS,
            evaluation_periods=2,
            threshold=percent,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="missing",
            alarm_actions=notify,
            ok_actions=notify,
        )

    def _status_check_alarm(
        self, label: str, instance_id: str, kind: str, description: str, actions: list[str]
    ) -> None:
        """StatusCheckFailed_<kind> failing for two minutes in a row."""
        CloudwatchMetricAlarm(
            self,
            f"{label}-{kind.lower()}-check",
            alarm_name=f"{self._name}-{label}-{kind.lower()}-check",
            alarm_description=description,
            namespace="AWS/EC2",
            dimensions={"InstanceId": instance_id},
            metric_name=f"StatusCheckFailed_{kind}",
            statistic="Maximum",
            period=60,
            evaluation_periods=2,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            alarm_actions=actions,
        )

    def add_dashboard(self) -> str:
        """A dashboard of every watched machine's CPU, GPU, memory and network."""
        if self.dashboard_name is not None:
            raise RuntimeError("add_dashboard was already called")
        widgets = []
        for row, machine in enumerate(self._watched):
            y = row * 6
            widgets.append(
                self._widget(
                    f"{machine.label}: CPU %", [["AWS/EC2", "CPUUtilization", "InstanceId", machine.instance_id]], 0, y
                )
            )
            if machine.gpu and self._namespace:
                widgets.append(
                    self._widget(
                        f"{machine.label}: GPU %",
                        [
                            [self._namespace, "nvidia_smi_utilization_gpu", "InstanceId", machine.instance_id],
                            [self._namespace, "nvidia_smi_utilization_memory", "InstanceId", machine.instance_id],
                        ],
                        8,
                        y,
                    )
                )
            widgets.append(
                self._widget(
                    f"{machine.label}: network bytes",
                    [
                        ["AWS/EC2", "NetworkIn", "InstanceId", machine.instance_id],
                        ["AWS/EC2", "NetworkOut", "InstanceId", machine.instance_id],
                    ],
                    16,
                    y,
                )
            )
        dashboard = CloudwatchDashboard(
            self,
            "dashboard",
            dashboard_name=self._name,
            dashboard_body=json.dumps({"widgets": widgets}, sort_keys=True),
        )
        self.dashboard_name = dashboard.dashboard_name
        return self.dashboard_name

    def _widget(self, title: str, metrics: list[list[str]], x: int, y: int) -> dict:
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": 8,
            "height": 6,
            "properties": {
                "title": title,
                "metrics": metrics,
                "period": 300,
                "stat": "Average",
                "region": self._region,
                "view": "timeSeries",
            },
        }
