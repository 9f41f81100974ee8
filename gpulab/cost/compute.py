"""The monthly compute cost of a synthesized stack: its machines, always on, at the catalog's prices.

An estimate for comparing two versions of a stack (`gpulab diff`), not a
bill: every machine is priced for a whole month (730 hours), whether a
schedule or idle stop will stop it, at the catalog's prices for the stack's
region, spot machines at the catalog's typical spot discount. A machine type
the catalog does not price, or a region it has no prices for, leaves the
machine unpriced, never guessed. `gpulab cost` prices the whole stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpulab.config.catalog import CloudCatalog, for_cloud
from gpulab.config.catalog.gcp import ACCELERATOR_TYPES

HOURS_PER_MONTH = 730
_GPU_NAMES = {accelerator: name for name, accelerator in ACCELERATOR_TYPES.items()}
MACHINE_TYPES = {  # resource type → (cloud, argument naming its machine type)
    "aws_instance": ("aws", "instance_type"),
    "azurerm_linux_virtual_machine": ("azure", "size"),
    "google_compute_instance": ("gcp", "machine_type"),
}


@dataclass(frozen=True)
class MachineCost:
    """One machine of a stack and what it costs a month, always on (None: the catalog has no price)."""

    address: str
    machine_type: str
    usd_per_month: float | None
    spot: bool


@dataclass(frozen=True)
class ComputeCost:
    """Every machine of one stack, and where its prices come from."""

    machines: tuple[MachineCost, ...]
    prices: str  # source and date, e.g. "AWS EC2 On-Demand pricing, us-east-1, Linux (2025-06)"

    @property
    def usd_per_month(self) -> float:
        return sum(m.usd_per_month or 0.0 for m in self.machines)

    @property
    def unpriced(self) -> list[MachineCost]:
        return [m for m in self.machines if m.usd_per_month is None]


def stack_compute_cost(stack: dict) -> ComputeCost:
    """The machines of `stack` (a cdk.tf.json as a dict) priced a month each, always on."""
    machines, catalogs = [], []
    for resource_type, (cloud, argument) in MACHINE_TYPES.items():
        for name, config in ((stack.get("resource") or {}).get(resource_type) or {}).items():
            catalog = for_cloud(cloud)
            catalogs.append(catalog)
            machine_type = str(config.get(argument))
            gpu, count = attached_gpu(config)
            priced = catalog.machine(machine_type, gpu, count) if catalog.priced_in(_region(stack, cloud)) else None
            spot = is_spot(config)
            hourly = None if priced is None else priced.usd_per_hour
            if hourly is not None and spot and catalog.services:
                hourly = catalog.services.spot_hourly(hourly)
            monthly = None if hourly is None else round(hourly * HOURS_PER_MONTH, 2)
            machines.append(MachineCost(f"{resource_type}.{name}", machine_type, monthly, spot))
    return ComputeCost(tuple(machines), _prices(catalogs))


def _region(stack: dict, cloud: str) -> str:
    """The region a stack builds in: its provider's (AWS, Google Cloud) or its resource group's location (Azure)."""
    if cloud == "azure":
        groups = ((stack.get("resource") or {}).get("azurerm_resource_group") or {}).values()
        return next((str(group.get("location")) for group in groups), "")
    provider = {"aws": "aws", "gcp": "google"}[cloud]
    blocks = (stack.get("provider") or {}).get(provider) or [{}]
    return str(blocks[0].get("region", ""))


def attached_gpu(config: dict) -> tuple[str | None, int]:
    """A Compute Engine instance's attached accelerator, as the catalog names it; (None, 0) elsewhere."""
    attached = config.get("guest_accelerator") or []
    if not attached or not isinstance(attached[0], dict):
        return None, 0
    first = attached[0]
    return _GPU_NAMES.get(str(first.get("type")), str(first.get("type"))), int(first.get("count") or 0)


def is_spot(config: dict) -> bool:
    market = config.get("instance_market_options") or {}
    scheduling = config.get("scheduling") or {}
    return (
        (market.get("market_type") if isinstance(market, dict) else None) == "spot"
        or config.get("priority") == "Spot"
        or (scheduling.get("provisioning_model") if isinstance(scheduling, dict) else None) == "SPOT"
    )


def _prices(catalogs: list[CloudCatalog]) -> str:
    sources = dict.fromkeys(f"{c.prices_source} ({c.prices_as_of})" for c in catalogs)
    return "; ".join(sources) or "no machines"
