"""Check each (scalar type, expected type) pair with typeguard once, not on every argument.

jsii-generated Python checks every argument of every constructor and struct
with typeguard (`if __debug__: check_type(...)`), None-valued optional ones
included: about 120 checks for one Compute Engine disk, 18,000 for all shipped
environments. Most are a str, int, float, bool or None checked against a type
seen many times before. For such a value the check's outcome depends on
nothing but the value's type and the expected type, so after a binding module
is imported its module-level `check_type` is wrapped: a scalar whose
(type, expected type) pair has passed before is let through at once. Anything
else (lists, dicts, objects) and any pair not yet seen goes to typeguard, and
a failing check fails exactly as before, with typeguard's own message, since
failures are never remembered.

Pairs are remembered by the expected type's identity, not its hash: hashing
`typing.Optional[...]` builds a frozenset of its arguments on every call
(about 6% of Python's time building 64 copies of tiny). jsii hands over the
same hint objects on every call (type_hints.py keeps them), so a few hundred
expected types are remembered, each held so that its id stays its own;
without the hint cache each call may bring new objects, so the memo stops
growing at MAX_EXPECTED_TYPES and checks the rest with typeguard.

GPULAB_TYPE_CHECK_MEMO=off leaves the modules untouched.
"""

from __future__ import annotations

import types
from collections.abc import Callable

from gpulab.speed.bindings import patch_bindings
from gpulab.speed.switches import TYPE_CHECK_MEMO, switched_on

SWITCH = TYPE_CHECK_MEMO
# Types whose instances pass or fail a typeguard check by their type alone (no contents, no per-instance state).
SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})

# Enough for every hint object of every binding; a bound for when each call brings new ones.
MAX_EXPECTED_TYPES = 10_000

CheckType = Callable[..., object]
# id(expected type) → (the expected type, held so that no other object takes its id; scalar types that passed).
PassedChecks = dict[int, tuple[object, set[type]]]


class MemoizedCheckType:
    """A binding module's `check_type`, skipping scalar checks already passed (in any module)."""

    def __init__(self, check_type: CheckType, passed: PassedChecks) -> None:
        self.__wrapped__ = check_type
        self._passed = passed

    def __call__(self, argname: str, value: object, expected_type: object) -> object:
        value_type = type(value)
        if value_type not in SCALAR_TYPES:
            return self.__wrapped__(argname=argname, value=value, expected_type=expected_type)
        passed = self._passed.get(id(expected_type))
        if passed is not None and value_type in passed[1]:
            return None
        result = self.__wrapped__(argname=argname, value=value, expected_type=expected_type)
        if passed is not None:
            passed[1].add(value_type)
        elif len(self._passed) < MAX_EXPECTED_TYPES:
            self._passed[id(expected_type)] = (expected_type, {value_type})
        return result


class _MemoizeCheckType:
    """Wraps a freshly run binding module's `check_type`; all modules share one memo of passed pairs."""

    def __init__(self) -> None:
        self.passed: PassedChecks = {}

    def __call__(self, module: types.ModuleType) -> None:
        check_type = module.__dict__.get("check_type")
        if isinstance(check_type, types.FunctionType) and check_type.__module__ == module.__name__:
            module.check_type = MemoizedCheckType(check_type, self.passed)


def enable_type_check_memo() -> bool:
    """Install the import hook (once); False when GPULAB_TYPE_CHECK_MEMO=off."""
    if not switched_on(SWITCH):
        return False
    patch_bindings(_MemoizeCheckType())
    return True
