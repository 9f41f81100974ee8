"""SSH public keys as the environment file gives them, for any cloud's construct that takes one."""

from __future__ import annotations

from cdktf import Fn


def public_key_from(entry: str) -> str:
    """An OpenSSH key line as is; a path to a .pub file becomes `file(pathexpand(path))`, read at plan time."""
    if entry.startswith("ssh-"):
        return entry
    return Fn.file(Fn.pathexpand(entry))
