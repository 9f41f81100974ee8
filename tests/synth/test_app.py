"""Synthesis: deterministic, identical with or without the speed-ups, identical through cdktf-cli."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gpulab.config import load_environments
from gpulab.synth.app import synthesize
from tests.conftest import ENV_DIR, REPO, SHIPPED
from tests.trees import write_earlier_output


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path, as bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_synthesizing_twice_gives_byte_identical_output(shipped_out, tmp_path):
    again = synthesize(load_environments(ENV_DIR), tmp_path / "cdktf.out", state_dir=tmp_path)
    first, second = tree(shipped_out), tree(again)
    assert sorted(first) == sorted(["manifest.json"] + [f"stacks/{n}/cdk.tf.json" for n in SHIPPED])
    assert first == second


def _succeeded(run) -> Path:
    assert run.returncode == 0, run.output
    return run.out_dir


@pytest.mark.background("main-py", "main-py-ordinary-imports")
def test_output_is_byte_identical_without_the_lazy_loaders(background):
    """The baseline (ordinary imports, ≈30 s, run in the background) against the default fast path."""
    fast = _succeeded(background.result("main-py"))
    ordinary = _succeeded(background.result("main-py-ordinary-imports"))
    assert tree(fast) == tree(ordinary)
    assert len(tree(fast)) == 1 + len(SHIPPED)


def _without_state_path(stack: bytes) -> dict:
    """A stack as JSON, without a local backend's state path (relative to the folder synth ran from)."""
    parsed = json.loads(stack)
    parsed["terraform"]["backend"].get("local", {}).pop("path", None)
    return parsed


@pytest.mark.background("main-py")
def test_main_py_writes_what_the_in_process_synth_writes(background, shipped_out):
    """The stack tests read the in-process synth, checkov reads main-py's: the same stacks."""
    written, in_process = tree(_succeeded(background.result("main-py"))), tree(shipped_out)
    assert sorted(written) == sorted(in_process)
    for path in written:
        if path.startswith("stacks/"):
            assert _without_state_path(written[path]) == _without_state_path(in_process[path]), path
        else:
            assert written[path] == in_process[path], path


@pytest.mark.skipif(shutil.which("npx") is None, reason="needs Node.js's npx (README prerequisite)")
@pytest.mark.background("main-py", "cdktf-cli")
def test_cdktf_cli_synth_runs_main_py_and_matches_it(background):
    cli = _succeeded(background.result("cdktf-cli"))
    assert tree(cli) == tree(_succeeded(background.result("main-py")))


def test_a_failed_synth_leaves_the_earlier_output_untouched(tmp_path, monkeypatch):
    out = tmp_path / "cdktf.out"
    (out / "stacks").mkdir(parents=True)
    (out / "manifest.json").write_text('{"version": "0.21.0", "stacks": {}}')

    def broken_stack(*args, **kwargs):
        raise RuntimeError("construct failed")

    monkeypatch.setattr("gpulab.synth.app.build_stack", broken_stack)
    with pytest.raises(RuntimeError, match="construct failed"):
        synthesize(load_environments(ENV_DIR), out, state_dir=tmp_path)
    assert tree(out) == {"manifest.json": b'{"version": "0.21.0", "stacks": {}}'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"], "no staging folder left behind"


def test_hcl_output_is_refused_because_terraform_could_not_read_it(tmp_path):
    """`cdktf synth --hcl` sets SYNTH_HCL_OUTPUT. cdktf 0.21's HCL renderer leaves quotes in string values
    unescaped, so a gpulab stack in HCL fails `terraform init` ("Invalid character" in every policy and
    dashboard): exit 2 with one line, and the earlier output stays as it was."""
    out = tmp_path / "cdktf.out"
    write_earlier_output(out)
    before = tree(out)
    env = {**os.environ, "SYNTH_HCL_OUTPUT": "true", "CHECKPOINT_DISABLE": "1"}
    done = subprocess.run(
        [sys.executable, "main.py", "synth", "tiny", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("cannot synthesize HCL: cdktf 0.21 writes HCL that Terraform rejects")
    assert len(done.stderr.splitlines()) == 1 and done.stdout == ""
    assert tree(out) == before
