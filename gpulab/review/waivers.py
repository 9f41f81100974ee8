"""checkov findings gpulab accepts, each scoped to the resources it is about and justified.

checkov's own `skip-check` turns a check off for every resource of every
stack, and its terraform_json framework reads no inline suppressions. So the
checks all run, and `checkov-waivers.yaml` lists the findings accepted:
a check id, the resource addresses it is waived for (shell-style patterns
over `<type>.<name>`, such as `aws_s3_bucket.*`) and why. A failure no waiver matches is a
finding; a waiver that matches nothing is stale and reported too.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

WAIVERS_FILE = "checkov-waivers.yaml"
MIN_REASON = 30  # characters: a reason, not a label
SCOPED = re.compile(r"^[a-z][a-z0-9_]*\.[^.]+$")  # <resource type>.<name or pattern>


@dataclass(frozen=True)
class Finding:
    """One failed check on one resource of one stack file."""

    check_id: str
    resource: str
    file_path: str

    def __str__(self) -> str:
        return f"{self.file_path}: {self.check_id} {self.resource}"


@dataclass(frozen=True)
class Waiver:
    """Findings of `check_id` on resources matching `resources` are accepted, because `why`."""

    check_id: str
    resources: tuple[str, ...]
    why: str

    def covers(self, finding: Finding) -> bool:
        return finding.check_id == self.check_id and any(
            fnmatch.fnmatchcase(finding.resource, pattern) for pattern in self.resources
        )


class WaiverFileError(ValueError):
    """The waiver file is not a list of {check, resources, why} with a real reason."""


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers in `path`; WaiverFileError naming the entry and field when one is malformed."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise WaiverFileError(f"{path}: cannot read the waivers ({error})") from None
    if not isinstance(entries, list):
        raise WaiverFileError(f"{path}: expected a list of waivers (check, resources, why)")
    waivers = []
    for index, entry in enumerate(entries):
        where = f"{path}: [{index}]"
        if not isinstance(entry, dict) or set(entry) != {"check", "resources", "why"}:
            raise WaiverFileError(f"{where}: give exactly check, resources and why")
        check, resources, why = entry["check"], entry["resources"], entry["why"]
        if not isinstance(check, str) or not check.startswith("CKV"):
            raise WaiverFileError(f"{where}.check: {check!r} is not a checkov check id (CKV_…)")
        if not isinstance(resources, list) or not resources or not all(isinstance(r, str) and r for r in resources):
            raise WaiverFileError(f"{where}.resources: list the resource addresses it is waived for")
        unscoped = [r for r in resources if not SCOPED.match(r)]
        if unscoped:
            raise WaiverFileError(
                f"{where}.resources: {unscoped[0]!r} does not name a resource type (write e.g. aws_s3_bucket.*)"
            )
        if not isinstance(why, str) or len(why.strip()) < MIN_REASON:
            raise WaiverFileError(f"{where}.why: say why in a sentence ({MIN_REASON} characters at least)")
        waivers.append(Waiver(check, tuple(resources), why.strip()))
    return waivers


def read_findings(report_path: Path) -> list[Finding]:
    """The failed checks in a checkov JSON report (`-o json`: one report, or a list of them per framework).

    checkov's terraform_json framework names a resource `resource.<name>` in
    the findings of its Python checks (the type left out) and `<type>.<name>`
    in those of its graph checks; the first are given their type from the
    stack file, so that every finding reads `<type>.<name>`.
    """
    reports = json.loads(report_path.read_text(encoding="utf-8"))
    reports = reports if isinstance(reports, list) else [reports]
    types_by_file: dict[str, dict[str, str]] = {}
    findings = []
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            resource = check["resource"]
            if resource.startswith("resource."):
                stack_file = check.get("file_abs_path") or check["file_path"]
                if stack_file not in types_by_file:
                    types_by_file[stack_file] = _resource_types(Path(stack_file))
                name = resource.removeprefix("resource.")
                resource = f"{types_by_file[stack_file].get(name, 'resource')}.{name}"
            findings.append(Finding(check["check_id"], resource, check["file_path"]))
    return findings


def _resource_types(stack_file: Path) -> dict[str, str]:
    """Resource name → its type, in a Terraform JSON file (names are unique in a cdktf stack)."""
    try:
        resources = json.loads(stack_file.read_text(encoding="utf-8")).get("resource", {})
    except (OSError, ValueError):
        return {}
    return {name: kind for kind, named in resources.items() for name in named}


@dataclass(frozen=True)
class Verdict:
    """Findings split by the waivers: those left, those waived, and waivers that waived nothing."""

    findings: list[Finding]
    waived: list[tuple[Finding, Waiver]]
    unused: list[Waiver]


def judge(findings: list[Finding], waivers: list[Waiver]) -> Verdict:
    """Split `findings` by `waivers`."""
    left, waived, used = [], [], set()
    for finding in findings:
        waiver = next((w for w in waivers if w.covers(finding)), None)
        if waiver is None:
            left.append(finding)
        else:
            waived.append((finding, waiver))
            used.add(waiver)
    return Verdict(left, waived, [w for w in waivers if w not in used])
