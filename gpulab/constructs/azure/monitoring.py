"""AzureMonitoring: a Log Analytics workspace, an e-mail action group, and alerts per VM."""

from __future__ import annotations

from cdktf_cdktf_provider_azurerm.log_analytics_workspace import LogAnalyticsWorkspace
from cdktf_cdktf_provider_azurerm.monitor_action_group import MonitorActionGroup, MonitorActionGroupEmailReceiver
from cdktf_cdktf_provider_azurerm.monitor_data_collection_rule import (
    MonitorDataCollectionRule,
    MonitorDataCollectionRuleDataFlow,
    MonitorDataCollectionRuleDataSources,
    MonitorDataCollectionRuleDataSourcesPerformanceCounter,
    MonitorDataCollectionRuleDataSourcesSyslog,
    MonitorDataCollectionRuleDestinations,
    MonitorDataCollectionRuleDestinationsLogAnalytics,
)
from cdktf_cdktf_provider_azurerm.monitor_data_collection_rule_association import (
    MonitorDataCollectionRuleAssociation,
)
from cdktf_cdktf_provider_azurerm.monitor_metric_alert import (
    MonitorMetricAlert,
    MonitorMetricAlertAction,
    MonitorMetricAlertCriteria,
)
from cdktf_cdktf_provider_azurerm.monitor_scheduled_query_rules_alert_v2 import (
    MonitorScheduledQueryRulesAlertV2,
    MonitorScheduledQueryRulesAlertV2Action,
    MonitorScheduledQueryRulesAlertV2Criteria,
)
from cdktf_cdktf_provider_azurerm.virtual_machine_extension import VirtualMachineExtension
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.azure.diagnostics import LogAnalyticsTarget
from gpulab.rules import limits
from gpulab.rules.limits import LOG_ANALYTICS_RETENTION_DAYS
from gpulab.rules.values import email_problem, require, within

DEFAULT_RETENTION_DAYS = defaults.LOG_RETENTION_DAYS["azure"]
DEFAULT_DISK_ALERT_PERCENT = 85
CPU_ALARM_MINUTES = (1, 1440)
PERF_COUNTERS = (
    "\\Processor Information(_Total)\\% Processor Time",
    "\\Memory\\% Used Memory",
    "\\Logical Disk(*)\\% Used Space",
    "\\Logical Disk(*)\\Free Megabytes",
)
SYSLOG_FACILITIES = ("auth", "authpriv", "cron", "daemon", "kern", "syslog", "user")
# The evaluation windows Azure metric alerts accept, in minutes.
METRIC_ALERT_WINDOWS = {
    1: "PT1M",
    5: "PT5M",
    15: "PT15M",
    30: "PT30M",
    60: "PT1H",
    360: "PT6H",
    720: "PT12H",
    1440: "P1D",
}


