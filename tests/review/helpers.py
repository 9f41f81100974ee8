"""Shared by the review tests: a report of one stack diff, priced like `gpulab diff` prices it."""

from __future__ import annotations

from gpulab.cost.compute import stack_compute_cost
from gpulab.review.diff_report import DiffReport, EnvironmentReport
from gpulab.review.stack_diff import StackDiff


def report_of(diff: StackDiff, base: dict | None, head: dict | None) -> DiffReport:
    return DiffReport("base", [EnvironmentReport(diff, stack_compute_cost(base or {}), stack_compute_cost(head or {}))])
