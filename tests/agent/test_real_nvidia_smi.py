"""The watchdog's reading of the real nvidia-smi, on a machine with an NVIDIA GPU and driver.

The other watchdog tests stand a fake nvidia-smi in; this one asks the real one, so a driver whose output the
parser cannot read is found. It runs where a GPU machine is lent (tests/agent/device_check.sh) and is skipped,
saying so, everywhere else.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from gpulab.agent.idle_watchdog import gpu_readings

REAL = shutil.which("nvidia-smi")
pytestmark = pytest.mark.skipif(
    REAL is None or subprocess.run([REAL, "-L"], capture_output=True).returncode != 0,
    reason="no working nvidia-smi here: this test runs on a machine with an NVIDIA GPU (tests/agent/device_check.sh)",
)


def test_the_real_nvidia_smi_reads_as_one_reading_per_gpu():
    listed = subprocess.run([REAL, "-L"], capture_output=True, text=True, check=True).stdout.splitlines()
    readings = gpu_readings()
    assert readings is not None and len(readings) == len([line for line in listed if line.startswith("GPU ")])
    for utilisation, memory in readings:
        assert 0 <= utilisation <= 100 and memory >= 0
