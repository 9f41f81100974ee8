"""Only cdktf's own output folder may be synthesized into: every other --out is refused, untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpulab.cli import run
from gpulab.synth.out_dir import UnsafeOutDir, check_out_dir
from tests.conftest import ENV_DIR
from tests.trees import fingerprint

FIX = "(pick a folder of its own, such as cdktf.out)"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A checkout: cdktf.json, .git, an environment folder with dev.yaml, a user's notes; the working folder."""
    root = tmp_path / "checkout"
    (root / ".git" / "objects").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "cdktf.json").write_text('{"app": "python main.py"}')
    (root / "environments").mkdir()
    (root / "environments" / "dev.yaml").write_text((ENV_DIR / "dev.yaml").read_text())
    (root / "notes.txt").write_text("mine")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(root)
    return root


REFUSED = {
    ".": "--out .: is the project folder, which synth must not replace",
    "environments": "--out environments: is the environment folder, which synth must not replace",
    "notes.txt": "--out notes.txt: is a file, not an output folder",
    "/": "--out /: is the root folder, which synth must not replace",
    "..": "--out ..: holds the project folder, which synth must not replace",
    ".git": "--out .git: is not a cdktf output folder (it holds HEAD, objects)",
}


@pytest.mark.parametrize("out", sorted(REFUSED))
def test_an_out_that_is_not_cdktfs_own_folder_exits_2_and_touches_nothing(out, project, capsys):
    before = fingerprint(project.parent)
    assert run(["synth", "--out", out]) == 2
    assert capsys.readouterr().err.splitlines() == [f"{REFUSED[out]} {FIX}"]
    assert fingerprint(project.parent) == before


def test_the_home_folder_and_cdktf_outdir_are_refused_the_same_way(project, capsys, monkeypatch):
    home = project.parent / "home"
    (home / ".ssh").mkdir()
    before = fingerprint(project.parent)
    assert run(["synth", "--out", str(home)]) == 2
    monkeypatch.setenv("CDKTF_OUTDIR", ".")  # what `cdktf synth --output .` hands main.py
    assert run([]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"--out {home}: is your home folder, which synth must not replace {FIX}",
        f"CDKTF_OUTDIR=.: is the project folder, which synth must not replace {FIX}",
    ]
    assert fingerprint(project.parent) == before


def _manifest(stacks: dict) -> str:
    return json.dumps({"version": "0.21.0", "stacks": stacks})


@pytest.mark.parametrize(
    "layout,reason",
    [
        ({"manifest.json": "{}", "stacks/": None}, "its manifest.json was not written by cdktf"),
        ({"manifest.json": "not json"}, "its manifest.json was not written by cdktf"),
        (
            {"stacks/dev/cdk.tf.json": "{}"},
            "has stacks but no cdktf manifest.json, so they are not known to be cdktf's",
        ),
        ({"manifest.json": _manifest({}), "stacks": "a file"}, "its stacks is a file, not cdktf's stacks folder"),
        ({"manifest.json": _manifest({}), "thesis.tex": "mine"}, "is not a cdktf output folder (it holds thesis.tex)"),
    ],
)
def test_a_folder_that_only_looks_like_cdktf_output_is_refused(layout, reason, tmp_path):
    out = tmp_path / "out"
    for relative, text in layout.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if text is None else path.write_text(text)
    with pytest.raises(UnsafeOutDir) as raised:
        check_out_dir(out)
    assert str(raised.value) == f"{out}: {reason} {FIX}"


@pytest.mark.parametrize(
    "layout",
    [{}, {"stacks/": None}, {"manifest.json": _manifest({"dev": {"name": "dev"}}), "stacks/dev/cdk.tf.json": "{}"}],
    ids=["empty", "empty stacks", "cdktf output"],
)
def test_a_new_an_empty_or_a_cdktf_output_folder_is_accepted(layout, tmp_path):
    check_out_dir(tmp_path / "new" / "cdktf.out")
    out = tmp_path / "out"
    out.mkdir()
    for relative, text in layout.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if text is None else path.write_text(text)
    check_out_dir(out)