class AzureMonitoring(Construct):
    """Where the platform's logs, metrics and alerts go.

    The workspace keeps `retention_days` (30 by default, Log Analytics' free
    period). Alerts go to an action group that e-mails `alarm_email` when
    one is given (none by default: alerts then show in the portal only).
    `watch_vm` adds, per VM: CPU above a threshold, VM availability below 1,
    the Azure Monitor agent sending memory, disk and syslog to the workspace,
    and a data-disk usage alert over what the agent reports.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        alarm_email: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        """
        name: the base of the workspace (`log-<name>`), action group and alert names.
        retention_days: how long the Log Analytics workspace keeps data (30 to 730;
            30 by default, the period its price includes).
        alarm_email: the address the action group e-mails; none by default, and
            alerts then show in the portal only.
        tags: on every resource; none by default.
        """
        require("retention_days", retention_days, within(LOG_ANALYTICS_RETENTION_DAYS))
        if alarm_email is not None:
            require("alarm_email", alarm_email, email_problem)
        super().__init__(scope, id)
        self._resource_group_name = resource_group_name
        self._location = location
        self._tags = tags or {}
        self.workspace = LogAnalyticsWorkspace(
            self,
            "workspace",
            name=f"log-{name}",
            resource_group_name=resource_group_name,
            location=location,
            sku="PerGB2018",
            retention_in_days=retention_days,
            local_authentication_enabled=False,
            tags=self._tags,
        )
        self.log_analytics = LogAnalyticsTarget(
            workspace_id=self.workspace.workspace_id,
            workspace_resource_id=self.workspace.id,
            location=location,
        )
        receivers = (
            [MonitorActionGroupEmailReceiver(name="email", email_address=alarm_email, use_common_alert_schema=True)]
            if alarm_email
            else None
        )
        self.action_group = MonitorActionGroup(
            self,
            "alerts",
            name=f"ag-{name}",
            resource_group_name=resource_group_name,
            short_name=name.replace("-", "")[:12],
            email_receiver=receivers,
            tags=self._tags,
        )
        self.action_group_id: str = self.action_group.id
        self.collection_rule = MonitorDataCollectionRule(
            self,
            "collection-rule",
            name=f"dcr-{name}",
            resource_group_name=resource_group_name,
            location=location,
            kind="Linux",
            data_sources=MonitorDataCollectionRuleDataSources(
                performance_counter=[
                    MonitorDataCollectionRuleDataSourcesPerformanceCounter(
                        name="perf",
                        streams=["Microsoft-Perf"],
                        sampling_frequency_in_seconds=60,
                        counter_specifiers=list(PERF_COUNTERS),
                    )
                ],
                syslog=[
                    MonitorDataCollectionRuleDataSourcesSyslog(
                        name="syslog",
                        streams=["Microsoft-Syslog"],
                        facility_names=list(SYSLOG_FACILITIES),
                        log_levels=["Warning", "Error", "Critical", "Alert", "Emergency"],
                    )
                ],
            ),
            destinations=MonitorDataCollectionRuleDestinations(
                log_analytics=[
                    MonitorDataCollectionRuleDestinationsLogAnalytics(
                        name="workspace", workspace_resource_id=self.workspace.id
                    )
                ]
            ),
            data_flow=[
                MonitorDataCollectionRuleDataFlow(
                    streams=["Microsoft-Perf", "Microsoft-Syslog"], destinations=["workspace"]
                )
            ],
            tags=self._tags,
        )

    def watch_vm(
        self,
        label: str,
        *,
        vm_id: str,
        cpu_alarm_percent: int = defaults.CPU_ALARM_PERCENT,
        cpu_alarm_minutes: int = 10,
        data_mount: str | None = None,
        disk_alert_percent: int = DEFAULT_DISK_ALERT_PERCENT,
    ) -> None:
        """Alerts and the monitoring agent for one VM.

        cpu_alarm_percent: alert when the average CPU is above this (1-100, 80 by default).
        cpu_alarm_minutes: how long the average must stay above
            `cpu_alarm_percent` (10 minutes by default, rounded up to a window
            Azure offers: 15 minutes; 1 to 1440).
        data_mount: where the data disk is mounted; when given, an alert fires
            once it is fuller than `disk_alert_percent` (1-100, 85 by default).
        """
        require("cpu_alarm_percent", cpu_alarm_percent, within(limits.CPU_ALARM_PERCENT))
        require("cpu_alarm_minutes", cpu_alarm_minutes, within(CPU_ALARM_MINUTES))
        require("disk_alert_percent", disk_alert_percent, within(limits.PERCENT))
        cpu_window = min(m for m in METRIC_ALERT_WINDOWS if m >= cpu_alarm_minutes)
        action = [MonitorMetricAlertAction(action_group_id=self.action_group_id)]
        self._metric_alert(
            f"{label}-cpu-high",
            vm_id,
            f"{label}: average CPU above {cpu_alarm_percent} % over {cpu_window} minutes",
            MonitorMetricAlertCriteria(
                metric_namespace="Microsoft.Compute/virtualMachines",
                metric_name="Percentage CPU",
                aggregation="Average",
                operator="GreaterThan",
                threshold=cpu_alarm_percent,
            ),
            window_minutes=cpu_window,
            action=action,
            severity=3,
        )
        self._metric_alert(
            f"{label}-unavailable",
            vm_id,
            f"{label}: the VM is unavailable (host or guest failure)",
            MonitorMetricAlertCriteria(
                metric_namespace="Microsoft.Compute/virtualMachines",
                metric_name="VmAvailabilityMetric",
                aggregation="Average",
                operator="LessThan",
                threshold=1,
            ),
            window_minutes=5,
            action=action,
            severity=1,
        )
        agent = VirtualMachineExtension(
            self,
            f"{label}-agent",
            name="AzureMonitorLinuxAgent",
            virtual_machine_id=vm_id,
            publisher="Microsoft.Azure.Monitor",
            type="AzureMonitorLinuxAgent",
            type_handler_version="1.33",
            auto_upgrade_minor_version=True,
            automatic_upgrade_enabled=True,
            tags=self._tags,
        )
        MonitorDataCollectionRuleAssociation(
            self,
            f"{label}-collection",
            name=f"dcra-{label}",
            target_resource_id=vm_id,
            data_collection_rule_id=self.collection_rule.id,
            depends_on=[agent],
        )
        if data_mount:
            query = (
                'Perf | where ObjectName == "Logical Disk" and CounterName == "% Used Space" '
                f'and InstanceName == "{data_mount}" '
                "| summarize UsedPercent = max(CounterValue) by bin(TimeGenerated, 5m)"
            )
            MonitorScheduledQueryRulesAlertV2(
                self,
                f"{label}-data-disk-full",
                name=f"alert-{label}-data-disk-full",
                description=f"{label}: {data_mount} is more than {disk_alert_percent} % full",
                resource_group_name=self._resource_group_name,
                location=self._location,
                scopes=[vm_id],
                severity=2,
                evaluation_frequency="PT15M",
                window_duration="PT15M",
                criteria=[
                    MonitorScheduledQueryRulesAlertV2Criteria(
                        query=query,
                        time_aggregation_method="Maximum",
                        metric_measure_column="UsedPercent",
                        operator="GreaterThan",
                        threshold=disk_alert_percent,
                    )
                ],
                action=MonitorScheduledQueryRulesAlertV2Action(action_groups=[self.action_group_id]),
                tags=self._tags,
            )

    def _metric_alert(
        self,
        construct_id: str,
        vm_id: str,
        description: str,
        criteria: MonitorMetricAlertCriteria,
        *,
        window_minutes: int,
        action: list[MonitorMetricAlertAction],
        severity: int,
    ) -> None:
        MonitorMetricAlert(
            self,
            construct_id,
            name=f"alert-{construct_id}",
            resource_group_name=self._resource_group_name,
            scopes=[vm_id],
            description=description,
            criteria=[criteria],
            frequency="PT1M" if window_minutes <= 5 else "PT5M",
            window_size=METRIC_ALERT_WINDOWS[window_minutes],
            severity=severity,
            action=action,
            tags=self._tags,
        )
