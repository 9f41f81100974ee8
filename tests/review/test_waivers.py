"""Waivers: scoped to resources, justified, applied to checkov's findings; the scan-report verb's exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpulab.cli import run
from gpulab.review.waivers import Finding, Waiver, WaiverFileError, judge, load_waivers, read_findings
from tests.conftest import REPO

REASON = "a sentence long enough to say why this is accepted"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text,message",
    [
        ("check: CKV_X\n", "expected a list of waivers (check, resources, why)"),
        ("- check: CKV_X\n  resources: [aws_s3_bucket.*]\n", "[0]: give exactly check, resources and why"),
        (
            f"- check: X_1\n  resources: [aws_s3_bucket.*]\n  why: {REASON}\n",
            "[0].check: 'X_1' is not a checkov check id",
        ),
        (f"- check: CKV_X\n  resources: []\n  why: {REASON}\n", "[0].resources: list the resource addresses"),
        (
            f"- check: CKV_X\n  resources: ['*']\n  why: {REASON}\n",
            "[0].resources: '*' does not name a resource type (write e.g. aws_s3_bucket.*)",
        ),
        ("- check: CKV_X\n  resources: [aws_s3_bucket.*]\n  why: because\n", "[0].why: say why in a sentence"),
        ("- [unclosed\n", "cannot read the waivers"),
    ],
)
def test_a_malformed_waiver_is_refused_naming_the_entry(tmp_path, text, message):
    with pytest.raises(WaiverFileError) as raised:
        load_waivers(_write(tmp_path, text))
    assert message in str(raised.value)


def test_the_shipped_waivers_load():
    waivers = load_waivers(REPO / "checkov-waivers.yaml")
    assert waivers and all(len(w.why) >= 30 for w in waivers)


def test_a_waiver_covers_its_check_on_matching_resources_only():
    waiver = Waiver("CKV_A", ("aws_s3_bucket.logs_*",), REASON)
    findings = [
        Finding("CKV_A", "aws_s3_bucket.logs_1", "f"),
        Finding("CKV_A", "aws_s3_bucket.data_1", "f"),
        Finding("CKV_B", "aws_s3_bucket.logs_1", "f"),
    ]
    verdict = judge(findings, [waiver, Waiver("CKV_C", ("aws_instance.*",), REASON)])
    assert verdict.findings == findings[1:]
    assert verdict.waived == [(findings[0], waiver)]
    assert [w.check_id for w in verdict.unused] == ["CKV_C"]


def _report(tmp_path: Path, stack: Path, failed: list[tuple[str, str]]) -> Path:
    """A checkov -o json report in checkov's shape: the fields gpulab reads."""
    checks = [
        {"check_id": c, "resource": r, "file_path": "/x/stacks/prod/cdk.tf.json", "file_abs_path": str(stack)}
        for c, r in failed
    ]
    path = tmp_path / "results_json.json"
    path.write_text(
        json.dumps({"check_type": "terraform_json", "results": {"failed_checks": checks, "passed_checks": []}})
    )
    return path


def test_findings_named_without_their_type_get_it_from_the_stack(tmp_path):
    """checkov's terraform_json framework writes `resource.<name>` for its Python checks' findings."""
    stack = tmp_path / "cdk.tf.json"
    stack.write_text(json.dumps({"resource": {"aws_s3_bucket": {"logs_1": {}}, "aws_instance": {"vm_1": {}}}}))
    report = _report(tmp_path, stack, [("CKV_A", "resource.logs_1"), ("CKV_B", "aws_instance.vm_1")])
    assert [f.resource for f in read_findings(report)] == ["aws_s3_bucket.logs_1", "aws_instance.vm_1"]


def test_scan_report_exits_1_on_a_finding_left_0_when_all_are_waived_2_on_a_bad_file(tmp_path, capsys):
    stack = tmp_path / "cdk.tf.json"
    stack.write_text(json.dumps({"resource": {"aws_s3_bucket": {"logs_1": {}, "data_1": {}}}}))
    report = _report(tmp_path, stack, [("CKV_A", "resource.logs_1"), ("CKV_A", "resource.data_1")])
    waivers = _write(tmp_path, f"- check: CKV_A\n  resources: [aws_s3_bucket.logs_*]\n  why: {REASON}\n")
    assert run(["scan-report", str(report), "--waivers", str(waivers)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "failed: /x/stacks/prod/cdk.tf.json: CKV_A aws_s3_bucket.data_1",
        f"1 finding(s), 1 waived ({waivers})",
    ]
    _write(tmp_path, f"- check: CKV_A\n  resources: [aws_s3_bucket.*]\n  why: {REASON}\n")
    assert run(["scan-report", str(report), "--waivers", str(waivers)]) == 0
    _write(tmp_path, "- check: CKV_A\n")
    assert run(["scan-report", str(report), "--waivers", str(waivers)]) == 2
    assert capsys.readouterr().err.startswith("cannot judge the scan: ")


def test_scan_report_names_stale_waivers_unless_told_not_to(tmp_path, capsys):
    stack = tmp_path / "cdk.tf.json"
    stack.write_text(json.dumps({"resource": {}}))
    report = _report(tmp_path, stack, [])
    waivers = _write(tmp_path, f"- check: CKV_A\n  resources: [aws_s3_bucket.*]\n  why: {REASON}\n")
    assert run(["scan-report", str(report), "--waivers", str(waivers)]) == 0
    assert "stale waiver: CKV_A aws_s3_bucket.* waives nothing in these reports" in capsys.readouterr().out
    assert run(["scan-report", "--no-stale", str(report), "--waivers", str(waivers)]) == 0
    assert "stale waiver:" not in capsys.readouterr().out
