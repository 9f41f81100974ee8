"""The library is pip-installable: the wheel carries the code, the JS preloads and its dependencies."""

import subprocess
import sys
import zipfile

from gpulab.speed.fast_import import JS_PRELOAD, PRELOAD_SUPPORT, SWITCHED_PRELOADS
from tests.conftest import REPO


def test_wheel_holds_the_constructs_the_preload_and_the_console_script(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("gpulab-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    scripts = (JS_PRELOAD, PRELOAD_SUPPORT, *SWITCHED_PRELOADS.values())
    preloads = {f"gpulab/speed/{script.name}" for script in scripts}
    assert preloads | {"gpulab/constructs/aws/gpu_vm.py", "gpulab/cli.py"} <= names
    assert "gpulab/py.typed" in names, "type checkers read gpulab's annotations (PEP 561)"
    assert not any(n.startswith(("tests/", "examples/")) for n in names)
    assert "Requires-Dist: cdktf-cdktf-provider-aws<22,>=21.22" in metadata
    assert "Requires-Dist: cdktf-cdktf-provider-azurerm<15,>=14.23" in metadata
    assert "Requires-Dist: cdktf-cdktf-provider-google<17,>=16.12" in metadata
    assert "gpulab = gpulab.cli:entry_point" in entry_points
