"""Read what Terraform plans: `terraform show -json PLAN` files and `terraform plan -json` logs.

A plan file says, per resource, the actions (`create`, `update`,
`delete`+`create` for a replacement, `delete`), why (`action_reason`), which
paths force a replacement (`replace_paths`), and what changed outside
Terraform (`resource_drift`). A plan that fails writes no plan file; its
errors are in the machine-readable log of `terraform plan -json`, one JSON
object a line, as `diagnostic` messages. `gpulab plan-report` takes either,
one per stack (the stack is the file's folder name, or its stem).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gpulab.review.diff_report import ICONS, show_change
from gpulab.review.replacements import held_data, loses_data
from gpulab.review.stack_diff import ArgumentChange, argument_changes


class PlanFileError(ValueError):
    """The file is neither a plan's JSON nor a plan's JSON log; the message says why."""


@dataclass(frozen=True)
class PlannedChange:
    address: str
    resource_type: str
    action: str  # create, update, replace, delete, read
    reason: str | None
    changes: tuple[ArgumentChange, ...] = ()
    replace_paths: tuple[str, ...] = ()

    @property
    def holds(self) -> str | None:
        """What data the resource holds, for the types that hold some."""
        return held_data(self.resource_type)

    @property
    def data_loss(self) -> bool:
        """Deleting or replacing a resource that holds data."""
        return loses_data(self.resource_type, self.action)


@dataclass
class StackPlan:
    """One stack's plan: its changes (data loss first), drift, and errors."""

    stack: str
    changes: list[PlannedChange] = field(default_factory=list)
    drift: list[PlannedChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {a: sum(c.action == a for c in self.changes) for a in ("create", "update", "replace", "delete")}


def _action(actions: list[str]) -> str | None:
    if actions in (["delete", "create"], ["create", "delete"]):
        return "replace"
    if len(actions) == 1 and actions[0] in ("create", "update", "delete", "read"):
        return actions[0]
    return None  # no-op


def _changed(entry: dict) -> PlannedChange | None:
    change = entry.get("change") or {}
    action = _action(list(change.get("actions") or []))
    if action is None:
        return None
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    shown = action in ("update", "replace")
    arguments = tuple(argument_changes(before, {**after, **_known_after_apply(unknown)})) if shown else ()
    paths = tuple(".".join(str(p) for p in path) for path in change.get("replace_paths") or [])
    return PlannedChange(entry["address"], entry.get("type", ""), action, entry.get("action_reason"), arguments, paths)


def _known_after_apply(unknown: dict) -> dict:
    """after_unknown's `true` leaves, shown as such: their values exist only after the apply."""
    return {key: "(known after apply)" for key, value in unknown.items() if value is True}


def _order(change: PlannedChange) -> tuple:
    rank = {"replace": 1, "delete": 2, "update": 3, "create": 4, "read": 5}[change.action]
    return (0 if change.data_loss else rank, change.address)


def read_plan(path: Path) -> StackPlan:
    """The stack plan in `path`: a `terraform show -json` document or a `terraform plan -json` log."""
    stack = path.parent.name if path.stem in ("plan", "tfplan") else path.stem
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanFileError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        document = json.loads(text)
    except ValueError:
        return _read_log(stack, path, text)
    if not isinstance(document, dict) or "format_version" not in document:
        if isinstance(document, dict) and "@level" in document:
            return _read_log(stack, path, text)
        raise PlanFileError(f"{path}: not a plan (write it with `terraform show -json PLAN > {path.name}`)")
    plan = StackPlan(stack)
    plan.changes = sorted(filter(None, map(_changed, document.get("resource_changes") or [])), key=_order)
    plan.drift = sorted(filter(None, map(_changed, document.get("resource_drift") or [])), key=_order)
    if document.get("errored"):
        plan.errors.append("the plan stopped at an error (run terraform plan for its message)")
    return plan


def _read_log(stack: str, path: Path, text: str) -> StackPlan:
    plan = StackPlan(stack)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            raise PlanFileError(f"{path}:{number}: neither a plan's JSON nor a `terraform plan -json` log") from None
        if message.get("type") == "diagnostic" and message.get("@level") == "error":
            diagnostic = message.get("diagnostic") or {}
            where = (diagnostic.get("range") or {}).get("filename")
            detail = diagnostic.get("detail") or ""
            plan.errors.append(
                f"{diagnostic.get('summary', message.get('@message'))}"
                + (f" ({where})" if where else "")
                + (f": {detail}" if detail else "")
            )
        elif message.get("type") in ("planned_change", "resource_drift"):
            change = message.get("change") or {}
            resource = change.get("resource") or {}
            action = change.get("action")
            if action in ("create", "update", "replace", "delete"):
                entry = PlannedChange(
                    resource.get("addr", "?"), resource.get("resource_type", ""), action, change.get("reason")
                )
                (plan.changes if message["type"] == "planned_change" else plan.drift).append(entry)
    plan.changes.sort(key=_order)
    return plan


def render_plans(plans: list[StackPlan], output_format: str) -> str:
    """Every stack's plan as text or Markdown: counts, then data loss, replacements, changes, drift and errors."""
    markdown = output_format == "markdown"
    lines = ["### terraform plan", ""] if markdown else []
    for plan in plans:
        counts = ", ".join(f"{n} to {a}" for a, n in plan.counts().items() if n) or "no changes"
        title = f"{plan.stack}: {counts}" + (f"; {len(plan.errors)} error(s)" if plan.errors else "")
        lines.append(f"#### {title}" if markdown else title)
        lines += [f"  error: {error}" for error in plan.errors]
        for change in plan.changes:
            notes = [f"DATA LOSS: {change.holds}"] if change.data_loss else []
            if change.replace_paths:
                notes.append(f"replaced because of {', '.join(change.replace_paths)}")
            elif change.reason:
                notes.append(change.reason.replace("_", " "))
            note = f"  ({'; '.join(notes)})" if notes else ""
            lines.append(f"  {ICONS.get(change.action, change.action):>3} {change.address}{note}")
            lines += [f"        {show_change(c)}" for c in change.changes]
        if plan.drift:
            lines.append("  changed outside Terraform:")
            lines += [f"    {d.address}: " + ", ".join(show_change(c) for c in d.changes) for d in plan.drift]
        lines.append("")
    if markdown:
        return "\n".join(line if line.startswith("####") or not line else f"    {line}" for line in lines)
    return "\n".join(lines).rstrip()
