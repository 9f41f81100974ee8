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

GPULAB_TYPE_CHECK_MEMO=off leaves the modules untouched.
"""

from __future__ import annotations

import types
from collections.abc import Callable

from gpulab.providers.bindings import patch_bindings
from gpulab.providers.switches import TYPE_CHECK_MEMO, switched_on

SWITCH = TYPE_CHECK_MEMO
# Types whose instances pass or fail a typeguard check by their type alone (no contents, no per-instance state).
SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})

CheckType = Callable[..., object]


class MemoizedCheckType:
    """A binding module's `check_type`, skipping scalar checks already passed (in any module)."""

    def __init__(self, check_type: CheckType, passed: set[tuple[type, object]]) -> None:
        self.__wrapped__ = check_type
        self._passed = passed

    def __call__(self, argname: str, value: object, expected_type: object) -> object:
        value_type = type(value)
        if value_type not in SCALAR_TYPES:
            return self.__wrapped__(argname=argname, value=value, expected_type=expected_type)
        key = (value_type, expected_type)
        try:
            if key in self._passed:
                return None
        except TypeError:  # an unhashable expected type is checked every time
            return self.__wrapped__(argname=argname, value=value, expected_type=expected_type)
        result = self.__wrapped__(argname=argname, value=value, expected_type=expected_type)
        self._passed.add(key)
        return result


class _MemoizeCheckType:
    """Wraps a freshly run binding module's `check_type`; all modules share one memo of passed pairs."""

    def __init__(self) -> None:
        self.passed: set[tuple[type, object]] = set()

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
