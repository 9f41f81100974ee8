"""Diagnostic settings: a resource's logs and metrics sent to a Log Analytics workspace."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.monitor_diagnostic_setting import (
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)
from constructs import Construct


@dataclass(frozen=True)
class LogAnalyticsTarget:
    """A Log Analytics workspace as other resources name it.

    workspace_id: the workspace's GUID (traffic analytics wants it);
    workspace_resource_id: its ARM id (diagnostic settings want that).
    """

    workspace_id: str
    workspace_resource_id: str
    location: str


def send_diagnostics(
    scope: Construct,
    id: str,
    *,
    target_resource_id: str,
    to: LogAnalyticsTarget,
    logs: bool = True,
    metrics: bool = True,
) -> MonitorDiagnosticSetting:
    """Send every log category (the `allLogs` group) and, optionally, all metrics of a resource to `to`."""
    return MonitorDiagnosticSetting(
        scope,
        id,
        name="gpulab",
        target_resource_id=target_resource_id,
        log_analytics_workspace_id=to.workspace_resource_id,
        enabled_log=[MonitorDiagnosticSettingEnabledLog(category_group="allLogs")] if logs else None,
        enabled_metric=[MonitorDiagnosticSettingEnabledMetric(category="AllMetrics")] if metrics else None,
    )
