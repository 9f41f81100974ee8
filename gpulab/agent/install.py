"""Shell lines that install gpulab's idle watchdog (idle_watchdog.py) on a machine, for its boot script.

The script, its configuration and a systemd service with a timer are
written by here-documents (quoted, so nothing in them is expanded); the
timer runs the watchdog every minute from five minutes after boot. Running
the lines again (Compute Engine runs its startup script at every start)
rewrites the same files and restarts the timer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from gpulab.rules import limits

WATCHDOG_SOURCE = Path(__file__).with_name("idle_watchdog.py")
STOP_METHODS = ("shutdown", "azure-deallocate")
SERVICE = """[Unit]
Description=gpulab idle watchdog: stop this machine after its idle minutes
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/bin/python3 /usr/local/lib/gpulab/idle_watchdog.py --config /etc/gpulab/idle-watchdog.json
"""
TIMER = """[Unit]
Description=Run the gpulab idle watchdog every minute

[Timer]
OnBootSec=5min
OnUnitActiveSec=1min
AccuracySec=10s

[Install]
WantedBy=timers.target
"""


def _file(path: str, text: str, mode: str) -> list[str]:
    delimiter = "GPULAB_EOF"
    if any(line == delimiter for line in text.splitlines()):
        raise ValueError(f"{path}: holds a line {delimiter!r}, which would end its here-document")
    return [f"cat > {path} <<'{delimiter}'", text.rstrip("\n"), delimiter, f"chmod {mode} {path}"]


def idle_watchdog_lines(*, idle_minutes: int, stop: str, processes: Sequence[str] = ()) -> list[str]:
    """Install and start the watchdog: stop this machine (`stop`: shutdown or azure-deallocate) after
    `idle_minutes` without GPU work, CPU load, logged-in users or any of `processes`."""
    low, high = limits.IDLE_STOP_MINUTES
    if not low <= idle_minutes <= high:
        raise ValueError(f"idle_minutes must be between {low} and {high}, got {idle_minutes}")
    if stop not in STOP_METHODS:
        raise ValueError(f"stop must be one of {', '.join(STOP_METHODS)}, got {stop!r}")
    config = json.dumps({"idle_minutes": idle_minutes, "stop": stop, "processes": list(processes)}, sort_keys=True)
    return [
        "# gpulab idle watchdog: stops this machine when it has been idle for its idle minutes",
        "install -d -m 0755 /usr/local/lib/gpulab /etc/gpulab",
        *_file("/usr/local/lib/gpulab/idle_watchdog.py", WATCHDOG_SOURCE.read_text(encoding="utf-8"), "0755"),
        *_file("/etc/gpulab/idle-watchdog.json", config, "0644"),
        *_file("/etc/systemd/system/gpulab-idle-watchdog.service", SERVICE, "0644"),
        *_file("/etc/systemd/system/gpulab-idle-watchdog.timer", TIMER, "0644"),
        "systemctl daemon-reload",
        "systemctl enable gpulab-idle-watchdog.timer",
        "systemctl restart gpulab-idle-watchdog.timer",
    ]
