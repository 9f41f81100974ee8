"""`gpulab diff` on real commits: a clone of this repository, changed and committed the way pull requests change it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gpulab.cli import run
from tests.background import CHECKOV
from tests.conftest import REPO

COMMITS = {
    # name: (file, text replaced, replacement)
    "disk": ("environments/dev.yaml", "data_disk_gb: 118", "data_disk_gb: 200"),
    "rename": (
        "gpulab/constructs/aws/gpu_vm.py",
        'EbsVolume(\n            self,\n            "data",',
        'EbsVolume(\n            self,\n            "data-volume",',
    ),
    "bucket": ("environments/dev.yaml", "buckets:\n", "buckets:\n  - name: scratch\n"),
    "gpu": ("environments/dev.yaml", "gpu: {type: t4, count: 1}", "gpu: {type: a10g, count: 1}"),
}


def _git(clone: Path, *args: str) -> str:
    identity = ["-c", "user.name=gpulab tests", "-c", "user.email=tests@example.com"]
    return subprocess.run(
        ["git", *identity, *args], cwd=clone, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A clone of this repository's HEAD with one commit per change in COMMITS; name → commit."""
    root = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(root)], check=True)
    commits = {}
    for name, (path, old, new) in COMMITS.items():
        file = root / path
        text = file.read_text()
        assert old in text, f"{path} no longer holds {old!r}: update the test's change"
        file.write_text(text.replace(old, new, 1))
        _git(root, "commit", "--quiet", "-am", f"test change: {name}")
        commits[name] = _git(root, "rev-parse", "HEAD")
    return root, commits


def _diff_at(clone, name: str, *args: str, capsys) -> tuple[int, str, str]:
    """`gpulab diff --base <commit before `name`> dev ARGS` with the clone checked out at `name`'s commit."""
    root, commits = clone
    _git(root, "checkout", "--quiet", commits[name])
    code = run(["diff", "--base", f"{commits[name]}~1", "dev", "--env-dir", str(root / "environments"), *args])
    out, err = capsys.readouterr()
    assert _git(root, "worktree", "list").count("\n") == 0, "the base's worktree is left behind"
    return code, out, err


def test_a_disk_size_change_is_an_update_in_place(clone, capsys):
    code, out, _ = _diff_at(clone, "disk", "--format", "json", "--fail-on", "data-loss", capsys=capsys)
    assert code == 0
    [dev] = json.loads(out)["environments"]
    assert dev["counts"] == {"create": 0, "update": 1, "replace": 0, "delete": 0}
    [volume] = dev["resources"]
    assert (volume["address"].startswith("aws_ebs_volume."), volume["action"], volume["data_loss"]) == (
        True,
        "update",
        False,
    )
    assert volume["changes"] == [{"path": "size", "old": 118, "new": 200, "replaces": False, "masked": False}]


def test_a_construct_id_rename_destroys_and_recreates_the_disk(clone, capsys):
    code, out, err = _diff_at(clone, "rename", "--fail-on", "data-loss", capsys=capsys)
    assert code == 1 and "failed: data-loss: 1 resource(s) holding data destroyed or replaced" in err
    assert "address change to aws_ebs_volume.trainer-0_data-volume_" in out
    assert "DATA LOSS: the volume's data" in out


def test_a_new_bucket_is_created_and_costs_no_compute(clone, capsys):
    code, out, _ = _diff_at(clone, "bucket", "--format", "json", capsys=capsys)
    [dev] = json.loads(out)["environments"]
    created = {r["address"].split(".")[0] for r in dev["resources"] if r["action"] == "create"}
    assert code == 0 and {"aws_s3_bucket", "aws_s3_bucket_public_access_block"} <= created
    assert dev["counts"]["delete"] == dev["counts"]["replace"] == 0
    assert dev["compute_usd_per_month"]["delta"] == 0


def test_a_bigger_gpu_shows_its_monthly_cost(clone, capsys):
    code, out, _ = _diff_at(clone, "gpu", "--format", "markdown", capsys=capsys)
    # g4dn.xlarge at $0.526/h → g5.xlarge at $1.006/h, 730 h a month (catalog, 2025-06).
    assert code == 0 and "| dev |" in out and "$384 → $734 (+350)" in out
    assert 'instance_type: "g4dn.xlarge" → "g5.xlarge"' in out


def test_an_unknown_base_is_refused_with_exit_2(clone, capsys):
    root, _ = clone
    code = run(["diff", "--base", "no-such-branch", "--env-dir", str(root / "environments")])
    _, err = capsys.readouterr()
    assert code == 2 and "cannot compare: 'no-such-branch' is not a commit of" in err


def test_unknown_gates_and_formats_are_refused(clone, capsys):
    root, _ = clone
    assert run(["diff", "--fail-on", "everything", "--env-dir", str(root / "environments")]) == 2
    assert run(["diff", "--format", "yaml", "--env-dir", str(root / "environments")]) == 2
    err = capsys.readouterr().err
    assert "--fail-on everything: not one of data-loss, replace, new-findings" in err
    assert "--format yaml: not one of text, markdown, json" in err


def test_checkov_findings_follow_a_renamed_resource(clone, capsys, monkeypatch):
    """checkov runs on both sides; the renamed disk's findings are the same findings, not new ones."""
    monkeypatch.setenv("GPULAB_CHECKOV", str(CHECKOV))  # the clone has no .venv-checkov of its own
    code, out, err = _diff_at(clone, "rename", "--scan", "--format", "json", "--fail-on", "new-findings", capsys=capsys)
    assert code == 0, err
    findings = json.loads(out)["findings"]
    assert findings == {"added": [], "fixed": [], "waived_added": 0}


def test_a_side_that_fails_to_synthesize_is_reported_with_its_problems(clone, capsys):
    root, commits = clone
    _git(root, "checkout", "--quiet", commits["gpu"])
    broken = root / "environments" / "broken.yaml"
    broken.write_text("cloud: aws\nregion: mars-east-1\n")
    try:
        code = run(["diff", "--base", "HEAD", "--env-dir", str(root / "environments")])
    finally:
        broken.unlink()
    err = capsys.readouterr().err
    assert code == 2 and "cannot compare: working tree: synth failed (exit status 2):" in err
    assert "broken.yaml: owner: is required" in err
