"""checkov findings a change adds or fixes: both sides' stacks scanned, waivers applied, renames followed.

checkov takes longer than the two synths together (tens of seconds for
every environment), so `gpulab diff` runs it only when asked (`--scan`, or
`--fail-on new-findings`). It is found as GPULAB_CHECKOV, else the
repository's `.venv-checkov/bin/checkov` (`make install`), else `checkov` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gpulab.review.waivers import WAIVERS_FILE, Finding, Waiver, load_waivers, read_findings

CHECKOV_TIMEOUT_S = 900


class ScanError(Exception):
    """checkov is missing or failed; the message says which."""


@dataclass(frozen=True)
class StackFinding:
    """A failed check on a resource of one environment's stack."""

    environment: str
    check_id: str
    resource: str

    def __str__(self) -> str:
        return f"{self.environment}: {self.check_id} {self.resource}"


@dataclass(frozen=True)
class FindingsDiff:
    added: tuple[StackFinding, ...]
    fixed: tuple[StackFinding, ...]
    waived_added: int  # new findings a waiver accepts


def find_checkov(root: Path) -> str:
    named = os.environ.get("GPULAB_CHECKOV")
    candidates = [named] if named else [str(root / ".venv-checkov" / "bin" / "checkov"), "checkov"]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise ScanError(
        f"checkov not found ({', '.join(candidates)}); install it (make install) or set GPULAB_CHECKOV, or drop --scan"
    )


def scan(checkov: str, out_dir: Path, report_dir: Path) -> set[StackFinding]:
    """The failed checks of every stack synthesized into `out_dir`, by environment."""
    stack_files = sorted((out_dir / "stacks").glob("*/cdk.tf.json"))
    if not stack_files:
        return set()
    command = [checkov, "-o", "json", "--output-file-path", str(report_dir), "--soft-fail", "--quiet"]
    for stack_file in stack_files:
        command += ["-f", str(stack_file)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=CHECKOV_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ScanError(f"checkov did not run: {error}") from None
    report = report_dir / "results_json.json"
    if done.returncode != 0 or not report.is_file():
        raise ScanError(f"checkov failed (exit status {done.returncode}): {done.stderr.strip()[-2000:]}")
    return {
        StackFinding(Path(finding.file_path).parent.name, finding.check_id, finding.resource)
        for finding in read_findings(report)
    }


def compare(
    base: set[StackFinding], head: set[StackFinding], renames: dict[str, dict[str, str]], waivers: list[Waiver]
) -> FindingsDiff:
    """Findings only `head` has (not waived) and only `base` has, after following renames (env → old → new)."""
    followed = {
        StackFinding(f.environment, f.check_id, renames.get(f.environment, {}).get(f.resource, f.resource))
        for f in base
    }
    added = sorted(head - followed, key=str)
    accepted = [f for f in added if any(w.covers(_as_waivable(f)) for w in waivers)]
    return FindingsDiff(
        tuple(f for f in added if f not in accepted), tuple(sorted(followed - head, key=str)), len(accepted)
    )


def _as_waivable(finding: StackFinding) -> Finding:
    return Finding(finding.check_id, finding.resource, finding.environment)


def waivers_of(root: Path) -> list[Waiver]:
    path = root / WAIVERS_FILE
    return load_waivers(path) if path.is_file() else []
