#!/usr/bin/env python3
"""gpulab's run agent: run the training job `gpulab run` queued for this machine, and hand back what it made.

Runs on the machine (a systemd timer, every minute, and at boot) with boto3
and this machine's role. The job comes through the environment's bucket:

    runs/queue/<machine>.json        {"run_id": …} for this machine (the agent deletes it when it starts)
    runs/<run id>/job.json           {"command": [...]} or {"script": "..."}, arguments, the machines
    runs/<run id>/<machine>/output.log     what the job printed, stdout and stderr together
    runs/<run id>/<machine>/results/…      every file the job left in $GPULAB_RESULTS
    runs/<run id>/<machine>/done.json      {"exit_code": n, "finished": …}: the completion marker, written last

The job runs in /data/runs/<run id> (the data disk, so a long job's
checkpoints outlive a stop) with GPULAB_RUN_ID, GPULAB_MACHINE and
GPULAB_RESULTS set. One job at a time: a lock file keeps a second timer run
out. Configuration: /etc/gpulab/run-agent.json ({"bucket", "machine"}, and
"region" where the instance metadata service should not be asked;
`--config` for another), written by the boot script.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

WORK_ROOT = Path(os.environ.get("GPULAB_RUN_ROOT", "/data/runs"))


def instance_region() -> str:
    """This EC2 instance's region, from the instance metadata service (IMDSv2: a session token first)."""
    import urllib.request

    base = os.environ.get("GPULAB_IMDS_URL", "http://169.254.169.254")
    token_request = urllib.request.Request(
        f"{base}/latest/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    )
    with urllib.request.urlopen(token_request, timeout=5) as response:  # noqa: S310 - the metadata service
        token = response.read().decode()
    region_request = urllib.request.Request(
        f"{base}/latest/meta-data/placement/region", headers={"X-aws-ec2-metadata-token": token}
    )
    with urllib.request.urlopen(region_request, timeout=5) as response:  # noqa: S310 - the metadata service
        return response.read().decode().strip()


def s3_client(region: str):
    import boto3

    return boto3.session.Session(region_name=region).client("s3")


def take_job(s3, bucket: str, machine: str) -> dict | None:
    """The job queued for `machine` (removed from the queue), or None."""
    key = f"runs/queue/{machine}.json"
    try:
        queued = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None
    s3.delete_object(Bucket=bucket, Key=key)
    run_id = queued["run_id"]
    job = json.loads(s3.get_object(Bucket=bucket, Key=f"runs/{run_id}/job.json")["Body"].read())
    return {**job, "run_id": run_id}


def run_job(s3, bucket: str, machine: str, job: dict) -> int:
    """Run `job`, upload its log, results and completion marker; its exit code."""
    run_id = job["run_id"]
    work = WORK_ROOT / run_id
    results = work / "results"
    results.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GPULAB_RUN_ID": run_id, "GPULAB_MACHINE": machine, "GPULAB_RESULTS": str(results)}
    if "script" in job:
        script = work / "job.sh"
        script.write_text(job["script"])
        command = ["bash", str(script), *job.get("arguments", [])]
    else:
        command = [*job["command"], *job.get("arguments", [])]
    log = work / "output.log"
    with log.open("wb") as output:
        try:
            exit_code = subprocess.run(command, cwd=work, env=env, stdout=output, stderr=subprocess.STDOUT).returncode
        except OSError as error:
            output.write(f"gpulab run agent: cannot start {command[0]}: {error}\n".encode())
            exit_code = 127
    prefix = f"runs/{run_id}/{machine}"
    s3.upload_file(str(log), bucket, f"{prefix}/output.log")
    for path in sorted(p for p in results.rglob("*") if p.is_file()):
        s3.upload_file(str(path), bucket, f"{prefix}/results/{path.relative_to(results).as_posix()}")
    marker = {"exit_code": exit_code, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    s3.put_object(Bucket=bucket, Key=f"{prefix}/done.json", Body=json.dumps(marker).encode())
    return exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the job queued for this machine.")
    parser.add_argument("--config", type=Path, default=Path("/etc/gpulab/run-agent.json"))
    options = parser.parse_args(argv)
    config = json.loads(options.config.read_text())
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    with (WORK_ROOT / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("a job is running; nothing taken", flush=True)
            return 0
        s3 = s3_client(config.get("region") or instance_region())
        job = take_job(s3, config["bucket"], config["machine"])
        if job is None:
            print("no job queued", flush=True)
            return 0
        print(f"run {job['run_id']}: started", flush=True)
        exit_code = run_job(s3, config["bucket"], config["machine"], job)
        print(f"run {job['run_id']}: finished with exit code {exit_code}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
