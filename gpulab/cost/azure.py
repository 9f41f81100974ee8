"""An Azure stack's monthly lines: virtual machines and managed disks (by size tier), NAT gateways and public
IPs, blob containers, HSM keys, DNS zones and alerts; logs, flow logs and disk backups by use."""

from __future__ import annotations

from gpulab.config.azure_names import VM_PREFIX
from gpulab.cost.compute import is_spot
from gpulab.cost.pricing import Pricer, resources

NAME_PREFIXES = (f"disk-{VM_PREFIX}", f"pip-{VM_PREFIX}", "pip-", VM_PREFIX)  # before `<project>-<env>-`


def price(stack: dict, pricer: Pricer) -> None:
    for _, vm in resources(stack, "azurerm_linux_virtual_machine"):
        name = str(vm.get("name", "vm"))
        item = _short(name, pricer)
        bid = vm.get("max_bid_price")
        pricer.add_machine(
            item,
            pricer.usage.of(name),
            str(vm.get("size")),
            spot=is_spot(vm),
            max_price=float(bid) if bid not in (None, -1) else None,
        )
        os_disk = vm.get("os_disk") or {}
        if os_disk.get("disk_size_gb"):
            pricer.add_disk_by_tier(f"{item} OS disk", os_disk["disk_size_gb"], os_disk.get("storage_account_type", ""))
    for _, disk in resources(stack, "azurerm_managed_disk"):
        pricer.add_disk_by_tier(
            _short(str(disk.get("name", "disk")), pricer),
            disk.get("disk_size_gb", 0),
            str(disk.get("storage_account_type", "")),
        )
    for _, gateway in resources(stack, "azurerm_nat_gateway"):
        number = str(gateway.get("name", "")).removeprefix(f"ng-{pricer.env.prefix}-")
        pricer.add_hourly("network", f"NAT gateway nat-{number}", "nat_gateway_hour")
        pricer.add_by_use("NAT gateway data processed", "nat_gateway_gb", "GB")
    for _, address in resources(stack, "azurerm_public_ip"):
        pricer.add_hourly("network", f"public IP {_short(str(address.get('name', '')), pricer)}", "public_ipv4_hour")
    accounts = resources(stack, "azurerm_storage_account")
    replication = str(accounts[0][1].get("account_replication_type", "LRS")) if accounts else "LRS"
    for _, container in resources(stack, "azurerm_storage_container"):
        name = str(container.get("name", "container"))
        pricer.add_bucket(f"{name} ({replication})", pricer.expected_gb(name), f"object_storage_gb_month:{replication}")
    hsm_keys = [k for _, k in resources(stack, "azurerm_key_vault_key") if str(k.get("key_type", "")).endswith("-HSM")]
    if hsm_keys:
        pricer.add_monthly("keys", "Key Vault HSM-protected keys", "hsm_key_month", len(hsm_keys))
    if zones := resources(stack, "azurerm_dns_zone"):
        pricer.add_monthly("dns", "DNS zones", "dns_zone_month", len(zones))
    if alerts := resources(stack, "azurerm_monitor_metric_alert"):
        pricer.add_monthly("monitoring", "metric alerts", "metric_alert_month", len(alerts))
    rules = [r for _, r in resources(stack, "azurerm_monitor_scheduled_query_rules_alert_v2")]
    if every_15_minutes := [r for r in rules if r.get("evaluation_frequency") == "PT15M"]:
        pricer.add_monthly("monitoring", "log search alerts (every 15 min)", "log_alert_month", len(every_15_minutes))
    for rule in rules:
        if rule.get("evaluation_frequency") != "PT15M":
            frequency = rule.get("evaluation_frequency")
            pricer.add(
                "monitoring",
                f"log search alert {rule.get('name', '')}".strip(),
                "1",
                None,
                f"no price for evaluation every {frequency}",
            )
    if resources(stack, "azurerm_log_analytics_workspace"):
        pricer.add_by_use("Log Analytics data ingested", "logs_ingested_gb", "GB")
    if resources(stack, "azurerm_network_watcher_flow_log"):
        pricer.add_by_use("NSG flow logs collected", "flow_logs_gb", "GB")
    if resources(stack, "azurerm_data_protection_backup_instance_disk"):
        pricer.add_by_use("disk backup snapshots", "snapshot_gb_month", "GB-month")


def _short(name: str, pricer: Pricer) -> str:
    """`name` without the kind and environment gpulab puts before it: `disk-vm-echoes-echoes-hq-data` → `hq-data`."""
    for kind in NAME_PREFIXES:
        if name.startswith(f"{kind}{pricer.env.prefix}-"):
            return name.removeprefix(f"{kind}{pricer.env.prefix}-")
    return name
