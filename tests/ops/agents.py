"""`gpulab run` in a test: the command, while each machine's run agent runs as the machine would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from gpulab.agent import run_agent
from gpulab.cli import run


def _agent(tmp_path: Path, config: dict, stop: threading.Event) -> threading.Thread:
    """The agent of machine config["machine"], as a process every 0.2 s (the machine's timer: every minute)."""
    name = config["machine"]
    config_file = tmp_path / f"{name}.json"
    config_file.write_text(json.dumps(config))
    env = {**os.environ, "GPULAB_RUN_ROOT": str(tmp_path / name / "runs")}
    command = [sys.executable, run_agent.__file__, "--config", str(config_file)]

    def loop() -> None:
        while not stop.is_set():
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            if "finished with exit code" in done.stdout:
                return
            time.sleep(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def run_with_agents(tmp_path: Path, env_dir: Path, env_name: str, configs: list[dict], *tail: str) -> int:
    """`gpulab run ENV … TAIL` (its own options, then -- and the command) while an agent runs per config."""
    stop = threading.Event()
    agents = [_agent(tmp_path, config, stop) for config in configs]
    try:
        args = ["run", env_name, "--env-dir", str(env_dir), "--poll-seconds", "0.2", "--timeout-minutes", "2"]
        return run([*args, "--out", str(tmp_path / "runs"), *tail])
    finally:
        stop.set()
        for agent in agents:
            agent.join(timeout=30)


def run_id_of(out: str) -> str:
    """The run id from `gpulab run`'s first line."""
    return out.split("run ", 1)[1].split(":", 1)[0]
