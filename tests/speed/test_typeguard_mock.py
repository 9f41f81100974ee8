"""typeguard is imported without unittest.mock, and its Mock test answers as before."""

from __future__ import annotations

import textwrap

from tests.speed.binding_probe import probe_lines

# Imports cdktf (and so typeguard), then checks what typeguard's `Mock` answers before and after unittest.mock.
PROBE = textwrap.dedent(
    """
    import sys
    {before}
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading(); import cdktf, typeguard
    print("imported", *[name for name in ("unittest.mock", "asyncio", "ssl") if name in sys.modules])
    print("plain value is a Mock", isinstance(3, typeguard.Mock))
    import unittest.mock
    print("real module", sys.modules["unittest.mock"] is unittest.mock and hasattr(unittest.mock, "patch"))
    print("Mock", isinstance(unittest.mock.Mock(), typeguard.Mock), "MagicMock", isinstance(unittest.mock.MagicMock(), typeguard.Mock))
    typeguard.check_type("argument", unittest.mock.Mock(), int)  # typeguard lets any Mock pass
    try:
        typeguard.check_type("argument", "text", int)
    except TypeError as error:
        print("still checks:", error)
    print("stand-in", typeguard.Mock is not unittest.mock.Mock)
    """
)

AFTER_IMPORT = [
    "plain value is a Mock False",
    "real module True",
    "Mock True MagicMock True",
    "still checks: type of argument must be int; got str instead",
]


def _run(before: str = "", **env: str) -> list[str]:
    return probe_lines(PROBE.format(before=before), **env)


def test_typeguard_is_imported_without_unittest_mock_and_answers_as_before():
    lines = _run()
    assert lines[0] == "imported"
    assert lines[1:-1] == AFTER_IMPORT
    assert lines[-1] == "stand-in True"


def test_switched_off_or_with_unittest_mock_imported_first_typeguard_gets_the_real_mock():
    switched_off = _run(GPULAB_LAZY_MOCK="off")
    assert switched_off[0] == "imported unittest.mock asyncio ssl"
    assert switched_off[1:] == [*AFTER_IMPORT, "stand-in False"]

    imported_first = _run(before="import unittest.mock")
    assert imported_first[1:] == [*AFTER_IMPORT, "stand-in False"]
