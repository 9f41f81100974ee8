"""Fingerprints of folder trees, to prove that a command left every byte it did not own alone."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def fingerprint(root: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry under `root` (files, folders, links, hidden ones too) by relative path → what it holds.

    A file maps to its content's SHA-256 and its mode, a folder to `dir`, a link to its target.
    `skip` names top-level entries left out (the command's own output folder).
    """
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in skip]
            files = [f for f in files if f not in skip]
        for name in dirs + files:
            path = here / name
            relative = str(path.relative_to(root))
            if path.is_symlink():
                found[relative] = f"link → {os.readlink(path)}"
            elif path.is_dir():
                found[relative] = "dir"
            else:
                found[relative] = f"{hashlib.sha256(path.read_bytes()).hexdigest()} {path.stat().st_mode:o}"
    return found


EARLIER_STACK = '{"earlier": "good output"}'


def write_earlier_output(out: Path, name: str = "dev") -> Path:
    """A cdktf output folder from an earlier good synth, a marker standing for stack `name`; its stack file."""
    stack = out / "stacks" / name / "cdk.tf.json"
    stack.parent.mkdir(parents=True)
    stack.write_text(EARLIER_STACK)
    entry = {"name": name, "synthesizedStackPath": f"stacks/{name}/cdk.tf.json", "workingDirectory": f"stacks/{name}"}
    (out / "manifest.json").write_text(json.dumps({"version": "0.21.0", "stacks": {name: entry}}))
    return stack
