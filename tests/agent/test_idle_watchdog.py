"""The idle watchdog, run as the machine runs it, with nvidia-smi, who, pgrep and systemctl stood in for on PATH."""

from __future__ import annotations

import ast
import base64
import gzip
import json
import os
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gpulab.agent.idle_watchdog import Unreadable, parse_gpu_readings
from gpulab.agent.install import (
    RUN_AGENT_SOURCE,
    WATCHDOG_SOURCE,
    idle_watchdog_lines,
    run_agent_lines,
    shipped_code,
)

QUIET = {"cpu_load_per_core": 1000}  # this machine's own load never decides these tests


def _tool(bin_dir: Path, name: str, script: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def machine(tmp_path):
    """A bin folder first on PATH (nobody logged in, no named process running, poweroff recorded), a state folder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _tool(bin_dir, "who", "exit 0\n")
    _tool(bin_dir, "pgrep", "exit 1\n")
    _tool(bin_dir, "systemctl", f'echo "$@" >> {tmp_path}/systemctl.log\n')
    return tmp_path


def _gpus(machine: Path, output: str, status: int = 0) -> None:
    _tool(machine / "bin", "nvidia-smi", f"cat <<'EOF'\n{output}\nEOF\nexit {status}\n")


def _run(machine: Path, **config) -> str:
    (machine / "config.json").write_text(json.dumps({**QUIET, **config}))
    env = {**os.environ, "PATH": f"{machine / 'bin'}:/usr/bin:/bin", "GPULAB_WATCHDOG_STATE": str(machine / "state")}
    command = [sys.executable, str(WATCHDOG_SOURCE), "--config", str(machine / "config.json")]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.strip()


def _idle_since(machine: Path, minutes_ago: float) -> None:
    (machine / "state").mkdir(exist_ok=True)
    (machine / "state" / "idle-since").write_text(str(time.time() - minutes_ago * 60))


def _powered_off(machine: Path) -> bool:
    log = machine / "systemctl.log"
    return log.exists() and log.read_text().split() == ["poweroff"]


def test_an_idle_gpu_starts_the_clock_and_stops_the_machine_when_it_runs_out(machine):
    _gpus(machine, "0, 3")
    assert _run(machine, idle_minutes=10) == "idle for 0 of 10 minutes"
    assert not _powered_off(machine)
    _idle_since(machine, 11)
    assert _run(machine, idle_minutes=10) == "idle for 11 minutes: stopping (shutdown)"
    assert _powered_off(machine) and not (machine / "state" / "idle-since").exists()


def test_gpu_work_on_any_gpu_keeps_it_running_and_resets_the_clock(machine):
    _gpus(machine, "0, 3\n87, 30000")
    _idle_since(machine, 30)
    assert _run(machine, idle_minutes=10) == "busy: GPU 1 at 87% and 30000 MiB"
    assert not _powered_off(machine) and not (machine / "state" / "idle-since").exists()
    _gpus(machine, "0, 2048")  # memory held by a loaded model counts as work
    assert _run(machine, idle_minutes=10).startswith("busy: GPU 0 at 0% and 2048 MiB")


@pytest.mark.parametrize("output", ["[N/A], [N/A]", "utilization.gpu, memory.used", "37", ""])
def test_an_unreadable_answer_counts_as_busy(machine, output):
    _gpus(machine, output)
    _idle_since(machine, 30)
    assert _run(machine, idle_minutes=10).startswith("busy: GPU reading unreadable")
    assert not _powered_off(machine)


def test_without_a_working_driver_the_other_signals_decide(machine):
    _gpus(machine, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", status=9)
    _idle_since(machine, 11)
    assert _run(machine, idle_minutes=10) == (
        "idle for 11 minutes: stopping (shutdown) (no working GPU driver: CPU, sessions and processes decide)"
    )
    (machine / "bin" / "nvidia-smi").unlink()  # no driver installed at all
    assert _run(machine, idle_minutes=10).endswith("(no working GPU driver: CPU, sessions and processes decide)")


def test_logged_in_users_named_processes_and_cpu_load_keep_it_running(machine):
    _gpus(machine, "0, 0")
    _tool(machine / "bin", "who", "echo 'ubuntu   pts/0        2026-12-07 05:00 (10.0.0.5)'\n")
    assert _run(machine, idle_minutes=10) == "busy: someone is logged in"
    assert _run(machine, idle_minutes=10, sessions_keep_alive=False) == "idle for 0 of 10 minutes"
    _tool(machine / "bin", "pgrep", 'if [ "$2" = "trainer" ]; then echo 4242; exit 0; fi; exit 1\n')
    assert _run(machine, idle_minutes=10, sessions_keep_alive=False, processes=["trainer"]) == (
        "busy: process trainer is running"
    )
    assert _run(machine, idle_minutes=10, sessions_keep_alive=False, cpu_load_per_core=0).startswith("busy: CPU load")


def test_readings_parse_as_nvidia_smi_writes_them():
    assert parse_gpu_readings("0, 3\n 87 , 30000 \n") == [(0.0, 3.0), (87.0, 30000.0)]
    for garbled in ("[N/A], [N/A]", "0, 3, 4", ""):
        with pytest.raises(Unreadable):
            parse_gpu_readings(garbled)


class _Azure(BaseHTTPRequestHandler):
    """The instance metadata service and Resource Manager, as far as a deallocation goes."""

    calls: list = []
    VM = "/subscriptions/s/resourceGroups/rg-echoes/providers/Microsoft.Compute/virtualMachines/vm-exp-0"

    def do_GET(self):  # noqa: N802 - http.server's name
        self.calls.append(("GET", self.path, self.headers.get("Metadata")))
        if self.path.startswith("/metadata/instance/compute?api-version="):
            body = {"resourceId": self.VM}
        elif self.path.startswith("/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management"):
            body = {"access_token": "token-of-the-vm"}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        self.calls.append(("POST", self.path, self.headers.get("Authorization")))
        self.send_response(202 if self.path == f"{self.VM}/deallocate?api-version=2024-07-01" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_on_azure_it_deallocates_itself_with_its_managed_identity(machine):
    _Azure.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Azure)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    _gpus(machine, "0, 3")
    _idle_since(machine, 61)
    try:
        os.environ["GPULAB_IMDS_URL"], os.environ["GPULAB_ARM_URL"] = url, url
        line = _run(machine, idle_minutes=60, stop="azure-deallocate")
    finally:
        del os.environ["GPULAB_IMDS_URL"], os.environ["GPULAB_ARM_URL"]
        server.shutdown()
    assert line == "idle for 61 minutes: stopping (azure-deallocate)"
    assert [call[0] for call in _Azure.calls] == ["GET", "GET", "POST"]
    assert all(call[2] == "true" for call in _Azure.calls[:2])  # IMDS answers only with Metadata: true
    assert _Azure.calls[2] == ("POST", f"{_Azure.VM}/deallocate?api-version=2024-07-01", "Bearer token-of-the-vm")
    assert not _powered_off(machine)  # an OS shutdown would leave it allocated, and billed


def test_the_install_lines_carry_the_script_and_start_a_timer():
    lines = idle_watchdog_lines(idle_minutes=45, stop="shutdown", processes=["trainer"])
    script = "\n".join(["#!/bin/bash", "set -euo pipefail", *lines])
    assert subprocess.run(["bash", "-n"], input=script, text=True, check=False).returncode == 0
    body = script.split("<<'GPULAB_EOF' | gunzip > /usr/local/lib/gpulab/idle_watchdog.py\n", 1)[1].split(
        "\nGPULAB_EOF"
    )[0]
    assert gzip.decompress(base64.b64decode(body)).decode() == shipped_code(WATCHDOG_SOURCE.read_text())
    assert '{"idle_minutes": 45, "processes": ["trainer"], "stop": "shutdown"}' in script
    assert lines[-2:] == ["systemctl enable gpulab-idle-watchdog.timer", "systemctl restart gpulab-idle-watchdog.timer"]
    with pytest.raises(ValueError, match="idle_minutes must be between 10 and 1440, got 5"):
        idle_watchdog_lines(idle_minutes=5, stop="shutdown")
    with pytest.raises(ValueError, match="stop must be one of shutdown, azure-deallocate, got 'halt'"):
        idle_watchdog_lines(idle_minutes=45, stop="halt")


def test_the_written_program_is_the_packaged_one_without_its_docstrings(tmp_path):
    """The boot script's own decoding (base64 -d | gunzip), run by bash, gives back the package's program: the
    same syntax tree but for docstrings, and it runs."""
    lines = run_agent_lines(cloud="aws", bucket="mlinfra-dev-datasets", machine="mlinfra-dev-trainer-0")
    start = next(i for i, line in enumerate(lines) if "run_agent.py" in line and "base64 -d" in line)
    decode = "\n".join(lines[start : start + 3]).replace(
        "/usr/local/lib/gpulab/run_agent.py", str(tmp_path / "agent.py")
    )
    subprocess.run(["bash", "-e", "-c", decode], check=True)
    written = (tmp_path / "agent.py").read_text()
    assert written == shipped_code(RUN_AGENT_SOURCE.read_text()) and '"""' not in written
    assert ast.dump(ast.parse(written)).count("FunctionDef") == ast.dump(ast.parse(RUN_AGENT_SOURCE.read_text())).count(
        "FunctionDef"
    )
    assert subprocess.run([sys.executable, str(tmp_path / "agent.py"), "--help"], capture_output=True).returncode == 0
    assert '{"bucket": "mlinfra-dev-datasets", "cloud": "aws", "machine": "mlinfra-dev-trainer-0"}' in "\n".join(lines)
