"""`gpulab cost`'s three forms of a list of estimates: an aligned table, Markdown (the plan-review comment's), JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from gpulab.cost.lines import CostLine, Estimate

CATEGORY_ORDER = ("machines", "disks", "network", "storage", "keys", "dns", "monitoring")


def _money(usd: float | None) -> str:
    return "no price" if usd is None else f"${usd:,.2f}"


def _heading(estimate: Estimate) -> str:
    total = estimate.usd_per_month
    figure = f"≈ {_money(total)} a month" if total is not None else estimate.no_price
    return f"{estimate.environment} ({estimate.cloud}, {estimate.region}): {figure}"


def _ordered(estimate: Estimate) -> list[CostLine]:
    rank = {category: index for index, category in enumerate(CATEGORY_ORDER)}
    return sorted(estimate.lines, key=lambda line: rank.get(line.category, len(rank)))


def _unpriced_note(estimate: Estimate) -> list[str]:
    if estimate.no_price is None and estimate.unpriced:
        return [f"not in the total (no price): {', '.join(line.item for line in estimate.unpriced)}"]
    return []


def table(estimates: list[Estimate]) -> str:
    """Plain text for a terminal: a block per environment, columns aligned."""
    blocks = []
    for estimate in estimates:
        rows = [
            (line.category, line.item, line.quantity, _money(line.usd_per_month), line.note)
            for line in _ordered(estimate)
        ]
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
        lines = [_heading(estimate)]
        for category, item, quantity, money, note in rows:
            text = f"  {category:<{widths[0]}}  {item:<{widths[1]}}  {quantity:<{widths[2]}}  {money:>{widths[3]}}"
            lines.append(f"{text}  {note}".rstrip())
        if estimate.usd_per_month is not None:
            lines.append(f"  {'total':<{sum(widths[:3]) + 4}}  {_money(estimate.usd_per_month):>{widths[3]}}")
        lines += [f"  {note}" for note in _unpriced_note(estimate)]
        if estimate.by_use:
            lines.append("  by use, not in the total: " + "; ".join(f"{b.item} {b.rate}" for b in estimate.by_use))
        lines.append(f"  prices: {estimate.prices}")
        lines += [f"  assumes: {assumption}" for assumption in estimate.assumptions]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def markdown(estimates: list[Estimate]) -> str:
    """A section per environment, as the plan-review comment shows it."""
    parts = ["## Monthly estimate", ""]
    for estimate in estimates:
        parts += [f"### {_heading(estimate)}", "", "| | item | quantity | per month | note |", "|---|---|---|--:|---|"]
        for line in _ordered(estimate):
            parts.append(
                f"| {line.category} | {_cell(line.item)} | {_cell(line.quantity)} | {_money(line.usd_per_month)} | "
                f"{_cell(line.note)} |"
            )
        if estimate.usd_per_month is not None:
            parts.append(f"| **total** | | | **{_money(estimate.usd_per_month)}** | |")
        parts.append("")
        parts += [f"{note}." for note in _unpriced_note(estimate)]
        if estimate.by_use:
            parts.append(
                "By use, not in the total: " + "; ".join(f"{b.item} ({b.rate})" for b in estimate.by_use) + "."
            )
        parts += [f"Prices: {estimate.prices}.", ""]
    if estimates:
        parts += ["Assumes: " + "; ".join(estimates[0].assumptions) + ".", ""]
    return "\n".join(parts)


def as_json(estimates: list[Estimate]) -> str:
    """Every estimate with its lines and total, for tools."""
    documents = []
    for estimate in estimates:
        document = asdict(estimate)
        document["usd_per_month"] = estimate.usd_per_month
        documents.append(document)
    return json.dumps({"estimates": documents}, indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


RENDERERS: dict[str, Callable[[list[Estimate]], str]] = {"table": table, "markdown": markdown, "json": as_json}
