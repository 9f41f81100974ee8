"""The one error gpulab's cloud operations raise: the CLI prints its message as one line and exits 2."""

from __future__ import annotations


class OpsError(Exception):
    """An operation cannot go on; the message says why and what to do."""
