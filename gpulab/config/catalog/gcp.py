"""Google Cloud regions, zones, machine types and the accelerators each zone offers.

Prices are approximate on-demand prices in USD per hour in us-central1, from the
Compute Engine VM and GPU pricing pages in 2025-06; an N1 entry's price includes
its attached GPUs. They are for orientation in `gpulab list`, never for billing.
The GPU quota GPUS_ALL_REGIONS (and per-region NVIDIA_T4_GPUS, NVIDIA_L4_GPUS, …)
defaults to 0 in new projects: a plan never catches that, an apply does.

Which zone offers which accelerator follows the "GPU regions and zones" page
(2025-06) for the regions listed here; check a zone with `gcloud compute
accelerator-types list --filter="zone:us-central1-a"`.
"""

from __future__ import annotations

from gpulab.config.catalog.types import CloudCatalog, MachineType, ServicePrices

# Accelerator name in environment files → the accelerator type Compute Engine calls it.
ACCELERATOR_TYPES = {
    "t4": "nvidia-tesla-t4",
    "v100": "nvidia-tesla-v100",
    "l4": "nvidia-l4",
    "a100": "nvidia-tesla-a100",
    "h100": "nvidia-h100-80gb",
}
# Every accelerator type Compute Engine names (the "GPU machine types" page, 2025-06), the catalogued and the
# others: a construct given one of these is building something real, one outside it is a typo.
GCE_ACCELERATOR_TYPES = frozenset(
    {
        *ACCELERATOR_TYPES.values(),
        "nvidia-tesla-p4",
        "nvidia-tesla-p100",
        "nvidia-tesla-p4-vws",
        "nvidia-tesla-p100-vws",
        "nvidia-tesla-t4-vws",
        "nvidia-l4-vws",
        "nvidia-a100-80gb",
        "nvidia-h100-mega-80gb",
        "nvidia-h200-141gb",
        "nvidia-b200",
        "nvidia-gb200",
    }
)
# Accelerators attached to N1 machines (guest_accelerator), and how many one machine may carry;
# the others are built into their machine family (g2: L4, a2: A100, a3: H100).
ATTACHABLE_COUNTS = {"t4": (1, 2, 4), "v100": (1, 2, 4, 8)}

_T, _V, _L, _A, _H = "t4", "v100", "l4", "a100", "h100"
ZONE_ACCELERATORS: dict[str, frozenset[str]] = {
    "us-central1-a": frozenset({_T, _V, _L, _A, _H}),
    "us-central1-b": frozenset({_T, _V, _L, _A}),
    "us-central1-c": frozenset({_T, _V, _L, _A, _H}),
    "us-central1-f": frozenset({_T, _V, _A}),
    "us-east1-b": frozenset({_L}),
    "us-east1-c": frozenset({_T, _V}),
    "us-east1-d": frozenset({_T, _L}),
    "us-east4-a": frozenset({_T, _L, _H}),
    "us-east4-b": frozenset({_T}),
    "us-east4-c": frozenset({_T, _L, _A, _H}),
    "us-west1-a": frozenset({_T, _V, _L, _H}),
    "us-west1-b": frozenset({_T, _V, _L, _A}),
    "us-west1-c": frozenset({_L}),
    "us-west4-a": frozenset({_T, _L, _H}),
    "us-west4-b": frozenset({_A}),
    "us-west4-c": frozenset({_T, _L}),
    "europe-west1-b": frozenset({_T, _L}),
    "europe-west1-c": frozenset({_L}),
    "europe-west1-d": frozenset({_T}),
    "europe-west4-a": frozenset({_T, _V, _L, _A, _H}),
    "europe-west4-b": frozenset({_T, _V, _L, _A, _H}),
    "europe-west4-c": frozenset({_T, _L, _H}),
    "europe-west2-a": frozenset({_T}),
    "europe-west2-b": frozenset({_T, _L}),
    "asia-east1-a": frozenset({_T, _V, _L}),
    "asia-east1-c": frozenset({_T, _V, _L}),
    "asia-southeast1-a": frozenset({_T, _L, _A}),
    "asia-southeast1-b": frozenset({_T, _L, _A, _H}),
    "asia-southeast1-c": frozenset({_T, _L, _A}),
    "asia-northeast1-a": frozenset({_T, _L, _A}),
    "asia-northeast1-c": frozenset({_T, _L, _A}),
}

_REGIONS = frozenset(zone.rsplit("-", 1)[0] for zone in ZONE_ACCELERATORS)

