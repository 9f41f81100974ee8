"""Import the provider modules a synth will need while Python waits for the kernel.

Saves: 1.07× (20 alternating runs, 2026-12-07). Depends on: gpulab's stack
code naming the provider modules it uses in `from <package>.<module> import`
lines; binding modules needing only their package's `_jsii`, cdktf and
constructs; importlib marking a module being imported (`__spec__._initializing`).

A cloud's first stack imports its provider's binding modules (125 for all
shipped environments) while the kernel idles, yet Python waits about 0.9 s of
a synth for answers. `import_ahead(packages)` loads the packages' assemblies
and queues those modules; while an awaited answer has not arrived, the kernel
channel (kernel.py) imports the next, once its package's `_jsii`, cdktf and
constructs are imported whole. A failure, or a request (owed_answers.py
refuses it), ends the queue: the rest are imported where used, as without this.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections import deque
from pathlib import Path

from gpulab.speed import kernel
from gpulab.speed.switches import IMPORT_AHEAD, switched_on

GPULAB = Path(__file__).resolve().parent.parent
STACK_CODE = ("constructs", "providers", "stacks")  # gpulab's folders that import provider modules
PROVIDER_IMPORT = re.compile(r"^from (cdktf_cdktf_provider_\w+)\.(\w+) import", re.MULTILINE)

_queue: deque[str] = deque()
_activated = False  # by the command's speed layer (fast_import.py), never by a library import


def activate() -> None:
    """Let `import_ahead` work in this process (the `gpulab` command: fast_import.enable_fast_provider_loading)."""
    global _activated
    _activated = True


def modules_gpulab_imports(packages: list[str], source: Path = GPULAB) -> list[str]:
    """The modules of `packages` that gpulab's stack code imports, in the order of `packages`."""
    files = sorted(path for folder in STACK_CODE for path in (source / folder).rglob("*.py"))
    named = PROVIDER_IMPORT.findall("\n".join(path.read_text(encoding="utf-8") for path in files))
    modules = (f"{package}.{module}" for package in packages for found, module in named if found == package)
    return list(dict.fromkeys(modules))


def import_ahead(packages: list[str]) -> bool:
    """Load `packages`' assemblies now and import their modules gpulab uses while Python waits; whether it will."""
    if not (_activated and switched_on(IMPORT_AHEAD)):
        return False
    packages = [package for package in packages if importlib.util.find_spec(package) is not None]
    _queue.extend(modules_gpulab_imports(packages))
    kernel.work_while_waiting(import_next)
    for package in packages:
        importlib.import_module(f"{package}._jsii")  # a wait each: the first modules come in meanwhile
    return True


def _imported_whole(name: str) -> bool:
    module = sys.modules.get(name)
    return module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False)


def import_next() -> bool:
    """Import the next module queued, if it can be now; whether one was (False: none left, or not yet)."""
    while _queue:
        name = _queue[0]
        if name in sys.modules:
            _queue.popleft()
            continue
        if not all(map(_imported_whole, (f"{name.partition('.')[0]}._jsii", "cdktf", "constructs"))):
            return False
        _queue.popleft()
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - its ordinary import, where it is used, raises it again
            _queue.clear()
            return False
        return True
    kernel.work_while_waiting(None)  # all imported: waits are only waits again
    return False
