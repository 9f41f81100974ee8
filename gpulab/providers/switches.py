"""Every speed-up's switch, in one place: the benchmark and the tests turn them off from here.

Each entry is the environment variable and the value that turns its speed-up
off; all are on by default. docs/speed.md says what each one does.
"""

from __future__ import annotations

import os

SPEEDUPS_OFF = {
    "GPULAB_LAZY_IMPORT": "off",  # both lazy loaders; `python` or `js` keeps one (fast_import.py)
    "GPULAB_IMPORT_ALL_CLOUDS": "1",  # import every cloud's stack up front (stacks/__init__.py)
    "GPULAB_LAZY_TYPE_DEFS": "off",  # lazy_type_defs.js, preloaded by fast_import.py
    "GPULAB_LAZY_CDKTF_DEPS": "off",  # lazy_cdktf_dependencies.js, preloaded by fast_import.py
    "GPULAB_TYPE_HINT_CACHE": "off",  # type_hints.py
    "GPULAB_LAZY_ANNOTATIONS": "off",  # lazy_annotations.py
    "GPULAB_DIRECT_KERNEL": "off",  # kernel.py
    "GPULAB_EARLY_KERNEL": "off",  # kernel.py
}


def all_off() -> dict[str, str]:
    """The environment settings of the baseline: ordinary imports and jsii's own kernel start-up."""
    return dict(SPEEDUPS_OFF)


def switched_on(name: str) -> bool:
    """Whether the on/off speed-up behind environment variable `name` is on: anything but `off` is."""
    return os.environ.get(name, "on").strip().lower() != "off"
