"""The type-hint cache: jsii binding modules get jsii's memoized get_type_hints, nothing else changes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

GENERATED = textwrap.dedent(
    """
    import typing

    def _typecheckingstub__x(value: "typing.Optional[int]") -> None: ...

    def hints():
        return typing.get_type_hints(_typecheckingstub__x)
    """
)

PROBE = textwrap.dedent(
    """
    import sys, typing
    sys.path.insert(0, sys.argv[1])
    import gpulab  # installs the hook
    import cdktf_cdktf_provider_fake.widget as binding
    import plainpackage.widget as plain
    first, second = binding.hints(), binding.hints()
    print(type(binding.typing).__name__, plain.typing is typing, first is second, first == plain.hints())
    """
)


def _run(tmp_path: Path, **env: str) -> str:
    for package in ("cdktf_cdktf_provider_fake", "plainpackage"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "widget.py").write_text(GENERATED)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_jsii_bindings_resolve_each_stubs_hints_once_and_get_the_same_answer(tmp_path):
    assert _run(tmp_path) == "CachedHintsTyping True True True"


def test_switched_off_the_bindings_keep_plain_typing(tmp_path):
    assert _run(tmp_path, GPULAB_TYPE_HINT_CACHE="off") == "module True False True"
