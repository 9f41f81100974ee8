"""Every speed-up's switch, in one place: the benchmark and the tests turn them off from here.

Saves nothing itself; depends on nothing upstream. Each switch is an environment variable, on
by default; SPEEDUPS_OFF holds the value that turns each off. docs/speed.md says what each does.
"""

from __future__ import annotations

import os
import warnings

LAZY_IMPORT = "GPULAB_LAZY_IMPORT"  # both lazy loaders; `python` or `js` keeps one (fast_import.py)
IMPORT_ALL_CLOUDS = "GPULAB_IMPORT_ALL_CLOUDS"  # `1` imports every cloud's stack up front (stacks/__init__.py)
LAZY_TYPE_DEFS = "GPULAB_LAZY_TYPE_DEFS"  # lazy_type_defs.js, preloaded by fast_import.py
SKIP_CREATION_STACKS = "GPULAB_SKIP_CREATION_STACKS"  # creation_stacks.js, preloaded by fast_import.py
LAZY_STACK_TRACES = "GPULAB_LAZY_STACK_TRACES"  # creation_stacks.js, when SKIP_CREATION_STACKS is off
FAST_TOKEN_RESOLUTION = "GPULAB_FAST_TOKEN_RESOLUTION"  # fast_token_resolution.js, preloaded by fast_import.py
TARBALL_DIGESTS = "GPULAB_TARBALL_DIGESTS"  # tarball_digests.js, preloaded by fast_import.py, asked by kernel.py's copy
SKIP_TYPE_CHECKS = "GPULAB_SKIP_TYPE_CHECKS"  # skip_type_checks.py, applied by lazy_annotations.py
LAZY_ANNOTATIONS = "GPULAB_LAZY_ANNOTATIONS"  # lazy_annotations.py
DIRECT_KERNEL = "GPULAB_DIRECT_KERNEL"  # kernel.py
EARLY_KERNEL = "GPULAB_EARLY_KERNEL"  # kernel.py
ASYNC_CREATES = "GPULAB_ASYNC_CREATES"  # async_creates.py, used by kernel.py's direct kernel
FREEZE_AT_EXIT = "GPULAB_FREEZE_AT_EXIT"  # gpulab/fast_exit.py, called by cli.entry_point
EMAIL_MEMO = "GPULAB_EMAIL_MEMO"  # gpulab/config/emails.py
CLAIMED_TOKENS = "GPULAB_CLAIMED_TOKENS"  # claimed_tokens.py, used by kernel.py's direct kernel
IMPORT_AHEAD = "GPULAB_IMPORT_AHEAD"  # import_ahead.py, called by gpulab/synth/app.py

SPEEDUPS_OFF = {
    LAZY_IMPORT: "off",
    IMPORT_ALL_CLOUDS: "1",
    LAZY_TYPE_DEFS: "off",
    SKIP_CREATION_STACKS: "off",
    LAZY_STACK_TRACES: "off",
    FAST_TOKEN_RESOLUTION: "off",
    TARBALL_DIGESTS: "off",
    SKIP_TYPE_CHECKS: "off",
    LAZY_ANNOTATIONS: "off",
    DIRECT_KERNEL: "off",
    EARLY_KERNEL: "off",
    ASYNC_CREATES: "off",
    FREEZE_AT_EXIT: "off",
    EMAIL_MEMO: "off",
    CLAIMED_TOKENS: "off",
    IMPORT_AHEAD: "off",
}


def all_off() -> dict[str, str]:
    """The environment settings of the baseline: ordinary imports and jsii's own kernel start-up."""
    return dict(SPEEDUPS_OFF)


ON_WORDS = frozenset({"on", "1", "true", "yes"})
OFF_WORDS = frozenset({"off", "0", "false", "no"})
_warned: set[str] = set()


class SwitchWarning(UserWarning):
    """A GPULAB_* variable holds a value its switch does not know; the default is used instead."""


def choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """The value of switch `name` among `choices` (case and spaces ignored).

    Any other value warns once, naming the variable, the value and the
    choices, and gives `default`: a typo never fails an import.
    """
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in choices:
        return value
    _warn_once(name, f"{name}={raw!r} is not one of {', '.join(choices)}; using {default}")
    return default


def switched_on(name: str) -> bool:
    """Whether the on/off speed-up behind environment variable `name` is on (the default).

    off/0/false/no turn it off, on/1/true/yes keep it on; anything else warns once and keeps it on.
    """
    raw = os.environ.get(name)
    if raw is None:
        return True
    value = raw.strip().lower()
    if value in OFF_WORDS:
        return False
    if value not in ON_WORDS:
        _warn_once(name, f"{name}={raw!r} is not one of on, off; using on")
    return True


def _warn_once(name: str, message: str) -> None:
    if name not in _warned:
        _warned.add(name)
        warnings.warn(message, SwitchWarning, stacklevel=3)
