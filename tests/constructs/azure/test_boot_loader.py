"""The Azure boot loader, run for real with `curl` standing in for the metadata service: runs changed scripts once."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest

from gpulab.constructs.azure.boot_loader import STATE_DIR, custom_data, loader, unit, user_data_script


@pytest.fixture
def vm(tmp_path: Path) -> dict:
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    # curl -sf -H Metadata:true URL -o FILE: copies what the "metadata service" holds into FILE
    (bin_dir / "curl").write_text('#!/bin/bash\nout="${@: -1}"\ncp "$USER_DATA" "$out"\n')
    (bin_dir / "curl").chmod(0o755)
    script = tmp_path / "gpulab-boot"
    script.write_text(loader().replace(f"STATE={STATE_DIR}", f"STATE={state}"))
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "USER_DATA": str(tmp_path / "user-data.b64")}
    return {"loader": script, "env": env, "root": tmp_path}


def _set_user_data(vm: dict, script: str) -> None:
    (vm["root"] / "user-data.b64").write_text(base64.b64encode(user_data_script(script).encode()).decode())


def _boot(vm: dict) -> int:
    return subprocess.run([str(vm["loader"])], env=vm["env"], capture_output=True, timeout=30).returncode


def test_a_boot_script_runs_once_and_again_only_when_the_user_data_changes(vm):
    runs = vm["root"] / "runs"
    _set_user_data(vm, f"#!/bin/bash\necho one >> {runs}\n")
    assert _boot(vm) == 0 and _boot(vm) == 0
    assert runs.read_text() == "one\n", "the same script is not run at every boot"
    _set_user_data(vm, f"#!/bin/bash\necho two >> {runs}\n")
    assert _boot(vm) == 0
    assert runs.read_text() == "one\ntwo\n"


def test_a_failed_boot_script_is_run_again_at_the_next_boot(vm):
    runs = vm["root"] / "runs"
    _set_user_data(vm, f"#!/bin/bash\necho try >> {runs}\nexit 3\n")
    assert _boot(vm) == 1 and _boot(vm) == 1
    assert runs.read_text() == "try\ntry\n"


def test_the_custom_data_is_valid_bash_installs_the_loader_verbatim_and_never_varies(tmp_path):
    path = tmp_path / "custom-data.sh"
    path.write_text(custom_data())
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    assert loader().rstrip("\n") in custom_data() and unit().rstrip("\n") in custom_data()
    assert "${" not in custom_data() and "%{" not in custom_data()
