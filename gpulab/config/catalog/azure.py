"""Azure regions and VM sizes.

Prices are approximate pay-as-you-go Linux prices in USD per hour in East US,
from the Azure Linux Virtual Machines pricing page in 2025-06; they are for
orientation in `gpulab list`, never for billing. GPU quotas ("Standard NCASv3_T4
Family vCPUs", "Standard NCADS_A100_v4 Family vCPUs", …) default to 0 in most
subscriptions and regions: a plan never catches that, an apply does.

The seed's NCv3 sizes (V100; the seed's table calls them K80) were retired by
Azure on 2025-09-30, like the K80 NC series before them: `retired` says what to
use instead.
"""

from __future__ import annotations

from gpulab.config.catalog.types import CloudCatalog, MachineType, ServicePrices

_REGIONS = frozenset(
    {
        "eastus",
        "eastus2",
        "centralus",
        "northcentralus",
        "southcentralus",
        "westcentralus",
        "westus",
        "westus2",
        "westus3",
        "canadacentral",
        "canadaeast",
        "brazilsouth",
        "mexicocentral",
        "northeurope",
        "westeurope",
        "uksouth",
        "ukwest",
        "francecentral",
        "germanywestcentral",
        "switzerlandnorth",
        "norwayeast",
        "swedencentral",
        "polandcentral",
        "italynorth",
        "spaincentral",
        "australiaeast",
        "australiasoutheast",
        "japaneast",
        "japanwest",
        "koreacentral",
        "southeastasia",
        "eastasia",
        "centralindia",
        "southindia",
        "uaenorth",
        "qatarcentral",
        "israelcentral",
        "southafricanorth",
        "newzealandnorth",
    }
)

_MACHINE_TYPES = (
    # General purpose (CPU only): the seed's headquarters (D4s_v3) and its test size (B1s).
    MachineType("Standard_B1s", None, 0, 1, 1, 0.0104),
    MachineType("Standard_B2s", None, 0, 2, 4, 0.0416),
    MachineType("Standard_B2ms", None, 0, 2, 8, 0.0832),
    MachineType("Standard_D2s_v3", None, 0, 2, 8, 0.096),
    MachineType("Standard_D4s_v3", None, 0, 4, 16, 0.192),
    MachineType("Standard_D8s_v3", None, 0, 8, 32, 0.384),
    MachineType("Standard_D2s_v5", None, 0, 2, 8, 0.096),
    MachineType("Standard_D4s_v5", None, 0, 4, 16, 0.192),
    MachineType("Standard_D8s_v5", None, 0, 8, 32, 0.384),
    MachineType("Standard_E4s_v5", None, 0, 4, 32, 0.252),
    # NVIDIA T4: NCasT4_v3
    MachineType("Standard_NC4as_T4_v3", "t4", 1, 4, 28, 0.526),
    MachineType("Standard_NC8as_T4_v3", "t4", 1, 8, 56, 0.752),
    MachineType("Standard_NC16as_T4_v3", "t4", 1, 16, 110, 1.204),
    MachineType("Standard_NC64as_T4_v3", "t4", 4, 64, 440, 4.352),
    # NVIDIA A10 (whole GPUs only; the smaller NVadsA10_v5 sizes are GPU slices)
    MachineType("Standard_NV36ads_A10_v5", "a10", 1, 36, 440, 3.20),
    MachineType("Standard_NV72ads_A10_v5", "a10", 2, 72, 880, 6.52),
    # NVIDIA A100 80 GB: NC A100 v4; 8 × A100 40 GB: ND A100 v4
    MachineType("Standard_NC24ads_A100_v4", "a100", 1, 24, 220, 3.673),
    MachineType("Standard_NC48ads_A100_v4", "a100", 2, 48, 440, 7.346),
    MachineType("Standard_NC96ads_A100_v4", "a100", 4, 96, 880, 14.692),
    MachineType("Standard_ND96asr_v4", "a100", 8, 96, 900, 27.197),
    # NVIDIA H100: NCads H100 v5 (H100 NVL) and ND H100 v5
    MachineType("Standard_NC40ads_H100_v5", "h100", 1, 40, 320, 6.98),
    MachineType("Standard_NC80adis_H100_v5", "h100", 2, 80, 640, 13.96),
    MachineType("Standard_ND96isr_H100_v5", "h100", 8, 96, 1900, 98.32),
)

_NCV3_RETIRED = "the NCv3 series (V100) was retired by Azure on 2025-09-30; use {instead}"
_NC_RETIRED = "the NC series (K80) was retired by Azure on 2023-09-06; use {instead}"

# Regions that sell each GPU series, from Azure's "Products available by region" (Virtual Machines,
# 2025-06). NCasT4_v3 (T4) is sold in every region above. Approximate and generous: a region missing
# here is an error in validate, so add one that sells a series (check with `az vm list-skus -l REGION`).
_SERIES_REGIONS = {
    "A10_v5": frozenset(
        {"eastus", "eastus2", "southcentralus", "westus2", "westus3", "northcentralus", "westeurope"}
        | {"northeurope", "uksouth", "swedencentral", "germanywestcentral", "japaneast", "australiaeast"}
        | {"southeastasia", "centralindia", "koreacentral", "canadacentral"}
    ),
    "A100_v4": frozenset(
        {"eastus", "eastus2", "southcentralus", "westus2", "westus3", "centralus", "westeurope"}
        | {"northeurope", "uksouth", "swedencentral", "francecentral", "japaneast", "australiaeast"}
        | {"southeastasia", "centralindia", "koreacentral", "canadacentral"}
    ),
    "asr_v4": frozenset(
        {"eastus", "eastus2", "southcentralus", "westus2", "westus3", "westeurope", "northeurope"}
        | {"uksouth", "japaneast", "australiaeast", "southeastasia"}
    ),
    "H100_v5": frozenset(
        {"eastus", "eastus2", "southcentralus", "westus3", "northcentralus", "swedencentral"}
        | {"westeurope", "uksouth", "francecentral", "japaneast", "australiaeast"}
    ),
}


