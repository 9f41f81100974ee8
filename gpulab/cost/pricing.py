"""What the per-cloud cost modules share: a catalog's prices for one region, and the lines they add."""

from __future__ import annotations

from gpulab.config.catalog import CloudCatalog
from gpulab.config.model import Environment
from gpulab.cost.lines import HOURS_PER_MONTH, ByUse, CostLine
from gpulab.cost.usage import MachineUsage, Usage


class Pricer:
    """Collects an estimate's lines at `catalog`'s prices for the environment's region (None where they do not hold)."""

    def __init__(self, catalog: CloudCatalog, env: Environment, usage: MachineUsage) -> None:
        self.catalog = catalog
        self.env = env
        self.usage = usage
        self.services = catalog.services
        self.priced = catalog.priced_in(env.region)
        self.lines: list[CostLine] = []
        self.by_use: dict[str, ByUse] = {}

    def unit(self, name: str) -> float | None:
        """The unit price called `name`, or None where the region is not priced."""
        return self.services.unit[name] if self.priced and self.services else None

    def add(self, category: str, item: str, quantity: str, usd: float | None, note: str = "") -> None:
        self.lines.append(CostLine(category, item, quantity, None if usd is None else round(usd, 2), note))

    def add_hourly(self, category: str, item: str, unit_name: str, hours: float = HOURS_PER_MONTH) -> None:
        """A line billed by the hour at unit price `unit_name`, for `hours` a month."""
        rate = self.unit(unit_name)
        self.add(category, item, f"{hours:,.0f} h", None if rate is None else rate * hours)

    def add_monthly(self, category: str, item: str, unit_name: str, count: int = 1) -> None:
        """`count` of a thing billed by the month at unit price `unit_name`."""
        rate = self.unit(unit_name)
        self.add(category, item, f"{count}", None if rate is None else rate * count)

    def add_by_use(self, item: str, unit_name: str, per: str) -> None:
        """A charge by use (once per item), shown with its rate and left out of the total."""
        rate = self.unit(unit_name)
        self.by_use[item] = ByUse(item, "no price in this region" if rate is None else f"{rate_text(rate)} per {per}")

    def add_machine(
        self,
        item: str,
        usage: Usage,
        machine_type: str,
        *,
        gpu: str | None = None,
        gpu_count: int = 0,
        spot: bool = False,
        max_price: float | None = None,
    ) -> float:
        """A machine line for `usage`'s hours; returns its hours (public addresses and NAT are billed for them)."""
        known = self.catalog.machine(machine_type, gpu, gpu_count)
        hourly = known.usd_per_hour if known and self.priced else None
        note = "" if known else f"no price for {machine_type} in the catalog"
        if hourly is not None and spot and self.services:
            hourly = self.services.spot_hourly(hourly, max_price)
            note = f"spot: {self.services.spot_label}; spot prices move"
        if usage.hours_per_month == 0 and hourly is not None:
            note = f"{rate_text(round(hourly, 4))} per hour of runs"
        usd = None if hourly is None else hourly * usage.hours_per_month
        self.add("machines", f"{item} ({machine_type})", usage.quantity, usd, note)
        return usage.hours_per_month

    def add_disk_by_gb(self, item: str, size_gb: float, disk_type: str) -> None:
        """A disk billed by the GB-month of its type."""
        rate = self.services.disk_gb_month.get(disk_type) if self.priced and self.services else None
        note = "" if rate is not None or not self.priced else f"no price for disk type {disk_type}"
        self.add("disks", item, f"{size_gb:g} GB {disk_type}", None if rate is None else rate * size_gb, note)

    def add_disk_by_tier(self, item: str, size_gb: int, disk_type: str) -> None:
        """A disk billed by the smallest size tier of its type that holds it (Azure managed disks)."""
        tiers = self.services.disk_tiers.get(disk_type, ()) if self.priced and self.services else ()
        tier = next(((size, usd) for size, usd in tiers if size >= size_gb), None)
        if tier is None:
            note = f"no price for disk type {disk_type}" if self.priced else ""
            self.add("disks", item, f"{size_gb} GB {disk_type}", None, note)
            return
        self.add("disks", item, f"{size_gb} GB {disk_type} (billed as {tier[0]} GiB)", tier[1])

    def add_bucket(self, item: str, expected_gb: float | None, unit_name: str) -> None:
        """Object storage at `unit_name` per GB-month, for the expected size the file gives (else by use)."""
        rate = self.unit(unit_name)
        if expected_gb is None:
            self.add("storage", item, "size not given", 0.0 if rate is not None else None, "add expected_gb")
            return
        self.add("storage", item, f"{expected_gb:g} GB expected", None if rate is None else rate * expected_gb)

    def expected_gb(self, bucket_name: str) -> float | None:
        """The expected size the file gives bucket `bucket_name` (its `name:` in the file), if any."""
        return next((b.expected_gb for b in self.env.buckets if b.name == bucket_name), None)


def rate_text(usd: float) -> str:
    """A unit price with the cents it needs: $0.50, $0.045, $0.0014."""
    whole, _, cents = f"{usd:.4f}".rstrip("0").partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


def resources(stack: dict, resource_type: str) -> list[tuple[str, dict]]:
    """The (name, arguments) of every resource of `resource_type` in a synthesized stack."""
    return list(((stack.get("resource") or {}).get(resource_type) or {}).items())
