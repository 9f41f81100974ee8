"""An AWS stack's monthly lines: EC2 instances and EBS volumes, NAT gateways and public IPv4 addresses, S3
buckets, KMS keys, CloudWatch alarms and dashboards, Route 53 zones; logs and snapshots by use."""

from __future__ import annotations

from gpulab.cost.compute import is_spot
from gpulab.cost.pricing import Pricer, resources


def price(stack: dict, pricer: Pricer) -> None:
    prefix = f"{pricer.env.prefix}-"
    for _, instance in resources(stack, "aws_instance"):
        name = str((instance.get("tags") or {}).get("Name", "instance"))
        item = name.removeprefix(prefix)
        spot_options = (instance.get("instance_market_options") or {}).get("spot_options") or {}
        max_price = spot_options.get("max_price")
        hours = pricer.add_machine(
            item,
            pricer.usage.of(name),
            str(instance.get("instance_type")),
            spot=is_spot(instance),
            max_price=float(max_price) if max_price else None,
        )
        root = instance.get("root_block_device") or {}
        if root.get("volume_size"):
            pricer.add_disk_by_gb(f"{item} root disk", root["volume_size"], root.get("volume_type", "gp3"))
        if instance.get("associate_public_ip_address"):
            pricer.add_hourly("network", f"{item} public IPv4 address", "public_ipv4_hour", hours)
    for _, volume in resources(stack, "aws_ebs_volume"):
        name = str((volume.get("tags") or {}).get("Name", "volume")).removeprefix(prefix)
        pricer.add_disk_by_gb(name, volume.get("size", 0), volume.get("type", "gp3"))
    for _, gateway in resources(stack, "aws_nat_gateway"):
        pricer.add_hourly("network", _named(gateway, prefix, "NAT gateway"), "nat_gateway_hour")
        pricer.add_by_use("NAT gateway data processed", "nat_gateway_gb", "GB")
    for _, address in resources(stack, "aws_eip"):
        pricer.add_hourly("network", _named(address, prefix, "Elastic IP"), "public_ipv4_hour")
    for _, endpoint in resources(stack, "aws_vpc_endpoint"):
        if endpoint.get("vpc_endpoint_type") == "Interface":  # gateway endpoints (S3, DynamoDB) are free
            pricer.add_hourly("network", _named(endpoint, prefix, "interface endpoint"), "interface_endpoint_hour")
    for _, bucket in resources(stack, "aws_s3_bucket"):
        name = str(bucket.get("bucket", "bucket"))
        pricer.add_bucket(name, pricer.expected_gb(name.removeprefix(prefix)), "object_storage_gb_month")
    if keys := resources(stack, "aws_kms_key"):
        pricer.add_monthly("keys", "KMS keys", "kms_key_month", len(keys))
    if alarms := resources(stack, "aws_cloudwatch_metric_alarm"):
        pricer.add_monthly("monitoring", "CloudWatch alarms", "alarm_month", len(alarms))
    if dashboards := resources(stack, "aws_cloudwatch_dashboard"):
        pricer.add_monthly("monitoring", "CloudWatch dashboards", "dashboard_month", len(dashboards))
    if zones := resources(stack, "aws_route53_zone"):
        pricer.add_monthly("dns", "Route 53 hosted zones", "dns_zone_month", len(zones))
    if resources(stack, "aws_cloudwatch_log_group"):
        pricer.add_by_use("CloudWatch Logs ingested (flow logs, agents)", "logs_ingested_gb", "GB")
        pricer.add_by_use("CloudWatch Logs stored", "logs_stored_gb_month", "GB-month")
    if resources(stack, "aws_dlm_lifecycle_policy"):
        pricer.add_by_use("EBS snapshots (backups)", "snapshot_gb_month", "GB-month")


def _named(config: dict, prefix: str, kind: str) -> str:
    name = (config.get("tags") or {}).get("Name")
    return f"{kind} {str(name).removeprefix(prefix)}" if name else kind