def _series(size: str) -> str | None:
    """The series of a GPU size whose regions are limited, from its name."""
    for series in _SERIES_REGIONS:
        if size.endswith(series):
            return series
    return None


# What `gpulab cost` prices besides machine hours: the public pricing pages of Managed Disks (billed by the
# size tier a disk fits in), NAT Gateway, Public IP (Standard, static), Blob Storage (hot, by redundancy),
# Log Analytics (pay-as-you-go analytics logs), Key Vault (HSM-protected keys), Azure DNS and Azure
# Monitor alerts, East US, 2025-06. Only East US is priced.
_SERVICES = ServicePrices(
    regions=frozenset({"eastus"}),
    as_of="2025-06",
    source="Azure pay-as-you-go pricing pages (Virtual Machines, Managed Disks, Bandwidth, Storage, Monitor), East US",
    unit={
        "nat_gateway_hour": 0.045,
        "nat_gateway_gb": 0.045,
        "public_ipv4_hour": 0.005,
        "object_storage_gb_month:LRS": 0.018,
        "object_storage_gb_month:ZRS": 0.0225,
        "object_storage_gb_month:GRS": 0.036,
        "object_storage_gb_month:RAGRS": 0.046,
        "object_storage_gb_month:GZRS": 0.0405,
        "object_storage_gb_month:RAGZRS": 0.0518,
        "logs_ingested_gb": 2.30,
        "flow_logs_gb": 0.50,
        "snapshot_gb_month": 0.05,
        "hsm_key_month": 1.00,
        "metric_alert_month": 0.10,
        "log_alert_month": 0.50,  # one log search rule evaluated every 15 minutes
        "dns_zone_month": 0.50,
    },
    disk_tiers={
        "Premium_LRS": (
            (4, 0.77),
            (8, 1.54),
            (16, 3.01),
            (32, 5.28),
            (64, 10.21),
            (128, 19.71),
            (256, 38.02),
            (512, 73.22),
            (1024, 135.17),
            (2048, 259.05),
            (4096, 495.57),
            (8192, 946.08),
            (16384, 1802.24),
            (32767, 3604.48),
        ),
        "StandardSSD_LRS": (
            (4, 0.30),
            (8, 0.60),
            (16, 1.20),
            (32, 2.40),
            (64, 4.80),
            (128, 9.60),
            (256, 19.20),
            (512, 38.40),
            (1024, 76.80),
            (2048, 153.60),
            (4096, 307.20),
            (8192, 614.40),
            (16384, 1228.80),
            (32767, 2457.60),
        ),
        "Standard_LRS": (
            (32, 1.54),
            (64, 3.01),
            (128, 5.89),
            (256, 11.33),
            (512, 21.76),
            (1024, 40.96),
            (2048, 77.83),
            (4096, 143.36),
            (8192, 262.14),
            (16384, 524.29),
            (32767, 1048.58),
        ),
    },
    spot_discount=0.65,  # NCasT4_v3 and D-series spot in East US typically 60-80 % off (Azure Spot pricing, 2025-06)
)

AZURE = CloudCatalog(
    cloud="Azure",
    regions=_REGIONS,
    machine_types=_MACHINE_TYPES,
    prices_as_of="2025-06",
    prices_source="Azure Linux VM pay-as-you-go pricing, East US",
    offered_in={m.name: _SERIES_REGIONS[s] for m in _MACHINE_TYPES if (s := _series(m.name))},
    services=_SERVICES,
    # Their last pay-as-you-go prices in East US: the seed's table (NC6s_v3 "~$0.94/hr") quotes the K80 NC
    # series' prices under the V100 NCv3 names.
    retired_prices={
        "Standard_NC6s_v3": 3.06,
        "Standard_NC12s_v3": 6.12,
        "Standard_NC24s_v3": 12.24,
        "Standard_NC24rs_v3": 13.46,
        "Standard_NC6": 0.90,
        "Standard_NC12": 1.80,
        "Standard_NC24": 3.60,
    },
    retired={
        "Standard_NC6s_v3": _NCV3_RETIRED.format(instead="Standard_NC4as_T4_v3 or Standard_NC24ads_A100_v4"),
        "Standard_NC12s_v3": _NCV3_RETIRED.format(instead="Standard_NC64as_T4_v3 or Standard_NC48ads_A100_v4"),
        "Standard_NC24s_v3": _NCV3_RETIRED.format(instead="Standard_NC96ads_A100_v4"),
        "Standard_NC24rs_v3": _NCV3_RETIRED.format(instead="Standard_NC96ads_A100_v4"),
        "Standard_NC6": _NC_RETIRED.format(instead="Standard_NC4as_T4_v3"),
        "Standard_NC12": _NC_RETIRED.format(instead="Standard_NC64as_T4_v3"),
        "Standard_NC24": _NC_RETIRED.format(instead="Standard_NC64as_T4_v3"),
    },
)
