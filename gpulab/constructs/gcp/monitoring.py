"""GcpMonitoring: e-mail alerts and a log bucket with its own retention for one fleet."""

from __future__ import annotations

from cdktf_cdktf_provider_google.logging_project_bucket_config import LoggingProjectBucketConfig
from cdktf_cdktf_provider_google.logging_project_sink import LoggingProjectSink
from cdktf_cdktf_provider_google.monitoring_alert_policy import (
    MonitoringAlertPolicy,
    MonitoringAlertPolicyConditions,
    MonitoringAlertPolicyConditionsConditionThreshold,
    MonitoringAlertPolicyConditionsConditionThresholdAggregations,
    MonitoringAlertPolicyDocumentation,
)
from cdktf_cdktf_provider_google.monitoring_notification_channel import MonitoringNotificationChannel
from constructs import Construct

from gpulab import defaults
from gpulab.rules import limits
from gpulab.rules.values import email_problem, require, within

DEFAULT_RETENTION_DAYS = defaults.LOG_RETENTION_DAYS["gcp"]
# An alert condition's duration takes whole minutes only (Cloud Monitoring API, MetricThreshold.duration);
# a day at most is gpulab's bound: a longer wait is no alert.
CONDITION_MINUTES = (1, 1440)
MAX_UPTIME_HOURS = (1, 24 * 366)


class GcpMonitoring(Construct):
    """Alert policies over the fleet's VMs, and their logs kept `retention_days` in a bucket of their own.

    The fleet is every VM labelled `fleet_labels` (e.g. project and
    environment). Policies: CPU above `cpu_percent`; GPU utilisation below
    `gpu_idle_percent` for an hour, as the Ops Agent reports it (GPU VMs
    only); a VM up longer than `max_uptime_hours` (when given), the sign of a
    run whose stop failed. Notifications go to `alarm_email` when given.
    The VMs' logs (all entries of instances named `<instance_prefix>…`) are
    routed to a log bucket with `retention_days` (30 by default).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        project: str,
        region: str,
        fleet_labels: dict[str, str],
        instance_prefix: str,
        alarm_email: str | None = None,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        cpu_percent: int = defaults.CPU_ALARM_PERCENT,
        cpu_minutes: int = 10,
        gpu_idle_percent: int = defaults.IDLE_PERCENT,
        gpu: bool = True,
        max_uptime_hours: int | None = None,
    ) -> None:
        """
        name: the base of the log bucket, sink and policy titles.
        fleet_labels: the labels every VM of the fleet carries; the policies watch those VMs only.
        instance_prefix: the start of the fleet's instance names; their logs go to the log bucket.
        alarm_email: e-mail every policy's incidents here; none by default (incidents show in the console).
        retention_days: how long the log bucket keeps entries (1 to 3650, 30 by default).
        cpu_percent / cpu_minutes: alert when a VM's CPU stays above `cpu_percent` (1-100, 80 by
            default) for `cpu_minutes` (1-1440, 10 by default).
        gpu_idle_percent: alert when GPU utilisation stays below this (1-50, 5 by default) for an hour.
        gpu: whether the VMs have GPUs (True by default); without, there is no GPU-idle policy.
        max_uptime_hours: alert when a VM has run longer than this (1 to 8784, a year); no such policy by
            default. gpulab's stacks set it an hour past the fleet's longest `max_run_hours`.
        """
        require("retention_days", retention_days, within(limits.LOG_BUCKET_RETENTION_DAYS))
        if alarm_email is not None:
            require("alarm_email", alarm_email, email_problem)
        require("cpu_percent", cpu_percent, within(limits.CPU_ALARM_PERCENT))
        require("cpu_minutes", cpu_minutes, within(CONDITION_MINUTES))
        require("gpu_idle_percent", gpu_idle_percent, within(limits.IDLE_PERCENT))
        if max_uptime_hours is not None:
            require("max_uptime_hours", max_uptime_hours, within(MAX_UPTIME_HOURS))
        super().__init__(scope, id)
        self._project = project
        self._fleet = " AND ".join(f'metadata.user_labels."{k}" = "{v}"' for k, v in sorted(fleet_labels.items()))
        self._channels: list[str] = []
        if alarm_email:
            channel = MonitoringNotificationChannel(
                self,
                "email",
                project=project,
                display_name=f"{name} alerts",
                type="email",
                labels={"email_address": alarm_email},
            )
            self._channels = [channel.id]
        bucket = LoggingProjectBucketConfig(
            self,
            "log-bucket",
            project=project,
            location=region,
            bucket_id=f"{name}-logs",
            retention_days=retention_days,
            description=f"gpulab: logs of {name}'s machines",
        )
        LoggingProjectSink(
            self,
            "log-sink",
            project=project,
            name=f"{name}-logs",
            destination=f"logging.googleapis.com/{bucket.id}",
            filter=(
                f'resource.type="gce_instance" AND labels."compute.googleapis.com/resource_name"=~"^{instance_prefix}"'
            ),
            unique_writer_identity=True,
        )
        self._policy(
            "cpu-high",
            f"{name}: CPU above {cpu_percent} %",
            "compute.googleapis.com/instance/cpu/utilization",
            "COMPARISON_GT",
            cpu_percent / 100,
            minutes=cpu_minutes,
        )
        if gpu:
            self._policy(
                "gpu-idle",
                f"{name}: GPU idle below {gpu_idle_percent} % for an hour",
                "agent.googleapis.com/gpu/utilization",
                "COMPARISON_LT",
                gpu_idle_percent,
                minutes=60,
            )
        if max_uptime_hours:
            self._policy(
                "running-too-long",
                f"{name}: a VM has run more than {max_uptime_hours} hours",
                "compute.googleapis.com/instance/uptime_total",
                "COMPARISON_GT",
                max_uptime_hours * 3600,
                minutes=5,
            )

    def _policy(self, key: str, title: str, metric: str, comparison: str, threshold: float, *, minutes: int) -> None:
        MonitoringAlertPolicy(
            self,
            key,
            project=self._project,
            display_name=title,
            combiner="OR",
            notification_channels=self._channels or None,
            documentation=MonitoringAlertPolicyDocumentation(
                content=f"{title}. Created by gpulab.", mime_type="text/markdown"
            ),
            conditions=[
                MonitoringAlertPolicyConditions(
                    display_name=title,
                    condition_threshold=MonitoringAlertPolicyConditionsConditionThreshold(
                        filter=f'resource.type = "gce_instance" AND metric.type = "{metric}" AND {self._fleet}',
                        comparison=comparison,
                        threshold_value=threshold,
                        duration=f"{minutes * 60}s",
                        aggregations=[
                            MonitoringAlertPolicyConditionsConditionThresholdAggregations(
                                alignment_period="300s", per_series_aligner="ALIGN_MEAN"
                            )
                        ],
                    ),
                )
            ],
        )
