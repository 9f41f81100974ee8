"""A Google Cloud stack's monthly lines: Compute Engine instances (with their GPUs) and persistent disks, Cloud
NAT and external addresses, Cloud Storage buckets, Cloud KMS keys, Cloud DNS zones; logs and snapshots by use."""

from __future__ import annotations

from gpulab.cost.compute import attached_gpu, is_spot
from gpulab.cost.lines import HOURS_PER_MONTH
from gpulab.cost.pricing import Pricer, resources


def price(stack: dict, pricer: Pricer) -> None:
    prefix = f"{pricer.env.prefix}-"
    nat_vm_hours = 0.0
    for _, instance in resources(stack, "google_compute_instance"):
        name = str(instance.get("name", "instance"))
        item = name.removeprefix(prefix)
        gpu, gpu_count = attached_gpu(instance)
        hours = pricer.add_machine(
            item,
            pricer.usage.of(name),
            str(instance.get("machine_type")),
            gpu=gpu,
            gpu_count=gpu_count,
            spot=is_spot(instance),
        )
        boot = (instance.get("boot_disk") or {}).get("initialize_params") or {}
        if boot.get("size"):
            pricer.add_disk_by_gb(f"{item} boot disk", boot["size"], boot.get("type", "pd-standard"))
        interfaces = instance.get("network_interface") or []
        if any(interface.get("access_config") for interface in interfaces):
            pricer.add_hourly("network", f"{item} external IPv4 address", "public_ipv4_hour", hours)
        else:
            nat_vm_hours += hours
    for _, disk in resources(stack, "google_compute_disk"):
        pricer.add_disk_by_gb(
            str(disk.get("name", "disk")).removeprefix(prefix), disk.get("size", 0), disk.get("type", "pd-standard")
        )
    for _, nat in resources(stack, "google_compute_router_nat"):
        rate, cap = pricer.unit("nat_vm_hour"), pricer.unit("nat_gateway_hour_cap")
        usd = None if rate is None or cap is None else min(rate * nat_vm_hours, cap * HOURS_PER_MONTH)
        pricer.add(
            "network",
            f"Cloud NAT {str(nat.get('name', '')).removeprefix(prefix)}",
            f"{nat_vm_hours:,.0f} VM-hours",
            usd,
        )
        pricer.add_by_use("Cloud NAT data processed", "nat_gateway_gb", "GB")
    for _, address in resources(stack, "google_compute_address"):
        if address.get("address_type", "EXTERNAL") == "EXTERNAL":
            pricer.add_hourly(
                "network",
                f"external IPv4 address {str(address.get('name', '')).removeprefix(prefix)}",
                "public_ipv4_hour",
            )
    for _, bucket in resources(stack, "google_storage_bucket"):
        name = str(bucket.get("name", "bucket"))
        pricer.add_bucket(name, pricer.expected_gb(name.removeprefix(prefix)), "object_storage_gb_month")
    for level in ("SOFTWARE", "HSM"):
        keys = [k for _, k in resources(stack, "google_kms_crypto_key") if _protection(k) == level]
        if keys:
            pricer.add_monthly("keys", f"Cloud KMS keys ({level.lower()})", f"kms_key_month:{level}", len(keys))
    if zones := resources(stack, "google_dns_managed_zone"):
        pricer.add_monthly("dns", "Cloud DNS zones", "dns_zone_month", len(zones))
    if resources(stack, "google_logging_project_bucket_config") or resources(stack, "google_logging_project_sink"):
        pricer.add_by_use("Cloud Logging ingested (beyond the free 50 GiB)", "logs_ingested_gb", "GiB")
    if any("snapshot_schedule_policy" in p for _, p in resources(stack, "google_compute_resource_policy")):
        pricer.add_by_use("disk snapshots (backups)", "snapshot_gb_month", "GB-month")


def _protection(key: dict) -> str:
    return str((key.get("version_template") or {}).get("protection_level", "SOFTWARE"))
