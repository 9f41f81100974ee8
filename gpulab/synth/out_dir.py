"""Which folders synthesis may write into: only its own.

A synth replaces files in its output folder, so pointing `--out` (or
`CDKTF_OUTDIR`, or `cdktf synth --output`) at the wrong folder must never cost
anything. `check_out_dir` accepts a folder that does not exist yet, an empty
folder, or a cdktf output folder (`manifest.json` written by cdktf and a
`stacks/` folder, nothing else at its top); it refuses a file, `/`, the home
folder, any protected folder (the project root, the environment folder) and
every folder above one of them, before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

MANIFEST = "manifest.json"
STACKS = "stacks"
CDKTF_TOP_LEVEL = frozenset({MANIFEST, STACKS})
FIX = "pick a folder of its own, such as cdktf.out"


class UnsafeOutDir(Exception):
    """The output folder holds something gpulab did not write; nothing was touched."""


def check_out_dir(out_dir: Path, *, protected: dict[Path, str] | None = None) -> None:
    """Raise `UnsafeOutDir` unless synthesizing into `out_dir` can only replace cdktf's own output.

    `protected` maps more folders that must stay out of reach to what they are
    ("the project folder").
    """
    target = out_dir.resolve()
    guarded = _guarded_folders(protected)
    for folder, what in guarded:
        if target == folder:
            raise UnsafeOutDir(f"{out_dir}: is {what}, which synth must not replace ({FIX})")
    for folder, what in guarded:
        if target in folder.parents:
            raise UnsafeOutDir(f"{out_dir}: holds {what}, which synth must not replace ({FIX})")
    if not target.exists():
        return
    if not target.is_dir():
        raise UnsafeOutDir(f"{out_dir}: is a file, not an output folder ({FIX})")
    entries = {entry.name for entry in target.iterdir()}
    foreign = sorted(entries - CDKTF_TOP_LEVEL)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        raise UnsafeOutDir(f"{out_dir}: is not a cdktf output folder (it holds {shown}) ({FIX})")
    stacks = target / STACKS
    if stacks.exists() and not stacks.is_dir():
        raise UnsafeOutDir(f"{out_dir}: its {STACKS} is a file, not cdktf's stacks folder ({FIX})")
    if MANIFEST in entries:
        if read_manifest(target) is None:
            raise UnsafeOutDir(f"{out_dir}: its {MANIFEST} was not written by cdktf ({FIX})")
    elif stacks.exists() and any(stacks.iterdir()):
        raise UnsafeOutDir(
            f"{out_dir}: has stacks but no cdktf {MANIFEST}, so they are not known to be cdktf's ({FIX})"
        )


def read_manifest(out_dir: Path) -> dict | None:
    """cdktf's manifest in `out_dir`, or None when there is none or it is not cdktf's shape."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("version"), str):
        return None
    stacks = manifest.get("stacks")
    if not isinstance(stacks, dict) or not all(isinstance(entry, dict) for entry in stacks.values()):
        return None
    return manifest


def _guarded_folders(protected: dict[Path, str] | None) -> list[tuple[Path, str]]:
    """Folders that may never be an output folder, nor be above one, resolved; the project's named first."""
    guarded = [(folder.resolve(), what) for folder, what in (protected or {}).items()]
    return guarded + [(Path.home().resolve(), "your home folder"), (Path("/"), "the root folder")]


def synthesized_stack_path(out_dir: Path, name: str) -> str:
    """Where cdktf wrote stack `name`, relative to `out_dir`: cdk.tf.json, or cdk.tf under `cdktf synth --hcl`."""
    entry = (read_manifest(out_dir) or {"stacks": {}})["stacks"].get(name, {})
    path = entry.get("synthesizedStackPath")
    return path if isinstance(path, str) else f"{STACKS}/{name}/cdk.tf.json"
