"""The shape of a cloud's catalog: machine types and the questions asked of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MachineType:
    """One machine type: its accelerator (if any), how many, and an hourly price."""

    name: str
    gpu: str | None
    gpu_count: int
    vcpus: int
    memory_gib: int
    usd_per_hour: float


@dataclass(frozen=True)
class ServicePrices:
    """What a cloud charges besides machine hours, and the regions where the catalog's prices are list prices.

    regions: where these unit prices and the machine types' hourly prices
    hold; `gpulab cost` prices no other region (it says so, never guesses).
    disk_gb_month: USD per GB-month by disk type, for clouds that bill disks by the GB.
    disk_tiers: for clouds that bill a disk by the size tier it fits in (Azure
    managed disks), by disk type: (tier size in GiB, USD a month), ascending.
    unit: named unit prices in USD; the cloud's cost module reads the names it knows.
    spot_discount: the typical fraction a spot machine costs less than on
    demand; spot prices move, so `gpulab cost` labels what it derives from it.
    """

    regions: frozenset[str]
    as_of: str
    source: str
    unit: Mapping[str, float]
    spot_discount: float
    disk_gb_month: Mapping[str, float] = field(default_factory=dict)
    disk_tiers: Mapping[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)

    def spot_hourly(self, on_demand: float, max_price: float | None = None) -> float:
        """A spot machine's typical hourly price: the discount off `on_demand`, at most the `max_price` cap if set."""
        typical = on_demand * (1 - self.spot_discount)
        return min(typical, max_price) if max_price else typical

    @property
    def spot_label(self) -> str:
        """How a spot price derived from the discount is labelled: `a typical 65% below on demand`."""
        return f"a typical {self.spot_discount:.0%} below on demand"


@dataclass(frozen=True)
class CloudCatalog:
    """Regions and machine types of one cloud, and where their prices come from.

    retired: machine types the cloud no longer offers, each with the reason
    and what to use instead, so an old file gets a useful error.
    offered_in: for machine types sold in some regions only, those regions;
    a type not listed is offered in every region of the catalog.
    priced: whether the prices are dollars (Chameleon charges service units: its prices are 0, not free).
    services: the prices of disks, networking, storage and the rest, and the
    regions where the catalog's prices hold (None: no dollar prices).
    retired_prices: the last on-demand price per hour of retired machine
    types, in the reference region, to compare an old plan with its successor.
    """

    cloud: str
    regions: frozenset[str]
    machine_types: tuple[MachineType, ...]
    prices_as_of: str
    prices_source: str
    retired: dict[str, str] = field(default_factory=dict)
    offered_in: dict[str, frozenset[str]] = field(default_factory=dict)
    priced: bool = True
    services: ServicePrices | None = None
    retired_prices: dict[str, float] = field(default_factory=dict)

    def priced_in(self, region: str) -> bool:
        """Whether the catalog's prices hold in `region` (its list prices are the same as the reference region's)."""
        return self.priced and self.services is not None and region in self.services.regions

    def no_price_in(self, region: str) -> str | None:
        """Why the catalog gives no dollar prices for `region`, in a line; None where its prices hold."""
        if not self.priced:
            return self.prices_source
        if self.priced_in(region):
            return None
        known = ", ".join(sorted(self.services.regions)) if self.services else "none"
        return f"no prices for region {region}: the catalog prices {known}"

    def machine(self, name: str, gpu: str | None = None, gpu_count: int = 0) -> MachineType | None:
        """The machine type called `name` (carrying `gpu_count` × `gpu` where a type comes in several), or None."""
        named = [m for m in self.machine_types if m.name == name]
        exact = [m for m in named if (m.gpu, m.gpu_count) == (gpu, gpu_count)]
        return (exact or named or [None])[0]

    def machine_names(self) -> list[str]:
        """Every machine type name, once each."""
        return list(dict.fromkeys(m.name for m in self.machine_types))

    def gpu_types(self) -> list[str]:
        """The accelerator names an environment on this cloud may ask for, sorted."""
        return sorted({m.gpu for m in self.machine_types if m.gpu})

    def gpu_counts(self, gpu: str) -> list[int]:
        """How many of `gpu` one machine can carry, ascending."""
        return sorted({m.gpu_count for m in self.machine_types if m.gpu == gpu})

    def machine_for_gpu(self, gpu: str, count: int) -> MachineType | None:
        """The cheapest machine type with exactly `count` of `gpu`, or None."""
        fits = [m for m in self.machine_types if m.gpu == gpu and m.gpu_count == count]
        return min(fits, key=lambda m: m.usd_per_hour, default=None)

    def offered(self, name: str, region: str) -> bool:
        """Whether machine type `name` is sold in `region` (as far as the catalog knows)."""
        regions = self.offered_in.get(name)
        return regions is None or region in regions

    def regions_offering(self, name: str) -> list[str]:
        """The catalog's regions that sell machine type `name`, sorted."""
        return sorted(self.offered_in.get(name, self.regions))
