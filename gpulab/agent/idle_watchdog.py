#!/usr/bin/env python3
"""gpulab's idle watchdog: stop this machine, in the way that ends its billing, once it has been idle long enough.

Runs on the machine, once a minute (a systemd timer the boot script
installs), with the Python 3 standard library only. Each run takes one
sample and keeps, in a folder under /run (emptied at every boot), when the
machine was first seen idle; when it has been idle for `idle_minutes`, it
stops the machine.

Idle means no GPU work and nobody working: every GPU's utilisation and
memory below their thresholds (`nvidia-smi --query-gpu=utilization.gpu,
memory.used --format=csv,noheader,nounits`), the one-minute load average per
CPU below its threshold, nobody logged in (`who`), and none of the named
processes running (`pgrep -x`). A reading that cannot be parsed counts as
busy, so a changed nvidia-smi never stops a working machine; a machine
without a working driver (nvidia-smi missing or failing) can do no GPU work,
so only the other signals decide, and the log says so.

Stopping: `shutdown` powers the OS off, which stops billing for compute on
AWS (with `instance_initiated_shutdown_behavior = stop`) and Google Cloud;
`azure-deallocate` asks Azure Resource Manager to deallocate this VM with the
VM's managed identity (an OS shutdown leaves an Azure VM allocated, and
billed). Configuration: a JSON file (`--config`, default
/etc/gpulab/idle-watchdog.json). One log line per run, on stdout (the journal).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DEFAULTS = {
    "idle_minutes": 60,
    "gpu_utilization_percent": 5,
    "gpu_memory_mib": 1024,
    "cpu_load_per_core": 0.25,
    "sessions_keep_alive": True,
    "processes": [],
    "stop": "shutdown",
}
STATE_DIR = Path(os.environ.get("GPULAB_WATCHDOG_STATE", "/run/gpulab"))
IMDS = os.environ.get("GPULAB_IMDS_URL", "http://169.254.169.254")
ARM = os.environ.get("GPULAB_ARM_URL", "https://management.azure.com")
ARM_API_VERSION = "2024-07-01"


class Unreadable(Exception):
    """nvidia-smi answered with something this watchdog cannot read."""


def gpu_readings() -> list[tuple[float, float]] | None:
    """(utilisation %, memory MiB) per GPU; None when there is no working driver."""
    try:
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except FileNotFoundError:
        return None
    except subprocess.TimeoutExpired as error:
        raise Unreadable("nvidia-smi did not answer in 30 s") from error
    if done.returncode != 0:
        return None
    return parse_gpu_readings(done.stdout)


def parse_gpu_readings(text: str) -> list[tuple[float, float]]:
    """nvidia-smi's CSV lines (`37, 1024`) as numbers; Unreadable on anything else ([N/A] included)."""
    readings = []
    for line in text.strip().splitlines():
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != 2:
            raise Unreadable(f"expected 2 fields, got {line!r}")
        try:
            readings.append((float(fields[0]), float(fields[1])))
        except ValueError:
            raise Unreadable(f"not numbers: {line!r}") from None
    if not readings:
        raise Unreadable("no GPU listed")
    return readings


def busy_reasons(config: dict) -> tuple[list[str], bool]:
    """Why the machine is not idle now (empty: idle), and whether it has a working GPU driver."""
    reasons = []
    try:
        gpus = gpu_readings()
    except Unreadable as error:
        return [f"GPU reading unreadable ({error}): counted as busy"], True
    for index, (utilization, memory) in enumerate(gpus or []):
        if utilization >= config["gpu_utilization_percent"] or memory >= config["gpu_memory_mib"]:
            reasons.append(f"GPU {index} at {utilization:g}% and {memory:g} MiB")
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    if load >= config["cpu_load_per_core"]:
        reasons.append(f"CPU load {load:.2f} per core")
    if config["sessions_keep_alive"] and _output(["who"]).strip():
        reasons.append("someone is logged in")
    for name in config["processes"]:
        if _output(["pgrep", "-x", name]).strip():
            reasons.append(f"process {name} is running")
    return reasons, gpus is not None


def _output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False).stdout
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return ""


def check_once(config: dict, now: float) -> str:
    """Sample, update the idle mark, and stop the machine when it is due; one line saying what happened."""
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    mark = STATE_DIR / "idle-since"
    reasons, driver_works = busy_reasons(config)
    driver = "" if driver_works else " (no working GPU driver: CPU, sessions and processes decide)"
    if reasons:
        mark.unlink(missing_ok=True)
        return "busy: " + "; ".join(reasons) + driver
    if not mark.exists():
        mark.write_text(str(now))
    idle_for = (now - float(mark.read_text())) / 60
    if idle_for < config["idle_minutes"]:
        return f"idle for {idle_for:.0f} of {config['idle_minutes']} minutes{driver}"
    mark.unlink(missing_ok=True)
    stop(config["stop"])
    return f"idle for {idle_for:.0f} minutes: stopping ({config['stop']}){driver}"


def stop(how: str) -> None:
    if how == "shutdown":
        subprocess.run(["systemctl", "poweroff"], check=True)
    elif how == "azure-deallocate":
        deallocate_this_azure_vm()
    else:
        raise ValueError(f"unknown stop method {how!r}")


def _get_json(url: str, headers: dict[str, str]) -> dict:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the metadata service and ARM
        return json.load(response)


def deallocate_this_azure_vm() -> None:
    """POST …/deallocate for this VM, with a token of its managed identity, both from the metadata service."""
    metadata = {"Metadata": "true"}
    compute = _get_json(f"{IMDS}/metadata/instance/compute?api-version=2021-02-01", metadata)
    token = _get_json(
        f"{IMDS}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
        metadata,
    )["access_token"]
    request = urllib.request.Request(
        f"{ARM}{compute['resourceId']}/deallocate?api-version={ARM_API_VERSION}",
        method="POST",
        data=b"",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - ARM
        if response.status not in (200, 202):
            raise RuntimeError(f"deallocate answered {response.status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stop this machine once it has been idle long enough.")
    parser.add_argument("--config", type=Path, default=Path("/etc/gpulab/idle-watchdog.json"))
    options = parser.parse_args(argv)
    config = {**DEFAULTS, **json.loads(options.config.read_text())}
    print(check_once(config, time.time()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
