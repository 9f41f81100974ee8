"""Answer `importlib.metadata.version` from a memo while jsii binding modules run.

Every jsii binding module asks `importlib.metadata.version("typeguard")` when
it is imported, to pick the typeguard API it calls. Each call scans the
import path for the distribution and parses its METADATA file with the email
parser: about 0.4 ms, 108 times for all shipped environments.

While a binding module runs (bindings.py), `importlib.metadata.version` is a
function that asks the real one once per distribution name and remembers the
answer (a name that is not installed is asked again each time). Outside
binding modules the real function is in place. GPULAB_VERSION_MEMO=off turns
this off.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from gpulab.speed.switches import VERSION_MEMO, switched_on

SWITCH = VERSION_MEMO
_REAL_VERSION = importlib.metadata.version
_versions: dict[str, str] = {}
_lock = threading.Lock()
_running = 0  # binding modules running now, in any thread
_replaced = None  # what `importlib.metadata.version` was before the first of them started


def enabled() -> bool:
    return switched_on(SWITCH)


def remembered_version(distribution_name: str) -> str:
    """`importlib.metadata.version`, asked once per name."""
    if distribution_name not in _versions:
        _versions[distribution_name] = _REAL_VERSION(distribution_name)
    return _versions[distribution_name]


@contextmanager
def remembered_versions() -> Iterator[None]:
    """`importlib.metadata.version` answers from the memo while any thread is inside such a block."""
    global _running, _replaced
    with _lock:
        if _running == 0:
            _replaced, importlib.metadata.version = importlib.metadata.version, remembered_version
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                importlib.metadata.version, _replaced = _replaced, None
