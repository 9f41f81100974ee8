"""Where gpulab keeps what it can recompute: the user's cache folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def gpulab_cache() -> Path:
    """`$XDG_CACHE_HOME/gpulab`, else `~/.cache/gpulab`; created by whoever writes into it."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gpulab"


def write_atomically(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` in one step, so a reader sees the old file or the new; False when it cannot.

    A cache that cannot be written only costs the next run the work again.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(staging, path)
    except OSError:
        Path(staging).unlink(missing_ok=True)
        return False
    return True
