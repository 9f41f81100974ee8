"""Where gpulab keeps what it can recompute: the user's cache folder."""

from __future__ import annotations

import os
from pathlib import Path


def gpulab_cache() -> Path:
    """`$XDG_CACHE_HOME/gpulab`, else `~/.cache/gpulab`; created by whoever writes into it."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gpulab"
