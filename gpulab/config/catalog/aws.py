"""AWS regions and EC2 machine types.

Prices are approximate on-demand Linux prices in USD per hour in
us-east-1, taken from the AWS EC2 on-demand pricing page in 2025-06 (after the
June 2025 P4/P5 price cut); they are for orientation in `gpulab list`, never for
billing. GPU quotas ("Running On-Demand G and VT instances" and "P instances")
default to 0 vCPUs in many accounts: a plan never catches that, an apply does.
"""

from __future__ import annotations

from gpulab.config.catalog.types import CloudCatalog, MachineType, ServicePrices

_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "ca-west-1",
        "sa-east-1",
        "mx-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "ap-south-1",
        "ap-south-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ap-east-1",
        "me-south-1",
        "me-central-1",
        "il-central-1",
        "af-south-1",
    }
)

_MACHINE_TYPES = (
    # General purpose (CPU only): the seed's t3.medium and friends.
    MachineType("t3.medium", None, 0, 2, 4, 0.0416),
    MachineType("t3.large", None, 0, 2, 8, 0.0832),
    MachineType("t3.xlarge", None, 0, 4, 16, 0.1664),
    MachineType("m7i.large", None, 0, 2, 8, 0.1008),
    MachineType("m7i.xlarge", None, 0, 4, 16, 0.2016),
    MachineType("m7i.2xlarge", None, 0, 8, 32, 0.4032),
    MachineType("c7i.2xlarge", None, 0, 8, 16, 0.357),
    MachineType("r7i.2xlarge", None, 0, 8, 64, 0.5292),
    # NVIDIA T4
    MachineType("g4dn.xlarge", "t4", 1, 4, 16, 0.526),
    MachineType("g4dn.2xlarge", "t4", 1, 8, 32, 0.752),
    MachineType("g4dn.4xlarge", "t4", 1, 16, 64, 1.204),
    MachineType("g4dn.12xlarge", "t4", 4, 48, 192, 3.912),
    MachineType("g4dn.metal", "t4", 8, 96, 384, 7.824),
    # NVIDIA A10G
    MachineType("g5.xlarge", "a10g", 1, 4, 16, 1.006),
    MachineType("g5.2xlarge", "a10g", 1, 8, 32, 1.212),
    MachineType("g5.12xlarge", "a10g", 4, 48, 192, 5.672),
    MachineType("g5.48xlarge", "a10g", 8, 192, 768, 16.288),
    # NVIDIA L4
    MachineType("g6.xlarge", "l4", 1, 4, 16, 0.805),
    MachineType("g6.2xlarge", "l4", 1, 8, 32, 0.978),
    MachineType("g6.12xlarge", "l4", 4, 48, 192, 4.602),
    MachineType("g6.48xlarge", "l4", 8, 192, 768, 13.350),
    # NVIDIA A100 (40 GB) and H100
    MachineType("p4d.24xlarge", "a100", 8, 96, 1152, 21.958),
    MachineType("p5.48xlarge", "h100", 8, 192, 2048, 55.040),
)

# Regions that sell each GPU family, from EC2's instance type availability by region (the console's
# "Instance types" page and `aws ec2 describe-instance-type-offerings --location-type region`), 2025-06.
# g4dn is sold in every region above. Approximate and generous: a region missing here is an error in
# validate, so add one that sells a family (and check a zone with describe-instance-type-offerings).
_FAMILY_REGIONS = {
    "g5": frozenset(
        {"us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1", "eu-central-1", "eu-west-1"}
        | {"eu-west-2", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1"}
        | {"ap-southeast-2", "me-central-1", "il-central-1"}
    ),
    "g6": frozenset(
        {"us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1", "eu-central-1", "eu-central-2"}
        | {"eu-west-2", "eu-north-1", "eu-south-2", "ap-south-1", "ap-northeast-1", "ap-southeast-1"}
        | {"ap-southeast-2"}
    ),
    "p4d": frozenset(
        {"us-east-1", "us-east-2", "us-west-2", "ca-central-1", "eu-central-1", "eu-west-1"}
        | {"ap-northeast-1", "ap-northeast-2", "ap-southeast-1"}
    ),
    "p5": frozenset(
        {"us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1", "eu-north-1", "eu-west-2"}
        | {"ap-south-1", "ap-northeast-1", "ap-southeast-2", "ap-southeast-3"}
    ),
}

# What `gpulab cost` prices besides machine hours: the public pricing pages of EBS, VPC (NAT gateway and
# public IPv4 addresses, charged since 2024-02), S3 Standard, CloudWatch (logs, alarms, dashboards, before
# their free tiers), KMS and Route 53, 2025-06. US East (N. Virginia), US East (Ohio) and US West (Oregon)
# share these prices and the machine types' hourly prices above; any other region is not priced.
_SERVICES = ServicePrices(
    regions=frozenset({"us-east-1", "us-east-2", "us-west-2"}),
    as_of="2025-06",
    source="AWS on-demand pricing pages (EC2, EBS, VPC, S3, CloudWatch, KMS, Route 53), us-east-1",
    unit={
        "nat_gateway_hour": 0.045,
        "nat_gateway_gb": 0.045,
        "public_ipv4_hour": 0.005,
        "object_storage_gb_month": 0.023,
        "logs_ingested_gb": 0.50,
        "logs_stored_gb_month": 0.03,
        "snapshot_gb_month": 0.05,
        "kms_key_month": 1.00,
        "alarm_month": 0.10,
        "dashboard_month": 3.00,
        "interface_endpoint_hour": 0.01,
        "dns_zone_month": 0.50,
    },
    disk_gb_month={"gp3": 0.08, "gp2": 0.10, "io1": 0.125, "io2": 0.125, "st1": 0.045, "sc1": 0.015},
    spot_discount=0.65,  # g4dn/g5 in us-east-1 typically save 60-70 % (EC2 Spot Instance Advisor, 2025-06)
)

AWS = CloudCatalog(
    cloud="AWS",
    regions=_REGIONS,
    machine_types=_MACHINE_TYPES,
    offered_in={
        m.name: _FAMILY_REGIONS[m.name.split(".")[0]] for m in _MACHINE_TYPES if m.name.split(".")[0] in _FAMILY_REGIONS
    },
    prices_as_of="2025-06",
    prices_source="AWS EC2 On-Demand pricing, us-east-1, Linux",
    services=_SERVICES,
)


# Instance families with local NVMe instance-store disks: EC2 auto-recovery
# does not support them, so their system-check alarm reboots instead.
_INSTANCE_STORE_FAMILIES = frozenset({"g4dn", "g5", "g6", "p4d", "p5"})


def supports_recovery(machine_type: str) -> bool:
    """Whether EC2 auto-recovery can move this machine type to new hardware."""
    return machine_type.split(".")[0] not in _INSTANCE_STORE_FAMILIES