_MACHINE_TYPES = (
    # General purpose (CPU only)
    MachineType("e2-standard-2", None, 0, 2, 8, 0.067),
    MachineType("e2-standard-4", None, 0, 4, 16, 0.134),
    MachineType("n2-standard-4", None, 0, 4, 16, 0.194),
    MachineType("n2-standard-8", None, 0, 8, 32, 0.389),
    MachineType("n1-standard-4", None, 0, 4, 15, 0.190),
    MachineType("n1-standard-8", None, 0, 8, 30, 0.380),
    MachineType("n1-standard-16", None, 0, 16, 60, 0.760),
    MachineType("n1-standard-32", None, 0, 32, 120, 1.520),
    # N1 with attached NVIDIA T4 (the seed's n1-standard-4 + T4) or V100; price includes the GPUs
    MachineType("n1-standard-4", _T, 1, 4, 15, 0.540),
    MachineType("n1-standard-8", _T, 2, 8, 30, 1.080),
    MachineType("n1-standard-16", _T, 4, 16, 60, 2.160),
    MachineType("n1-standard-8", _V, 1, 8, 30, 2.860),
    MachineType("n1-standard-16", _V, 2, 16, 60, 5.720),
    MachineType("n1-standard-32", _V, 4, 32, 120, 11.440),
    # G2: NVIDIA L4 built in
    MachineType("g2-standard-4", _L, 1, 4, 16, 0.707),
    MachineType("g2-standard-24", _L, 2, 24, 96, 2.000),
    MachineType("g2-standard-48", _L, 4, 48, 192, 4.000),
    MachineType("g2-standard-96", _L, 8, 96, 384, 8.000),
    # A2: NVIDIA A100 40 GB built in
    MachineType("a2-highgpu-1g", _A, 1, 12, 85, 3.673),
    MachineType("a2-highgpu-2g", _A, 2, 24, 170, 7.347),
    MachineType("a2-highgpu-4g", _A, 4, 48, 340, 14.694),
    MachineType("a2-highgpu-8g", _A, 8, 96, 680, 29.387),
    # A3: NVIDIA H100 80 GB built in
    MachineType("a3-highgpu-8g", _H, 8, 208, 1872, 88.250),
)

# What `gpulab cost` prices besides machine hours: the public pricing pages of Persistent Disk, Cloud NAT
# (per VM-hour up to 32 VMs, then per gateway-hour), external IPv4 addresses, Cloud Storage (Standard,
# regional), Cloud Logging, Cloud KMS (software and HSM key versions), snapshots and Cloud DNS, us-central1,
# 2025-06. Only us-central1 is priced.
_SERVICES = ServicePrices(
    regions=frozenset({"us-central1"}),
    as_of="2025-06",
    source="Google Cloud pricing pages (Compute Engine, Persistent Disk, Cloud NAT, Cloud Storage, Logging, KMS), "
    "us-central1",
    unit={
        "nat_vm_hour": 0.0014,
        "nat_gateway_hour_cap": 0.044,
        "nat_gateway_gb": 0.045,
        "public_ipv4_hour": 0.005,
        "object_storage_gb_month": 0.020,
        "logs_ingested_gb": 0.50,
        "snapshot_gb_month": 0.05,
        "kms_key_month:SOFTWARE": 0.06,
        "kms_key_month:HSM": 1.00,
        "dns_zone_month": 0.20,
    },
    disk_gb_month={"pd-balanced": 0.10, "pd-ssd": 0.17, "pd-standard": 0.04, "pd-extreme": 0.125},
    spot_discount=0.65,  # N1 + T4 Spot VMs in us-central1 typically 60-70 % off (Spot VM pricing, 2025-06)
)

GCP = CloudCatalog(
    cloud="GCP",
    regions=_REGIONS,
    machine_types=_MACHINE_TYPES,
    prices_as_of="2025-06",
    prices_source="Compute Engine on-demand pricing, us-central1",
    services=_SERVICES,
)


def zones_of(region: str) -> list[str]:
    """The catalogued zones of a region, sorted."""
    return sorted(z for z in ZONE_ACCELERATORS if z.rsplit("-", 1)[0] == region)


def zones_offering(region: str, gpu_types: set[str]) -> list[str]:
    """The zones of `region` that offer every accelerator in `gpu_types`, sorted."""
    return [z for z in zones_of(region) if gpu_types <= ZONE_ACCELERATORS[z]]


def attaches_gpus(machine_type: str) -> bool:
    """Whether GPUs are attached to this type (N1) rather than built into its family."""
    return machine_type.startswith("n1-")
