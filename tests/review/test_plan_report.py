"""`gpulab plan-report` on genuine plans: terraform_data resources applied, changed and planned by the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from gpulab.cli import run
from gpulab.review.plan_report import PlannedChange

APPLIED = {"keep": {"input": "a"}, "update": {"input": "v1"}, "replace": {"input": "x", "triggers_replace": ["1"]}}
APPLIED["gone"] = {"input": "bye"}
CHANGED = {"keep": {"input": "a"}, "update": {"input": "v2"}, "replace": {"input": "x", "triggers_replace": ["2"]}}
CHANGED["new"] = {"input": "hello"}
ENV = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}


def _terraform(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["terraform", *args], cwd=folder, env=ENV, capture_output=True, text=True, check=False)


def _configure(folder: Path, resources: dict) -> None:
    (folder / "main.tf.json").write_text(json.dumps({"resource": {"terraform_data": resources}}))


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Path:
    """A stack folder named `dev` whose applied state is APPLIED."""
    folder = tmp_path_factory.mktemp("plans") / "dev"
    folder.mkdir()
    _configure(folder, APPLIED)
    for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        assert _terraform(folder, *args).returncode == 0
    return folder


def _plan(folder: Path, resources: dict, *extra: str) -> Path:
    _configure(folder, resources)
    assert _terraform(folder, "plan", "-input=false", "-out=plan.bin", *extra).returncode == 0
    shown = _terraform(folder, "show", "-json", "plan.bin")
    (folder / "plan.json").write_text(shown.stdout)
    return folder / "plan.json"


def test_create_update_replace_and_delete_are_counted_and_explained(stack, capsys):
    assert run(["plan-report", str(_plan(stack, CHANGED))]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "dev: 1 to create, 1 to update, 1 to replace, 1 to delete"
    assert "-/+ terraform_data.replace  (replaced because of triggers_replace)" in out
    assert 'triggers_replace[0]: "1" → "2"' in out and 'input: "v1" → "v2"' in out
    assert "- terraform_data.gone  (delete because no resource config)" in out
    assert "+ terraform_data.new" in out and "terraform_data.keep" not in out


def test_a_tainted_resource_is_replaced_and_the_replace_gate_trips(stack, capsys):
    assert _terraform(stack, "taint", "terraform_data.keep").returncode == 0
    try:
        code = run(["plan-report", str(_plan(stack, APPLIED)), "--fail-on", "replace", "--format", "markdown"])
    finally:
        assert _terraform(stack, "untaint", "terraform_data.keep").returncode == 0
    out, err = capsys.readouterr()
    assert code == 1 and "failed: replace" in err
    assert "#### dev: 1 to replace" in out and "terraform_data.keep  (replace because tainted)" in out


def test_errors_come_from_the_plan_log_and_trip_the_error_gate(stack, capsys):
    broken = {**APPLIED, "keep": {"input": "${var.missing}"}}
    _configure(stack, broken)
    log = _terraform(stack, "plan", "-input=false", "-json")
    assert log.returncode == 1
    (stack / "plan.log.json").write_text(log.stdout)
    code = run(["plan-report", str(stack / "plan.log.json"), "--fail-on", "error"])
    out, err = capsys.readouterr()
    assert code == 1 and "failed: error" in err
    assert "plan.log: no changes; 1 error(s)" in out and "error: Reference to undeclared input variable" in out


def test_a_file_that_is_no_plan_is_refused_with_exit_2(tmp_path, capsys):
    (tmp_path / "state.json").write_text('{"version": 4, "resources": []}')
    (tmp_path / "notes.txt").write_text("not json\n")
    assert run(["plan-report", str(tmp_path / "state.json")]) == 2
    assert run(["plan-report", str(tmp_path / "notes.txt")]) == 2
    assert run(["plan-report", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "state.json: not a plan (write it with `terraform show -json PLAN > state.json`)" in err
    assert "notes.txt:1: neither a plan's JSON nor a `terraform plan -json` log" in err
    assert "missing.json: cannot read it (No such file or directory)" in err


def test_replacing_or_deleting_a_resource_that_holds_data_is_data_loss():
    # terraform_data holds no data, so this flag is checked on the types replacements.py lists.
    assert PlannedChange("aws_ebs_volume.data", "aws_ebs_volume", "replace", None).data_loss
    assert PlannedChange("google_storage_bucket.b", "google_storage_bucket", "delete", None).data_loss
    assert not PlannedChange("aws_ebs_volume.data", "aws_ebs_volume", "update", None).data_loss
    assert not PlannedChange("terraform_data.x", "terraform_data", "delete", None).data_loss
