"""`gpulab run`: start the machines, hand them a job through the bucket, wait, collect, stop them; on any cloud.

The job goes to the environment's first bucket under `runs/` (the layout is
in gpulab/agent/run_agent.py, the agent each machine runs at boot and every
minute). A machine is done when its completion marker,
`runs/<run id>/<machine>/done.json`, exists; the run waits for every
machine's, then copies `runs/<run id>/` to the local `runs/<run id>/` and
stops the machines, whatever happened, unless `keep_alive`. A machine whose
job failed is named, and the others still finish and stop. The cloud's part
(machines and bucket) comes from gpulab.ops.fleet.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gpulab.config.model import Environment
from gpulab.ops import fleet
from gpulab.ops.errors import OpsError


@dataclass
class RunOutcome:
    run_id: str
    store: str
    exit_codes: dict[str, int | None] = field(default_factory=dict)  # machine → exit code, None: no marker in time
    local: Path | None = None

    @property
    def failed(self) -> list[str]:
        return [name for name, code in self.exit_codes.items() if code != 0]


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def start_run(
    env: Environment,
    job: dict,
    *,
    machine: str | None = None,
    keep_alive: bool = False,
    local_root: Path = Path("runs"),
    poll_seconds: float = 15,
    timeout_seconds: float = 24 * 3600,
    say: Callable[[str], None] = print,
) -> RunOutcome:
    """Run `job` ({"command": [...]} or {"script": "..."}, optional "arguments") on the machines; wait and collect."""
    machines = fleet.machines(env)
    store = fleet.job_store(env)
    names = [m.name for m in machines.find(env, machine)]
    outcome = RunOutcome(new_run_id(), store.url)
    store.put(
        f"runs/{outcome.run_id}/job.json", json.dumps({**job, "machines": names, "environment": env.name}).encode()
    )
    for name in names:
        store.put(f"runs/queue/{name}.json", json.dumps({"run_id": outcome.run_id}).encode())
    say(f"run {outcome.run_id}: {len(names)} machine(s), job in {store.url}/runs/{outcome.run_id}/")
    try:
        machines.start(env, machine)
        say(f"run {outcome.run_id}: machines running: {', '.join(names)}")
        outcome.exit_codes = _wait(store, outcome.run_id, names, poll_seconds, timeout_seconds, say)
        outcome.local = _collect(store, outcome.run_id, local_root)
    finally:
        if keep_alive:
            say(f"run {outcome.run_id}: machines kept running ({safety_nets(env)})")
        else:
            machines.stop(env, machine)
            say(f"run {outcome.run_id}: machines stopped")
    return outcome


def safety_nets(env: Environment) -> str:
    """What still stops machines left running: the idle stop on every cloud; the daily stop (shutdown_at) on Azure
    and GCP; the longest run (max_run_hours) on GCP. AWS builds neither of the last two."""
    nets = []
    idle = {m.idle_stop_minutes for m in env.machines if m.idle_stop_minutes}
    if idle:
        nets.append(f"the idle stop still stops them after {min(idle)} idle minutes")
    daily = sorted({m.shutdown_at for m in env.machines if m.shutdown_at}) if env.cloud in ("azure", "gcp") else []
    if daily:
        nets.append(f"the daily stop at {', '.join(daily)}")
    hours = {m.max_run_hours for m in env.machines if m.max_run_hours} if env.cloud == "gcp" else set()
    if hours:
        nets.append(f"a run's stop after {max(hours)} h")
    return "; ".join(nets) or "no idle stop, no schedule: stop them with gpulab machines stop"


def _wait(store, run_id: str, names: list[str], poll: float, timeout: float, say) -> dict[str, int | None]:
    codes: dict[str, int | None] = dict.fromkeys(names)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in [n for n, code in codes.items() if code is None]:
            marker = store.get(f"runs/{run_id}/{name}/done.json")
            if marker is None:
                continue
            codes[name] = int(json.loads(marker)["exit_code"])
            say(f"run {run_id}: {name} done (exit code {codes[name]})")
        if all(code is not None for code in codes.values()):
            return codes
        time.sleep(poll)
    say(f"run {run_id}: gave up waiting after {timeout:g} s for {', '.join(n for n, c in codes.items() if c is None)}")
    return codes


def _collect(store, run_id: str, local_root: Path) -> Path:
    """Copy everything under runs/<run id>/ to local_root/<run id>/."""
    target = local_root / run_id
    for key in store.keys(f"runs/{run_id}/"):
        relative = key.removeprefix(f"runs/{run_id}/")
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            raise OpsError(f"{store.url}/{key}: refusing a key that leaves the run's folder")
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        store.download(key, destination)
    return target
