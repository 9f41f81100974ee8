"""Import typeguard without importing `unittest.mock`.

typeguard 2, which jsii's generated code uses for its runtime type checks,
imports `unittest.mock` when it is imported, for a single test in
`check_type`: `isinstance(value, Mock)`. That import brings asyncio, ssl,
unittest and pprint with it: about 40 ms of CPU on every run, before the
first resource is built.

While typeguard is imported (and only if `unittest.mock` is not imported
yet), `sys.modules["unittest.mock"]` holds a stand-in whose `Mock` answers
`isinstance` exactly as `unittest.mock.Mock` would: no object can be an
instance of that class before its module has been imported, so the answer
is False until then, and the real class's answer after. The stand-in is
taken out of `sys.modules` as soon as typeguard has run, so any later
`import unittest.mock` gets the real module. GPULAB_LAZY_MOCK=off turns
this off.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

from gpulab.speed.import_hook import ModuleImportHook, hook_import
from gpulab.speed.switches import LAZY_MOCK, switched_on

SWITCH = LAZY_MOCK
TYPEGUARD = "typeguard"
MOCK_MODULE = "unittest.mock"


def enabled() -> bool:
    return switched_on(SWITCH)


class _AsksTheRealMock(type):
    def __instancecheck__(cls, value: object) -> bool:
        real = sys.modules.get(MOCK_MODULE)
        return real is not None and real is not STAND_IN and isinstance(value, real.Mock)


class Mock(metaclass=_AsksTheRealMock):
    """What typeguard binds as `Mock`: `isinstance(value, Mock)` is `isinstance(value, unittest.mock.Mock)`."""


STAND_IN = types.ModuleType(MOCK_MODULE, "gpulab's stand-in for unittest.mock while typeguard is imported")
STAND_IN.Mock = Mock


@contextmanager
def _stand_in_for_mock() -> Iterator[None]:
    """`sys.modules["unittest.mock"]` is the stand-in inside this block, unless the real module is imported."""
    placed = sys.modules.setdefault(MOCK_MODULE, STAND_IN) is STAND_IN
    try:
        yield
    finally:
        if placed and sys.modules.get(MOCK_MODULE) is STAND_IN:
            del sys.modules[MOCK_MODULE]


def enable_lazy_mock() -> bool:
    """Import typeguard, when something first does, without `unittest.mock`; False when off or too late."""
    if not enabled() or TYPEGUARD in sys.modules or MOCK_MODULE in sys.modules:
        return False
    hook_import(ModuleImportHook(TYPEGUARD, around=_stand_in_for_mock))
    return True
