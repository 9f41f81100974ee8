"""The command line's entry point leaves nothing for the collections at interpreter exit (gpulab/fast_exit.py)."""

from __future__ import annotations

import os

import pytest

from gpulab.speed.switches import FREEZE_AT_EXIT
from tests.conftest import ENV_DIR, REPO
from tests.speed.binding_probe import run_python

# Runs main.py as `python main.py <args>` would, then prints its exit code and the frozen object count.
MAIN_PY = f"""
import gc, runpy, sys
sys.argv = ["main.py", *sys.argv[1:]]
try:
    runpy.run_path({str(REPO / "main.py")!r}, run_name="__main__")
except SystemExit as exit_:
    print(exit_.code, gc.get_freeze_count())
"""

IN_PROCESS_RUN = """
import gc, sys
from gpulab.cli import run
print(run(sys.argv[1:]), gc.get_freeze_count())
"""

# validate imports the configuration models: tens of thousands of tracked objects.
EVERYTHING_LOADED = 10_000


def _exit_code_and_frozen(probe: str, *args: str, **env: str) -> tuple[int, int]:
    last_line = run_python(probe, *args, env={**os.environ, **env}).splitlines()[-1]
    code, frozen = last_line.split()
    return int(code), int(frozen)


@pytest.mark.parametrize(("env_dir", "exit_code"), [(ENV_DIR, 0), (REPO / "no-such-folder", 2)])
def test_main_py_freezes_every_object_before_it_exits_and_keeps_its_exit_code(env_dir, exit_code):
    code, frozen = _exit_code_and_frozen(MAIN_PY, "validate", "--env-dir", str(env_dir))
    assert code == exit_code
    assert frozen > EVERYTHING_LOADED


def test_switched_off_nothing_is_frozen():
    assert _exit_code_and_frozen(MAIN_PY, "validate", "--env-dir", str(ENV_DIR), **{FREEZE_AT_EXIT: "off"}) == (0, 0)


def test_running_the_command_line_in_process_freezes_nothing():
    """run() is for callers that go on afterwards: their garbage is still collected."""
    assert _exit_code_and_frozen(IN_PROCESS_RUN, "validate", "--env-dir", str(ENV_DIR)) == (0, 0)
