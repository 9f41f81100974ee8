"""`gpulab diff`'s result: per environment, the stack changes and the monthly compute cost on both sides.

Rendered as text for a terminal, Markdown for a pull-request comment and
JSON for other tools; `gates` says which `--fail-on` conditions it trips.
Values are shown shortened (long ones) and masked (arguments whose names
say secret), so a report can be posted where the stacks cannot.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from gpulab.cost.compute import ComputeCost
from gpulab.review.findings import FindingsDiff
from gpulab.review.stack_diff import MISSING, ArgumentChange, ResourceChange, StackDiff

GATES = ("data-loss", "replace", "new-findings")
LONG_VALUE = 80
SENSITIVE = re.compile(r"(password|secret|token|private_key|key_material|connection_string|access_key|sas)", re.I)
ICONS = {"create": "+", "delete": "-", "update": "~", "replace": "-/+"}


@dataclass
class EnvironmentReport:
    diff: StackDiff
    base_cost: ComputeCost
    head_cost: ComputeCost

    @property
    def cost_delta(self) -> float:
        return round(self.head_cost.usd_per_month - self.base_cost.usd_per_month, 2)


@dataclass
class DiffReport:
    base: str
    environments: list[EnvironmentReport]
    findings: FindingsDiff | None = None  # None: not scanned
    seconds: float = 0.0

    def gates(self, asked: list[str]) -> list[str]:
        """The `--fail-on` conditions among `asked` that this change trips, each with why."""
        tripped = []
        lost = [r.address for e in self.environments for r in e.diff.data_loss]
        replaced = [r.address for e in self.environments for r in e.diff.replacements]
        if "data-loss" in asked and lost:
            tripped.append(f"data-loss: {len(lost)} resource(s) holding data destroyed or replaced")
        if "replace" in asked and replaced:
            tripped.append(f"replace: {len(replaced)} resource(s) replaced")
        if "new-findings" in asked and self.findings and self.findings.added:
            tripped.append(f"new-findings: {len(self.findings.added)} new checkov finding(s)")
        return tripped


def show(value: object) -> str:
    """A value as a reviewer should see it: JSON, long ones shortened to their ends and length."""
    if value is MISSING:
        return "(not set)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if len(text) > LONG_VALUE:
        return f"{text[:40]}…{text[-20:]} ({len(text)} chars)"
    return json.dumps(text) if isinstance(value, str) else text


def _shortened(value: object) -> object:
    """`value` itself, or its shortened text when its JSON is long."""
    return show(value) if len(json.dumps(value)) > LONG_VALUE else value


def show_change(change: ArgumentChange) -> str:
    if SENSITIVE.search(change.path):
        return f"{change.path}: (sensitive value changed)"
    marker = "  # forces replacement" if change.replaces else ""
    return f"{change.path}: {show(change.old)} → {show(change.new)}{marker}"


def explain(resource: ResourceChange) -> str:
    """Why this change matters, in one line (empty when it is an ordinary create or update)."""
    parts = []
    if resource.renamed_to:
        parts.append(f"address change to {resource.renamed_to}: would destroy and recreate")
    if resource.moved_from and resource.action == "create":
        parts.append(
            f"address change from {resource.moved_from}: would destroy and recreate (a `moved` block keeps it)"
        )
    elif resource.moved_from:
        parts.append(f"moved from {resource.moved_from}")
    if resource.replaced_because:
        parts.append(resource.replaced_because)
    if resource.data_loss:
        parts.append(f"DATA LOSS: {resource.holds}")
    if resource.protected and resource.action in ("delete", "replace"):
        parts.append("prevent_destroy is set: the apply will fail here")
    return "; ".join(parts)


def render_text(report: DiffReport) -> str:
    lines = [f"gpulab diff: {report.base} → working tree"]
    for env in report.environments:
        lines.append("")
        lines.append(_headline(env))
        for resource in env.diff.resources:
            note = explain(resource)
            lines.append(f"  {ICONS[resource.action]:>3} {resource.address}" + (f"  ({note})" if note else ""))
            lines += [f"        {show_change(c)}" for c in resource.changes]
        for change in env.diff.outputs:
            lines.append(f"    output {show_change(change)}")
        for change in env.diff.settings:
            lines.append(f"    setting {show_change(change)}")
    lines += _findings_lines(report)
    return "\n".join(lines)


def _headline(env: EnvironmentReport) -> str:
    diff = env.diff
    if not diff.base_exists:
        state = "new environment"
    elif not diff.head_exists:
        state = "environment removed"
    elif diff.unchanged:
        state = "no changes"
    else:
        counts = diff.counts()
        state = ", ".join(f"{n} to {action}" for action, n in counts.items() if n) or "settings only"
    cost = _cost_text(env)
    return f"{diff.name}: {state}; {cost}"


def _cost_text(env: EnvironmentReport) -> str:
    base, head = env.base_cost.usd_per_month, env.head_cost.usd_per_month
    text = f"compute ${base:,.0f} → ${head:,.0f}/month ({env.cost_delta:+,.0f})"
    unpriced = env.head_cost.unpriced
    if unpriced:
        text += f", {len(unpriced)} machine(s) unpriced"
    return text


def _findings_lines(report: DiffReport, bullet: str = "  ") -> list[str]:
    if report.findings is None:
        return ["", "checkov: not run (--scan compares findings)"]
    lines = ["", f"checkov: {len(report.findings.added)} new finding(s), {len(report.findings.fixed)} fixed"]
    if report.findings.waived_added:
        lines[-1] += f", {report.findings.waived_added} new but waived"
    lines += [f"{bullet}new:   {f}" for f in report.findings.added]
    lines += [f"{bullet}fixed: {f}" for f in report.findings.fixed]
    return lines


def render_markdown(report: DiffReport) -> str:
    lines = [f"### gpulab diff: `{report.base}` → this change", ""]
    lines += [
        "| environment | create | update | replace | delete | data loss | compute / month |",
        "|---|---|---|---|---|---|---|",
    ]
    for env in report.environments:
        counts, diff = env.diff.counts(), env.diff
        cost = f"${env.base_cost.usd_per_month:,.0f} → ${env.head_cost.usd_per_month:,.0f} ({env.cost_delta:+,.0f})"
        lost = f"**{len(diff.data_loss)}**" if diff.data_loss else "0"
        row = [diff.name, *(str(counts[a]) for a in ("create", "update", "replace", "delete")), lost, cost]
        lines.append("| " + " | ".join(row) + " |")
    for env in report.environments:
        if env.diff.unchanged:
            continue
        warnings = [r for r in env.diff.resources if explain(r)]
        lines += ["", f"#### {env.diff.name}"]
        lines += [f"- :warning: `{r.address}` ({r.action}): {explain(r)}" for r in warnings]
        body = [
            f"{ICONS[r.action]} {r.address}" + "".join(f"\n    {show_change(c)}" for c in r.changes)
            for r in env.diff.resources
        ]
        body += [f"output {show_change(c)}" for c in env.diff.outputs]
        body += [f"setting {show_change(c)}" for c in env.diff.settings]
        lines += ["", "<details><summary>every change</summary>", "", "```diff", *body, "```", "", "</details>"]
    lines += [
        "",
        *_findings_lines(report, bullet="- "),
    ]
    lines += [
        "",
        f"Compute priced always on (spot at a typical discount) from {_price_sources(report)}. Offline: no plan ran.",
    ]
    return "\n".join(lines)


def _price_sources(report: DiffReport) -> str:
    sources = dict.fromkeys(env.head_cost.prices for env in report.environments if env.head_cost.machines)
    return "; ".join(sources) or "the catalog"


def render_json(report: DiffReport) -> str:
    def change(c: ArgumentChange) -> dict:
        masked = SENSITIVE.search(c.path) is not None
        old = None if c.old is MISSING or masked else _shortened(c.old)
        new = None if c.new is MISSING or masked else _shortened(c.new)
        return {"path": c.path, "old": old, "new": new, "replaces": c.replaces, "masked": masked}

    data = {
        "base": report.base,
        "seconds": round(report.seconds, 2),
        "environments": [
            {
                "name": env.diff.name,
                "exists": {"base": env.diff.base_exists, "head": env.diff.head_exists},
                "counts": env.diff.counts(),
                "resources": [
                    {
                        "address": r.address,
                        "action": r.action,
                        "data_loss": r.data_loss,
                        "holds": r.holds,
                        "protected": r.protected,
                        "moved_from": r.moved_from,
                        "renamed_to": r.renamed_to,
                        "replaced_because": r.replaced_because,
                        "changes": [change(c) for c in r.changes],
                    }
                    for r in env.diff.resources
                ],
                "outputs": [change(c) for c in env.diff.outputs],
                "settings": [change(c) for c in env.diff.settings],
                "compute_usd_per_month": {
                    "base": round(env.base_cost.usd_per_month, 2),
                    "head": round(env.head_cost.usd_per_month, 2),
                    "delta": env.cost_delta,
                    "prices": env.head_cost.prices,
                    "unpriced": [m.address for m in env.head_cost.unpriced],
                },
            }
            for env in report.environments
        ],
        "findings": None
        if report.findings is None
        else {
            "added": [str(f) for f in report.findings.added],
            "fixed": [str(f) for f in report.findings.fixed],
            "waived_added": report.findings.waived_added,
        },
    }
    return json.dumps(data, indent=2, default=str)


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
