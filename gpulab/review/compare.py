"""`gpulab diff`: synthesize a revision and the working tree, and compare them environment by environment."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from gpulab.cost.compute import stack_compute_cost
from gpulab.review.diff_report import DiffReport, EnvironmentReport
from gpulab.review.findings import compare, find_checkov, scan, waivers_of
from gpulab.review.revisions import repository_root, synthesize_both
from gpulab.review.stack_diff import diff_stacks, renamed_pairs


def compare_revision(base: str, env_dir: Path, names: list[str] | None, *, with_scan: bool) -> DiffReport:
    """The changes from revision `base` to the working tree for `names` (default: every environment).

    Raises RevisionError (bad revision, failed synth) and ScanError (checkov missing or failing).
    """
    started = time.perf_counter()
    root = repository_root(env_dir if env_dir.is_dir() else Path.cwd())
    checkov = find_checkov(root) if with_scan else None
    with tempfile.TemporaryDirectory(prefix="gpulab-diff-") as scratch_name:
        scratch = Path(scratch_name)
        base_stacks, head_stacks = synthesize_both(root, base, env_dir, names, scratch)
        environments = []
        for name in sorted(base_stacks.keys() | head_stacks.keys()):
            old, new = base_stacks.get(name), head_stacks.get(name)
            environments.append(
                EnvironmentReport(
                    diff_stacks(name, old, new), stack_compute_cost(old or {}), stack_compute_cost(new or {})
                )
            )
        findings = None
        if checkov:
            renames = {env.diff.name: dict(renamed_pairs(env.diff)) for env in environments}
            base_findings = scan(checkov, scratch / "base-out", scratch / "base-scan")
            head_findings = scan(checkov, scratch / "head-out", scratch / "head-scan")
            findings = compare(base_findings, head_findings, renames, waivers_of(root))
    return DiffReport(base, environments, findings, seconds=time.perf_counter() - started)
