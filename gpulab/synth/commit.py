"""Move a finished synth into the output folder, all or nothing, keeping what is not cdktf's.

cdktf writes a whole output folder (`manifest.json`, `stacks/<env>/cdk.tf.json`).
Swapping that folder in for the old one would also delete what Terraform keeps
beside a stack (`.terraform/`, `.terraform.lock.hcl`) and every stack this run
did not synthesize. Instead, each file of this run replaces its namesake, the
files cdktf wrote for the same stacks last time and not this time go, and the
manifest keeps the entries of stacks this run left alone. Every replaced file
is parked until the end: if any step fails, the folder is put back as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gpulab.synth.out_dir import MANIFEST, STACKS, UnsafeOutDir, read_manifest

# Manifest fields naming a file cdktf wrote for a stack.
_STACK_FILE_FIELDS = ("synthesizedStackPath", "stackMetadataPath")


def commit_output(staging: Path, out_dir: Path) -> None:
    """Lay the synth in `staging` over `out_dir` (both resolved, on one file system); `staging` is used up."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    new_manifest = read_manifest(staging)
    if new_manifest is None:
        raise RuntimeError(f"{staging}: cdktf wrote no manifest")
    old_manifest = read_manifest(out_dir) or {"stacks": {}}
    kept = {
        name: entry
        for name, entry in old_manifest["stacks"].items()
        if name not in new_manifest["stacks"] and _stack_file_exists(out_dir, name, entry)
    }
    if kept:
        merged = {**new_manifest, "stacks": dict(sorted({**kept, **new_manifest["stacks"]}.items()))}
        (staging / MANIFEST).write_text(json.dumps(merged, indent=2, sort_keys=True), encoding="utf-8")
    placed = [path.relative_to(staging) for name in new_manifest["stacks"] for path in _files(staging / STACKS / name)]
    placed.append(Path(MANIFEST))
    stale = [
        path
        for name in new_manifest["stacks"]
        for path in _stack_files(out_dir, name, old_manifest["stacks"].get(name, {}))
        if path not in placed
    ]
    _check_replaceable(out_dir, placed + stale)
    with _Transaction(out_dir) as transaction:
        for path in stale:
            transaction.remove(path)
        for path in placed:
            transaction.place(staging / path, path)


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def _stack_files(out_dir: Path, name: str, entry: dict, fields: tuple[str, ...] = _STACK_FILE_FIELDS) -> list[Path]:
    """The files an earlier manifest says cdktf wrote for stack `name`, relative to out_dir, inside its folder."""
    stack_dir = (out_dir / STACKS / name).resolve()
    found = []
    for key in fields:
        text = entry.get(key)
        if not isinstance(text, str):
            continue
        path = (out_dir / text).resolve()
        if stack_dir in path.parents and path.is_file():
            found.append(path.relative_to(out_dir))
    return found


def _stack_file_exists(out_dir: Path, name: str, entry: dict) -> bool:
    return bool(_stack_files(out_dir, name, entry, fields=("synthesizedStackPath",)))


def _check_replaceable(out_dir: Path, paths: list[Path]) -> None:
    """Refuse, before anything moves, where a file would replace a folder (or sit under a file)."""
    for path in paths:
        target = out_dir / path
        if target.exists() and not target.is_file():
            raise UnsafeOutDir(f"{target}: is a folder where cdktf writes a file (move it away)")
        for parent in path.parents:
            if (out_dir / parent).is_file():
                raise UnsafeOutDir(f"{out_dir / parent}: is a file where cdktf writes a folder (move it away)")


@dataclass
class _Transaction:
    """File moves into `root` that are all undone if one fails."""

    root: Path
    parking: Path = field(init=False)
    undo: list = field(default_factory=list)

    def __enter__(self) -> _Transaction:
        self.parking = Path(tempfile.mkdtemp(prefix=f".{self.root.name}.old-", dir=self.root.parent))
        return self

    def remove(self, path: Path) -> None:
        self._park(path)

    def place(self, source: Path, path: Path) -> None:
        target = self.root / path
        for parent in reversed(path.parents):
            folder = self.root / parent
            if not folder.exists():
                folder.mkdir()
                self.undo.append(folder.rmdir)
        if target.exists():
            self._park(path)
        os.rename(source, target)
        self.undo.append(target.unlink)

    def _park(self, path: Path) -> None:
        parked = self.parking / path
        parked.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.root / path, parked)
        self.undo.append(lambda: os.rename(parked, self.root / path))

    def __exit__(self, kind, error, traceback) -> None:
        if error is not None:
            try:
                for step in reversed(self.undo):
                    step()
            except OSError as undo_error:
                raise OSError(
                    undo_error.errno,
                    f"could not put {self.root} back as it was; its earlier files are in {self.parking}",
                ) from error
        shutil.rmtree(self.parking, ignore_errors=True)
