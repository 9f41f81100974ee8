"""`gpulab run` on AWS: start the machines, hand them a job through the bucket, wait, collect, stop them.

The job goes to the environment's first bucket (`<project>-<env>-<name>`, Environment.bucket_name)
under `runs/` (the layout is in gpulab/agent/run_agent.py, the agent each
machine runs at boot and every minute). A machine is done when its
completion marker, `runs/<run id>/<machine>/done.json`, exists; the run
waits for every machine's, then copies `runs/<run id>/` to the local
`runs/<run id>/` and stops the machines, whatever happened, unless
`keep_alive`. A machine whose job failed is named, and the others still
finish and stop.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gpulab.config.model import Environment
from gpulab.ops import aws_machines
from gpulab.ops.aws_clients import OpsError, call, client


@dataclass
class RunOutcome:
    run_id: str
    bucket: str
    exit_codes: dict[str, int | None] = field(default_factory=dict)  # machine → exit code, None: no marker in time
    local: Path | None = None

    @property
    def failed(self) -> list[str]:
        return [name for name, code in self.exit_codes.items() if code != 0]


def run_bucket(env: Environment) -> str:
    if not env.buckets:
        raise OpsError(f"{env.name}: has no bucket to hand jobs through (add one under buckets:)")
    return env.bucket_name(env.buckets[0])


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
    bucket = run_bucket(env)
    instances = aws_machines.find(env, machine)
    names = [i.name for i in instances]
    outcome = RunOutcome(new_run_id(), bucket)
    s3 = client("s3", env.region)
    job = {**job, "machines": names, "environment": env.name}
    call(
        "handing the job over",
        s3.put_object,
        Bucket=bucket,
        Key=f"runs/{outcome.run_id}/job.json",
        Body=json.dumps(job).encode(),
    )
    for name in names:
        entry = json.dumps({"run_id": outcome.run_id}).encode()
        call(f"queueing the job for {name}", s3.put_object, Bucket=bucket, Key=f"runs/queue/{name}.json", Body=entry)
    say(f"run {outcome.run_id}: {len(names)} machine(s), job in s3://{bucket}/runs/{outcome.run_id}/")
    try:
        aws_machines.start(env, machine)
        say(f"run {outcome.run_id}: machines running: {', '.join(names)}")
        outcome.exit_codes = _wait(s3, bucket, outcome.run_id, names, poll_seconds, timeout_seconds, say)
        outcome.local = _collect(s3, bucket, outcome.run_id, local_root)
    finally:
        if keep_alive:
            minutes = {m.idle_stop_minutes for m in env.machines if m.idle_stop_minutes}
            net = f"the idle stop still stops them after {min(minutes)} idle minutes" if minutes else "no idle stop"
            say(f"run {outcome.run_id}: machines kept running ({net})")
        else:
            aws_machines.stop(env, machine)
            say(f"run {outcome.run_id}: machines stopped")
    return outcome


def _wait(s3, bucket: str, run_id: str, names: list[str], poll: float, timeout: float, say) -> dict[str, int | None]:
    codes: dict[str, int | None] = dict.fromkeys(names)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in [n for n, code in codes.items() if code is None]:
            key = f"runs/{run_id}/{name}/done.json"
            try:
                marker = json.loads(call(f"reading {name}'s marker", _get_if_there, s3=s3, bucket=bucket, key=key))
            except FileNotFoundError:
                continue
            codes[name] = int(marker["exit_code"])
            say(f"run {run_id}: {name} done (exit code {codes[name]})")
        if all(code is not None for code in codes.values()):
            return codes
        time.sleep(poll)
    say(f"run {run_id}: gave up waiting after {timeout:g} s for {', '.join(n for n, c in codes.items() if c is None)}")
    return codes


def _get_if_there(*, s3, bucket: str, key: str) -> bytes:
    """The object's bytes; FileNotFoundError when there is none yet (other failures go to `call`)."""
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        raise FileNotFoundError(key) from None


def _collect(s3, bucket: str, run_id: str, local_root: Path) -> Path:
    """Copy everything under runs/<run id>/ to local_root/<run id>/."""
    target = local_root / run_id
    paginator = s3.get_paginator("list_objects_v2")
    pages = call(
        "listing the run's files", lambda **kw: list(paginator.paginate(**kw)), Bucket=bucket, Prefix=f"runs/{run_id}/"
    )
    for page in pages:
        for item in page.get("Contents", []):
            relative = item["Key"].removeprefix(f"runs/{run_id}/")
            destination = target / relative
            if ".." in Path(relative).parts:
                raise OpsError(f"s3://{bucket}/{item['Key']}: refusing a key that leaves the run's folder")
            destination.parent.mkdir(parents=True, exist_ok=True)
            call(f"downloading {relative}", s3.download_file, Bucket=bucket, Key=item["Key"], Filename=str(destination))
    return target
