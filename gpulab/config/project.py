"""The project folder: where a checkout's environments, cdktf.json and local state belong.

Local Terraform state must not depend on the folder a command ran from: the
same environment synthesized from the repository root, from /tmp or from the
environment folder must point at one state file. It is anchored here.
"""

from __future__ import annotations

from pathlib import Path

CDKTF_JSON = "cdktf.json"


def project_root(env_dir: Path) -> Path:
    """The nearest folder above `env_dir` that holds cdktf.json, else the folder holding `env_dir`."""
    holder = env_dir.resolve().parent
    for folder in (holder, *holder.parents):
        if (folder / CDKTF_JSON).is_file():
            return folder
    return holder
