"""The version memo: binding modules ask each distribution's version once; everything else asks importlib."""

from __future__ import annotations

import importlib.metadata
import textwrap
from pathlib import Path

import pytest

from gpulab.speed import version_memo
from tests.speed.binding_probe import run_beside_a_plain_package

# What every jsii binding module does first, plus a record of which function answered.
GENERATED = textwrap.dedent(
    """
    import importlib.metadata
    from importlib.metadata import version as _metadata_package_version
    TYPEGUARD_MAJOR_VERSION = int(_metadata_package_version('typeguard').split('.')[0])
    ANSWERED_BY = importlib.metadata.version.__name__
    """
)

PROBE = textwrap.dedent(
    """
    import sys, importlib.metadata
    sys.path.insert(0, sys.argv[1])
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()  # installs the hooks
    import cdktf_cdktf_provider_fake.widget as binding
    import plainpackage.widget as plain
    real_major = int(importlib.metadata.version("typeguard").split(".")[0])
    print(binding.ANSWERED_BY, plain.ANSWERED_BY, importlib.metadata.version.__name__, binding.TYPEGUARD_MAJOR_VERSION == real_major)
    """
)


def _run(tmp_path: Path, **env: str) -> str:
    return run_beside_a_plain_package(tmp_path, GENERATED, PROBE, **env)


def test_only_binding_modules_get_the_memo_and_it_gives_the_same_answer(tmp_path):
    assert _run(tmp_path) == "remembered_version version version True"


def test_switched_off_binding_modules_ask_importlib(tmp_path):
    assert _run(tmp_path, GPULAB_VERSION_MEMO="off") == "version version version True"


@pytest.fixture
def counted_lookups(monkeypatch) -> list[str]:
    """The names version_memo asks the real importlib.metadata.version for, from an empty memo."""
    asked: list[str] = []
    importlib_version = importlib.metadata.version

    def real(name: str) -> str:
        asked.append(name)
        return importlib_version(name)

    monkeypatch.setattr(version_memo, "_REAL_VERSION", real)
    monkeypatch.setattr(version_memo, "_versions", {})
    return asked


def test_each_name_is_asked_once_and_a_missing_one_every_time(counted_lookups):
    with version_memo.remembered_versions():
        answers = [importlib.metadata.version("typeguard") for _ in range(3)]
        for _ in range(2):
            with pytest.raises(importlib.metadata.PackageNotFoundError):
                importlib.metadata.version("no-such-distribution-gpulab")
    assert answers == [importlib.metadata.version("typeguard")] * 3
    assert counted_lookups == ["typeguard", "no-such-distribution-gpulab", "no-such-distribution-gpulab"]


def test_overlapping_blocks_put_the_original_back_once_the_last_ends(counted_lookups):
    original = importlib.metadata.version
    first, second = version_memo.remembered_versions(), version_memo.remembered_versions()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # another thread's module finished first
    assert importlib.metadata.version is version_memo.remembered_version
    second.__exit__(None, None, None)
    assert importlib.metadata.version is original
