"""Cast elision: binding code returns `value` for `typing.cast(T, value)` without building `T`."""

from __future__ import annotations

import ast
import os
import textwrap

import pytest

from gpulab.speed.cast_elision import elide_casts
from tests.speed.binding_probe import run_python, write_package


def _elided(source: str) -> str:
    return ast.unparse(elide_casts(ast.parse(source)))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = typing.cast(typing.Optional[typing.List['Rule']], result)", "x = result"),
        ("return_(typing.cast(A, typing.cast(B, jsii.get(self, 'id'))))", "return_(jsii.get(self, 'id'))"),
        ("f(typing.cast(None, jsii.invoke(self, 'put', [typing.cast(T, v)])))", "f(jsii.invoke(self, 'put', [v]))"),
    ],
)
def test_typing_cast_calls_become_their_value(source, expected):
    assert _elided(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "x = cast(T, value)",
        "x = other.cast(T, value)",
        "x = typing.cast(T, val=value)",
        "x = typing.cast(*pair)",
        "x = typing.cast(T)",
        "x = typing.Optional[T]",
    ],
)
def test_other_spellings_are_kept(source):
    assert _elided(source) == source


def test_the_value_keeps_its_source_position():
    tree = elide_casts(
        ast.parse("def f(self):\n    return typing.cast(\n        T,\n        jsii.get(self, 'id'),\n    )\n")
    )
    returned = tree.body[0].body[0].value
    assert (returned.lineno, returned.col_offset) == (4, 8)


# `Undefined` exists nowhere: building either type expression raises NameError.
GENERATED = textwrap.dedent(
    """
    import typing

    def getter(value):
        return typing.cast(typing.Optional[Undefined], value)

    def keyword_getter(value):
        return typing.cast(Undefined, val=value)
    """
)

PROBE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()  # installs the hooks
    import cdktf_cdktf_provider_fake.getters as getters
    for getter in (getters.getter, getters.keyword_getter):
        try:
            print(getter.__name__, getter(7))
        except NameError:
            print(getter.__name__, "evaluated")
    """
)


def _run_probe(tmp_path, **env: str) -> list[str]:
    root = write_package(tmp_path / "src", {"getters": GENERATED})
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONDONTWRITEBYTECODE": "1", **env}
    return run_python(PROBE, str(root), env=env).splitlines()


def test_binding_modules_run_without_their_casts(tmp_path):
    assert _run_probe(tmp_path) == ["getter 7", "keyword_getter evaluated"]
    assert _run_probe(tmp_path) == ["getter 7", "keyword_getter evaluated"]  # now from the cache


def test_switched_off_casts_are_evaluated_and_cached_apart(tmp_path):
    assert _run_probe(tmp_path) == ["getter 7", "keyword_getter evaluated"]
    assert _run_probe(tmp_path, GPULAB_ELIDE_CASTS="off") == ["getter evaluated", "keyword_getter evaluated"]
    assert _run_probe(tmp_path) == ["getter 7", "keyword_getter evaluated"]


def test_casts_are_kept_when_lazy_annotations_are_off(tmp_path):
    assert _run_probe(tmp_path, GPULAB_LAZY_ANNOTATIONS="off") == ["getter evaluated", "keyword_getter evaluated"]
