"""Lazy annotations: binding modules run with string annotations, from a cache that follows the source."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

from tests.speed.binding_probe import run_python, write_package

# `Undefined` exists nowhere: evaluating this module's annotations raises NameError.
GENERATED = textwrap.dedent(
    """
    import typing

    def _typecheckingstub__x(value: "typing.Optional[int]", other: typing.List[str]) -> None: ...

    def unresolvable(value: Undefined) -> None: ...

    VERSION = 1
    DEBUG = __debug__
    """
)

PROBE = textwrap.dedent(
    """
    import sys, typing
    sys.path.insert(0, sys.argv[1])
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()  # installs the hooks
    try:
        import cdktf_cdktf_provider_fake.widget as widget
    except NameError as error:
        print("evaluated", error)
        raise SystemExit(0)
    hints = typing.get_type_hints(widget._typecheckingstub__x)
    print("lazy" if widget.DEBUG else "lazy -O", widget.VERSION, hints == {"value": typing.Optional[int], "other": typing.List[str], "return": type(None)})
    """
)


def _binding(root: Path, version: int = 1) -> Path:
    return write_package(root, {"widget": GENERATED.replace("VERSION = 1", f"VERSION = {version}")})


def _probe(root: Path, cache: Path, *flags: str, **env: str) -> str:
    """The probe's output line; `__debug__` follows `flags` (skip_type_checks.py has its own tests)."""
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "PYTHONDONTWRITEBYTECODE": "1",
        "GPULAB_SKIP_TYPE_CHECKS": "off",
        **env,
    }
    return run_python(PROBE, str(root), env=env, flags=flags).strip()


def _cached(cache: Path) -> list[Path]:
    return sorted((cache / "gpulab" / "lazy-annotations").rglob("*.pyc"))


def test_binding_annotations_are_not_evaluated_until_hints_are_asked_for(tmp_path):
    root, cache = _binding(tmp_path / "src"), tmp_path / "cache"
    assert _probe(root, cache) == "lazy 1 True"
    assert len(_cached(cache)) == 1  # the module; the package's root runs as Python compiled it
    assert _probe(root, cache) == "lazy 1 True"  # now from the cache


def test_modules_a_provider_root_imports_run_as_python_compiled_them(tmp_path):
    """An ordinary import of a whole provider (its root imports every module) compiles nothing of it."""
    root, cache = _binding(tmp_path / "src"), tmp_path / "cache"
    write_package(root, {"__init__": "from . import widget", "widget": GENERATED})
    assert _probe(root, cache) == "evaluated name 'Undefined' is not defined"
    assert _cached(cache) == []


def test_optimized_and_debug_code_are_cached_apart(tmp_path):
    root, cache = _binding(tmp_path / "src"), tmp_path / "cache"
    assert _probe(root, cache) == "lazy 1 True"
    assert _probe(root, cache, "-O") == "lazy -O 1 True"
    assert _probe(root, cache) == "lazy 1 True"
    assert len(_cached(cache)) == 2


def test_switched_off_annotations_are_evaluated_as_usual(tmp_path):
    root, cache = _binding(tmp_path / "src"), tmp_path / "cache"
    assert _probe(root, cache, GPULAB_LAZY_ANNOTATIONS="off") == "evaluated name 'Undefined' is not defined"
    assert _cached(cache) == []


def test_a_changed_source_or_a_damaged_cache_is_compiled_again(tmp_path):
    root, cache = _binding(tmp_path / "src"), tmp_path / "cache"
    assert _probe(root, cache) == "lazy 1 True"
    _binding(root, version=22)
    assert _probe(root, cache) == "lazy 22 True"
    for path in _cached(cache):
        path.write_bytes(path.read_bytes()[:-40])
    assert _probe(root, cache) == "lazy 22 True"


def test_modules_that_are_not_bindings_keep_evaluated_annotations(tmp_path):
    root = write_package(tmp_path / "src", {"__init__": "def f(x: int) -> str: ...\n"}, name="plainpackage")
    probe = "import sys; sys.path.insert(0, sys.argv[1]); from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading(); import plainpackage; print(plainpackage.f.__annotations__)"
    output = run_python(probe, str(root), env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert output.strip() == "{'x': <class 'int'>, 'return': <class 'str'>}"


def _groups(cache: Path) -> dict[str, list[str]]:
    """Each group's import root, with the names of the modules' cache files it holds."""
    groups = {}
    for root_file in (cache / "gpulab" / "lazy-annotations").rglob("root"):
        groups[root_file.read_text()] = sorted(path.name for path in root_file.parent.glob("*.pyc"))
    return groups


def test_code_is_cached_in_a_group_for_the_folder_the_module_was_found_in(tmp_path):
    first, second, cache = _binding(tmp_path / "first"), _binding(tmp_path / "second"), tmp_path / "cache"
    _probe(first, cache)
    _probe(second, cache)
    groups = _groups(cache)
    assert sorted(groups) == [str(first), str(second)]
    assert [len(names) for names in groups.values()] == [1, 1]
    assert len(_cached(cache)) == 2


def test_a_new_import_root_removes_the_code_of_roots_that_no_longer_exist(tmp_path):
    kept, removed, cache = _binding(tmp_path / "kept"), _binding(tmp_path / "removed"), tmp_path / "cache"
    _probe(kept, cache)
    _probe(removed, cache)
    layout = next((cache / "gpulab" / "lazy-annotations").iterdir())
    ungrouped = layout / "0123abcd.opt-0.pyc"  # an entry of the layout before groups
    ungrouped.write_bytes(b"old")
    unnamed = layout / "being-created"  # a group another process has not named yet
    unnamed.mkdir()
    shutil.rmtree(removed)

    _probe(kept, cache)  # a warm run does not look at the other groups
    assert sorted(_groups(cache)) == [str(kept), str(removed)]
    assert ungrouped.exists()

    new = _binding(tmp_path / "new")
    assert _probe(new, cache) == "lazy 1 True"
    assert sorted(_groups(cache)) == [str(kept), str(new)]
    assert not ungrouped.exists()
    assert unnamed.is_dir()
    assert _probe(kept, cache) == "lazy 1 True"
