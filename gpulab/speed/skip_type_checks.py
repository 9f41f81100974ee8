"""Compile jsii binding code without its run-time argument checks, as `python -O` would.

Saves: 1.12× of a synth of every shipped environment, 0.27 s of Python's
CPU time (alternating runs, 2026-12-07). Depends on: jsii's generated code
putting every check under `if __debug__:`.

Each binding method begins `if __debug__:` and, inside, resolves its stub's
type hints and has typeguard check every argument: 20,000 checks a synth.
jsii documents that `python -O` skips them (jsii/_type_checking.py); compiling
the binding modules with optimization level 1 drops exactly those blocks, and
their `assert`s, from these modules alone. Only the `gpulab` command does it:
its callers are gpulab's own stacks, which the test suite runs with the checks
on (tests/conftest.py); library users keep them. Applied by lazy_annotations'
compile; GPULAB_SKIP_TYPE_CHECKS=off keeps the checks.
"""

from __future__ import annotations

import sys

from gpulab.speed.switches import SKIP_TYPE_CHECKS, switched_on

SWITCH = SKIP_TYPE_CHECKS


def optimization_level() -> int:
    """The level binding modules are compiled at: at least 1 (no `__debug__` blocks) when switched on, else Python's."""
    return max(1, sys.flags.optimize) if switched_on(SWITCH) else sys.flags.optimize
