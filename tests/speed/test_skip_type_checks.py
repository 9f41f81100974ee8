"""The `gpulab` command's binding modules run without their `if __debug__:` argument checks; library users keep them."""

from __future__ import annotations

import os
import textwrap

from tests.speed.binding_probe import run_python, write_package

# What jsii generates, reduced: the check runs only under `if __debug__:`.
GENERATED = textwrap.dedent(
    """
    def put(value):
        if __debug__:
            if not isinstance(value, str):
                raise TypeError("checked")
        return value
    """
)

PROBE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    if sys.argv[2] == "command":
        from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    else:
        import gpulab; gpulab.enable_fast_loading()
    import cdktf_cdktf_provider_fake.calls as calls
    try:
        print(calls.put(7))
    except TypeError as error:
        print(error)
    """
)


def _put_seven(tmp_path, who: str, **env: str) -> str:
    root = write_package(tmp_path / "src", {"calls": GENERATED})
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONDONTWRITEBYTECODE": "1", **env}
    return run_python(PROBE, str(root), who, env=env).strip()


def test_the_command_runs_bindings_without_their_checks_and_caches_them_apart(tmp_path):
    assert _put_seven(tmp_path, "command") == "7"
    assert _put_seven(tmp_path, "command", GPULAB_SKIP_TYPE_CHECKS="off") == "checked"
    assert _put_seven(tmp_path, "command") == "7"  # from the cache, not the checked compile


def test_library_users_keep_the_checks(tmp_path):
    assert _put_seven(tmp_path, "library") == "checked"


def test_checks_stay_when_lazy_annotations_are_off(tmp_path):
    assert _put_seven(tmp_path, "command", GPULAB_LAZY_ANNOTATIONS="off") == "checked"
