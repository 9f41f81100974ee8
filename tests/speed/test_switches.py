"""A GPULAB_* switch with a value it does not know warns once and keeps its default: an import never fails."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(
    "setting,warning",
    [
        ("GPULAB_LAZY_IMPORT=bogus", "GPULAB_LAZY_IMPORT='bogus' is not one of both, python, js, off; using both"),
        ("GPULAB_ASYNC_CREATES=of", "GPULAB_ASYNC_CREATES='of' is not one of on, off; using on"),
    ],
)
def test_a_typo_in_a_switch_warns_once_and_the_speed_layer_still_turns_on(setting, warning):
    name, value = setting.split("=")
    code = (
        "from gpulab.speed.fast_import import enable_fast_provider_loading as on; on(); "
        "import gpulab.speed.async_creates as a; a.enabled(); a.enabled(); print('imported')"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", name: value},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "imported\n"
    lines = [line for line in run.stderr.splitlines() if "SwitchWarning" in line]
    assert len(lines) == 1 and lines[0].endswith(f"SwitchWarning: {warning}")


@pytest.mark.parametrize("value,on", [("off", False), ("0", False), ("FALSE", False), ("on", True), ("1", True)])
def test_the_usual_words_for_on_and_off_are_understood_without_a_warning(value, on, monkeypatch, recwarn):
    from gpulab.speed.switches import switched_on

    monkeypatch.setenv("GPULAB_ASYNC_CREATES", value)
    assert switched_on("GPULAB_ASYNC_CREATES") is on
    assert not recwarn.list
