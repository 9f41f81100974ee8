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

DEFAULT_RETENTION_DAYS = defaults.LOG_RETENTION_DAYS["gcp"]


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
        super().__init__(scope, id)
        if not 1 <= retention_days <= 3650:
            raise ValueError(f"retention_days must be between 1 and 3650, got {retention_days}")
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
