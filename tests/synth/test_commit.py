"""A synth replaces only cdktf's files of the stacks it writes: Terraform's files and other stacks stay."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gpulab.cli import run
from gpulab.config import load_environments
from gpulab.synth import commit
from gpulab.synth.app import synthesize
from gpulab.synth.out_dir import UnsafeOutDir
from tests.conftest import ENV_DIR
from tests.trees import fingerprint


def synth(out: Path, *names: str) -> None:
    synthesize(load_environments(ENV_DIR, list(names)), out, state_dir=out.parent)


def terraform_init(stack_dir: Path) -> None:
    """What `terraform init` leaves in a stack folder, and a user's own file."""
    (stack_dir / ".terraform" / "providers").mkdir(parents=True)
    (stack_dir / ".terraform" / "providers" / "plugin").write_text("binary")
    (stack_dir / ".terraform.lock.hcl").write_text('provider "registry.terraform.io/hashicorp/aws" {}')
    (stack_dir / "override.tf.json").write_text("{}")


def test_resynthesizing_keeps_what_terraform_put_in_the_stack_folder(tmp_path):
    out = tmp_path / "cdktf.out"
    synth(out, "dev")
    terraform_init(out / "stacks" / "dev")
    kept = fingerprint(out / "stacks" / "dev", skip=("cdk.tf.json",))
    synth(out, "dev")
    assert fingerprint(out / "stacks" / "dev", skip=("cdk.tf.json",)) == kept
    assert json.loads((out / "stacks" / "dev" / "cdk.tf.json").read_text())["terraform"]["backend"]


def test_synthesizing_one_environment_leaves_the_others_and_lists_them_all(tmp_path):
    out = tmp_path / "cdktf.out"
    synth(out, "dev", "prod")
    terraform_init(out / "stacks" / "prod")
    prod = fingerprint(out / "stacks" / "prod")
    synth(out, "dev")
    assert fingerprint(out / "stacks" / "prod") == prod
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == ["dev", "prod"]
    assert manifest["stacks"]["prod"]["synthesizedStackPath"] == "stacks/prod/cdk.tf.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"], "no staging or parking folder left"


def test_a_file_cdktf_wrote_last_time_and_not_this_time_goes(tmp_path):
    """`cdktf synth --hcl` writes cdk.tf; Terraform would read a stale one beside cdk.tf.json twice over."""
    out = tmp_path / "cdktf.out"
    synth(out, "dev")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["stacks"]["dev"]["synthesizedStackPath"] = "stacks/dev/cdk.tf"
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "stacks" / "dev" / "cdk.tf").write_text("# hcl")
    (out / "stacks" / "dev" / "cdk.tf.json").unlink()
    terraform_init(out / "stacks" / "dev")
    synth(out, "dev")
    assert sorted(p.name for p in (out / "stacks" / "dev").iterdir()) == [
        ".terraform",
        ".terraform.lock.hcl",
        "cdk.tf.json",
        "override.tf.json",
    ]


def test_a_manifest_naming_a_file_outside_its_stack_folder_removes_nothing(tmp_path):
    out = tmp_path / "cdktf.out"
    synth(out, "dev")
    (tmp_path / "notes.txt").write_text("mine")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["stacks"]["dev"]["stackMetadataPath"] = "../notes.txt"
    (out / "manifest.json").write_text(json.dumps(manifest))
    synth(out, "dev")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_failure_while_moving_files_in_puts_everything_back(tmp_path, monkeypatch):
    out = tmp_path / "cdktf.out"
    synth(out, "dev", "prod")
    terraform_init(out / "stacks" / "dev")
    before = fingerprint(tmp_path)
    real_rename = os.rename

    def rename(source, destination):
        if Path(destination) == out / "manifest.json" and ".new-" in str(source):
            raise OSError(28, "No space left on device")
        real_rename(source, destination)

    monkeypatch.setattr(commit.os, "rename", rename)
    with pytest.raises(OSError, match="No space left"):
        synth(out, "dev")
    assert fingerprint(tmp_path) == before


def test_a_folder_where_cdktf_writes_a_file_is_refused_before_anything_moves(tmp_path):
    out = tmp_path / "cdktf.out"
    synth(out, "dev", "prod")
    (out / "stacks" / "prod" / "cdk.tf.json").unlink()
    (out / "stacks" / "prod" / "cdk.tf.json").mkdir()
    (out / "stacks" / "prod" / "cdk.tf.json" / "draft.json").write_text("mine")
    before = fingerprint(tmp_path)
    with pytest.raises(UnsafeOutDir, match="is a folder where cdktf writes a file"):
        synth(out, "dev", "prod")
    assert fingerprint(tmp_path) == before


def test_the_local_state_file_is_the_same_whatever_folder_synth_runs_from(tmp_path, monkeypatch, capsys):
    """Terraform runs in the stack folder: the path must lead to <project>/terraform.dev.tfstate from every run."""
    project = tmp_path / "checkout"
    (project / "environments").mkdir(parents=True)
    (project / "cdktf.json").write_text("{}")
    (project / "environments" / "dev.yaml").write_text((ENV_DIR / "dev.yaml").read_text())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    runs = {project: "environments", elsewhere: str(project / "environments"), project / "environments": "."}
    state_files = set()
    for index, (folder, env_dir) in enumerate(runs.items()):
        monkeypatch.chdir(folder)
        out = tmp_path / f"out-{index}"
        assert run(["synth", "dev", "--env-dir", env_dir, "--out", str(out)]) == 0, capsys.readouterr().err
        stack_dir = out / "stacks" / "dev"
        backend = json.loads((stack_dir / "cdk.tf.json").read_text())["terraform"]["backend"]["local"]
        state_files.add((stack_dir / backend["path"]).resolve())
    assert state_files == {project / "terraform.dev.tfstate"}
