#!/usr/bin/env python3
"""gpulab's run agent: run the training job `gpulab run` queued for this machine, and hand back what it made.

Runs on the machine (a systemd timer, every minute, and at boot) with this
machine's own identity: boto3 and the instance role on AWS,
google-cloud-storage and the VM's service account on GCP, azure-storage-blob
and the VM's managed identity on Azure. The job comes through the
environment's bucket (on Azure, a container):

    runs/queue/<machine>.json        {"run_id": …} for this machine (the agent deletes it when it starts)
    runs/<run id>/job.json           {"command": [...]} or {"script": "..."}, arguments, the machines
    runs/<run id>/<machine>/output.log     what the job printed, stdout and stderr together
    runs/<run id>/<machine>/results/…      every file the job left in $GPULAB_RESULTS
    runs/<run id>/<machine>/done.json      {"exit_code": n, "finished": …}: the completion marker, written last

The job runs in /data/runs/<run id> (the data disk, so a long job's
checkpoints outlive a stop) with GPULAB_RUN_ID, GPULAB_MACHINE and
GPULAB_RESULTS set. One job at a time: a lock file keeps a second timer run
out. Configuration: /etc/gpulab/run-agent.json ({"cloud", "bucket",
"machine"}; on Azure "account_url"; on AWS "region" where the instance
metadata service should not be asked; `--config` for another), written by
the boot script.
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


class S3Bucket:
    """The job bucket on AWS, through boto3 and the instance role."""

    def __init__(self, bucket: str, region: str) -> None:
        import boto3

        self.bucket = bucket
        self.s3 = boto3.session.Session(region_name=region).client("s3")

    def get(self, key: str) -> bytes | None:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def put(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)

    def upload(self, path: Path, key: str) -> None:
        self.s3.upload_file(str(path), self.bucket, key)


class GcsBucket:
    """The job bucket on GCP, through google-cloud-storage and the VM's service account."""

    def __init__(self, bucket: str) -> None:
        from google.cloud import storage

        self.bucket = storage.Client().bucket(bucket)

    def get(self, key: str) -> bytes | None:
        from google.api_core.exceptions import NotFound

        try:
            return self.bucket.blob(key).download_as_bytes()
        except NotFound:
            return None

    def delete(self, key: str) -> None:
        self.bucket.blob(key).delete()

    def put(self, key: str, data: bytes) -> None:
        self.bucket.blob(key).upload_from_string(data)

    def upload(self, path: Path, key: str) -> None:
        self.bucket.blob(key).upload_from_filename(str(path))


class AzureContainer:
    """The job container on Azure, through azure-storage-blob and the VM's managed identity."""

    def __init__(self, account_url: str, container: str) -> None:
        from azure.identity import ManagedIdentityCredential
        from azure.storage.blob import ContainerClient

        self.container = ContainerClient(account_url, container, credential=ManagedIdentityCredential())

    def get(self, key: str) -> bytes | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self.container.download_blob(key).readall()
        except ResourceNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self.container.delete_blob(key)

    def put(self, key: str, data: bytes) -> None:
        self.container.upload_blob(key, data, overwrite=True)

    def upload(self, path: Path, key: str) -> None:
        with path.open("rb") as data:
            self.container.upload_blob(key, data, overwrite=True)


def job_bucket(config: dict):
    """The bucket the configuration names, on its cloud."""
    if config["cloud"] == "aws":
        return S3Bucket(config["bucket"], config.get("region") or instance_region())
    if config["cloud"] == "gcp":
        return GcsBucket(config["bucket"])
    if config["cloud"] == "azure":
        return AzureContainer(config["account_url"], config["bucket"])
    raise ValueError(f"run agent: unknown cloud {config['cloud']!r}")


def take_job(store, machine: str) -> dict | None:
    """The job queued for `machine` (removed from the queue), or None."""
    key = f"runs/queue/{machine}.json"
    queued = store.get(key)
    if queued is None:
        return None
    store.delete(key)
    run_id = json.loads(queued)["run_id"]
    job = json.loads(store.get(f"runs/{run_id}/job.json"))
    return {**job, "run_id": run_id}


def run_job(store, machine: str, job: dict) -> int:
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
    store.upload(log, f"{prefix}/output.log")
    for path in sorted(p for p in results.rglob("*") if p.is_file()):
        store.upload(path, f"{prefix}/results/{path.relative_to(results).as_posix()}")
    marker = {"exit_code": exit_code, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    store.put(f"{prefix}/done.json", json.dumps(marker).encode())
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
        store = job_bucket(config)
        job = take_job(store, config["machine"])
        if job is None:
            print("no job queued", flush=True)
            return 0
        print(f"run {job['run_id']}: started", flush=True)
        exit_code = run_job(store, config["machine"], job)
        print(f"run {job['run_id']}: finished with exit code {exit_code}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
