"""Shell lines that install gpulab's idle watchdog (idle_watchdog.py) on a machine, for its boot script.

The program (gzip-compressed and base64-encoded: EC2 user data holds 16 KB),
its configuration and a systemd service with a timer are written by
here-documents (quoted, so nothing in them is expanded); the
timer runs the watchdog every minute from five minutes after boot. Running
the lines again (Compute Engine runs its startup script at every start)
rewrites the same files and restarts the timer.
"""

from __future__ import annotations

import ast
import base64
import functools
import gzip
import json
from collections.abc import Sequence
from pathlib import Path

from gpulab.rules import limits

WATCHDOG_SOURCE = Path(__file__).with_name("idle_watchdog.py")
RUN_AGENT_SOURCE = Path(__file__).with_name("run_agent.py")
# What the run agent needs on each cloud to reach its bucket, as requirements.txt pins it.
AGENT_PACKAGES = {
    "aws": ("boto3==1.44.5",),
    "azure": ("azure-identity==1.27.0", "azure-storage-blob==12.31.1"),
    "gcp": ("google-cloud-storage==3.17.1",),
}
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


def shipped_code(source: str) -> str:
    """`source` without its docstrings and comments (the same program, as `ast` sees it), to ship in a boot script."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return "#!/usr/bin/env python3\n" + ast.unparse(tree) + "\n"


@functools.cache
def _packed(source: Path) -> str:
    """The program in `source`, docstrings left out, gzip-compressed and base64-encoded; made once per program,
    not once per machine (about 9 ms each)."""
    packed = base64.encodebytes(
        gzip.compress(shipped_code(source.read_text(encoding="utf-8")).encode("utf-8"), mtime=0)
    )
    return packed.decode("ascii").rstrip("\n")


def _program(path: str, source: Path) -> list[str]:
    """Write the program in `source` to `path` on the machine, packed: EC2 user data holds 16 KB."""
    return [f"base64 -d <<'GPULAB_EOF' | gunzip > {path}", _packed(source), "GPULAB_EOF", f"chmod 0755 {path}"]


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
        *_program("/usr/local/lib/gpulab/idle_watchdog.py", WATCHDOG_SOURCE),
        *_file("/etc/gpulab/idle-watchdog.json", config, "0644"),
        *_file("/etc/systemd/system/gpulab-idle-watchdog.service", SERVICE, "0644"),
        *_file("/etc/systemd/system/gpulab-idle-watchdog.timer", TIMER, "0644"),
        "systemctl daemon-reload",
        "systemctl enable gpulab-idle-watchdog.timer",
        "systemctl restart gpulab-idle-watchdog.timer",
    ]


RUN_AGENT_SERVICE = """[Unit]
Description=gpulab run agent: run the job gpulab run queued for this machine
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/opt/gpulab-agent/bin/python /usr/local/lib/gpulab/run_agent.py --config /etc/gpulab/run-agent.json
"""
RUN_AGENT_TIMER = """[Unit]
Description=Look for a queued gpulab run every minute

[Timer]
OnBootSec=30s
OnUnitActiveSec=1min
AccuracySec=5s

[Install]
WantedBy=timers.target
"""


def run_agent_lines(*, cloud: str, bucket: str, machine: str, account_url: str | None = None) -> list[str]:
    """Install the run agent (run_agent.py, with its cloud's storage library in its own virtualenv) and start its
    timer: it runs the job `gpulab run` queues for `machine` in `bucket` (on AWS, in the region it asks the
    instance metadata service; on Azure, `bucket` is a container of the storage account at `account_url`)."""
    if cloud not in AGENT_PACKAGES:
        raise ValueError(f"cloud must be one of {', '.join(AGENT_PACKAGES)}, got {cloud!r}")
    if (cloud == "azure") != (account_url is not None):
        raise ValueError("account_url is needed on azure, and only there")
    settings = {"cloud": cloud, "bucket": bucket, "machine": machine}
    config = json.dumps(settings | ({"account_url": account_url} if account_url else {}), sort_keys=True)
    return [
        "# gpulab run agent: runs the job `gpulab run` queues for this machine",
        "install -d -m 0755 /usr/local/lib/gpulab /etc/gpulab",
        "if [ ! -x /opt/gpulab-agent/bin/python ]; then",
        # Ubuntu's cloud images leave out ensurepip (the python3-venv package).
        "  python3 -m venv /opt/gpulab-agent || { rm -rf /opt/gpulab-agent; apt-get -qq update;"
        " apt-get -qq install -y python3-venv && python3 -m venv /opt/gpulab-agent; }",
        f"  /opt/gpulab-agent/bin/pip install --quiet {' '.join(repr(spec) for spec in AGENT_PACKAGES[cloud])}",
        "fi",
        *_program("/usr/local/lib/gpulab/run_agent.py", RUN_AGENT_SOURCE),
        *_file("/etc/gpulab/run-agent.json", config, "0644"),
        *_file("/etc/systemd/system/gpulab-run-agent.service", RUN_AGENT_SERVICE, "0644"),
        *_file("/etc/systemd/system/gpulab-run-agent.timer", RUN_AGENT_TIMER, "0644"),
        "systemctl daemon-reload",
        "systemctl enable gpulab-run-agent.timer",
        "systemctl restart gpulab-run-agent.timer",
    ]
