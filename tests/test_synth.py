"""Synthesis: deterministic, identical with or without the speed-ups, identical through cdktf-cli."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gpulab.config import load_environments
from gpulab.synth import synthesize
from tests.conftest import ENV_DIR, REPO, SHIPPED


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path, as bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def main_py(out: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "main.py", "synth", "--out", str(out)],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )


def test_synthesizing_twice_gives_byte_identical_output(shipped_out, tmp_path):
    again = synthesize(load_environments(ENV_DIR), tmp_path / "cdktf.out", state_dir=tmp_path)
    first, second = tree(shipped_out), tree(again)
    assert sorted(first) == ["manifest.json"] + [f"stacks/{n}/cdk.tf.json" for n in SHIPPED]
    assert first == second


def test_output_is_byte_identical_without_the_lazy_loaders(tmp_path):
    """The baseline (ordinary imports, ≈30 s) against the default fast path."""
    main_py(tmp_path / "fast")
    main_py(tmp_path / "ordinary", GPULAB_LAZY_IMPORT="off")
    assert tree(tmp_path / "fast") == tree(tmp_path / "ordinary")


@pytest.mark.skipif(shutil.which("npx") is None, reason="needs Node.js's npx (README prerequisite)")
def test_cdktf_cli_synth_runs_main_py_and_matches_it(tmp_path):
    cli = subprocess.run(
        ["npx", "--no-install", "cdktf", "synth", "--output", str(tmp_path / "cli")],
        cwd=REPO,
        env={**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1"},
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    main_py(tmp_path / "main")
    assert tree(tmp_path / "cli") == tree(tmp_path / "main")


def test_a_failed_synth_leaves_the_earlier_output_untouched(tmp_path, monkeypatch):
    out = tmp_path / "cdktf.out"
    (out / "stacks").mkdir(parents=True)
    (out / "manifest.json").write_text("earlier")

    def broken_stack(*args, **kwargs):
        raise RuntimeError("construct failed")

    monkeypatch.setattr("gpulab.synth.build_stack", broken_stack)
    with pytest.raises(RuntimeError, match="construct failed"):
        synthesize(load_environments(ENV_DIR), out, state_dir=tmp_path)
    assert tree(out) == {"manifest.json": b"earlier"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"], "no staging folder left behind"
