"""checkov over the synthesized stacks: prod passes every check not skipped, with reasons.

checkov runs from its own virtualenv (.venv-checkov, made by `make install`):
it pins libraries that clash with cdktf's.
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
CONFIG = REPO / ".checkov.yaml"


@pytest.fixture(scope="session")
def scan(shipped_out) -> dict[str, dict]:
    """checkov's findings per environment: {"passed": [...], "failed": [...], "skipped": [...]}."""
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run `make install` (it creates .venv-checkov)")
    stacks = sorted((shipped_out / "stacks").iterdir())
    args = [str(CHECKOV), "--config-file", str(CONFIG), "-o", "json", "--soft-fail"]
    for stack in stacks:
        args += ["-f", str(stack / "cdk.tf.json")]
    result = subprocess.run(args, capture_output=True, text=True, check=True)
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    findings: dict[str, dict] = {s.name: {"passed": [], "failed": [], "skipped": []} for s in stacks}
    for report in reports:
        for outcome in ("passed", "failed", "skipped"):
            for check in report["results"][f"{outcome}_checks"]:
                env = Path(check["file_path"]).parent.name
                findings[env][outcome].append((check["check_id"], check["resource"]))
    return findings


# Production-grade stacks and how many checks checkov must at least have run on each.
PROD_GRADE = {"prod": 150, "echoes-prod": 50, "huge": 150}


@pytest.mark.parametrize("name", sorted(PROD_GRADE))
def test_prod_grade_stacks_have_no_failed_checks(scan, name):
    findings = scan[name]
    assert findings["failed"] == []
    assert len(findings["passed"]) > PROD_GRADE[name], "checkov must actually have read the stack"


def test_every_skipped_check_is_justified_in_checkov_yaml(scan):
    """A skip is global; each one carries its reason on its own line."""
    text = CONFIG.read_text()
    skips = yaml.safe_load(text)["skip-check"]
    for check_id in skips:
        line = next(line for line in text.splitlines() if re.match(rf"\s*- {check_id}\s", line))
        reason = line.split("#", 1)[1].strip() if "#" in line else ""
        assert len(reason) > 30, f"{check_id} needs a one-line reason"
    ran = {check_id for name in PROD_GRADE for outcome in scan[name].values() for check_id, _ in outcome}
    assert not ran & set(skips), "checks skipped in .checkov.yaml must not run"


def test_other_stacks_findings_are_reported(scan):
    """Dev-grade stacks may fail checks (public machine, AES256, port 80 for renewals): printed, not hidden."""
    for name in sorted(set(scan) - set(PROD_GRADE)):
        findings = scan[name]
        assert findings["passed"], f"checkov must actually have read {name}"
        if findings["failed"]:
            warnings.warn(
                f"{name} stack checkov findings (allowed outside production):\n"
                + "\n".join(f"  {c} {r}" for c, r in sorted(findings["failed"])),
                stacklevel=1,
            )
