"""The shape of an estimate: priced lines, charges billed by use, and the environment's total."""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 730  # what the clouds' monthly figures assume: 24 h × 365 days / 12
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


@dataclass(frozen=True)
class CostLine:
    """One thing the stack builds and what it costs a month (None: no price for it in this region).

    category: machines, disks, network, storage, keys, dns or monitoring.
    quantity: how much of it, in words ("243 h (8 h/day)", "118 GB gp3").
    note: what the figure assumes, e.g. that a spot price is a typical discount.
    """

    category: str
    item: str
    quantity: str
    usd_per_month: float | None
    note: str = ""


@dataclass(frozen=True)
class ByUse:
    """A charge that depends on use the file cannot know (GB processed, ingested): its rate, not in the total."""

    item: str
    rate: str


@dataclass(frozen=True)
class Estimate:
    """One environment's monthly estimate.

    prices: the source and date of the prices; no_price: why nothing is
    priced (an unpriced region, a cloud that bills in other units), in which
    case every line's figure is None and there is no total.
    """

    environment: str
    cloud: str
    region: str
    lines: tuple[CostLine, ...]
    by_use: tuple[ByUse, ...]
    assumptions: tuple[str, ...]
    prices: str
    no_price: str | None = None

    @property
    def usd_per_month(self) -> float | None:
        """The total of the priced lines; None when nothing could be priced."""
        if self.no_price is not None:
            return None
        return round(sum(line.usd_per_month or 0.0 for line in self.lines), 2)

    @property
    def unpriced(self) -> list[CostLine]:
        """Lines the catalog has no price for (left out of the total)."""
        return [line for line in self.lines if line.usd_per_month is None]

    def subtotal(self, category: str) -> float:
        return round(sum(line.usd_per_month or 0.0 for line in self.lines if line.category == category), 2)
