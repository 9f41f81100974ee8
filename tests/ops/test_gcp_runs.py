"""A whole training run on GCP: the compute stand-in's VMs started, the job handed through a real Cloud Storage
emulator to the agents (local processes with google-cloud-storage), results collected, VMs stopped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ENV_DIR
from tests.ops.agents import run_id_of, run_with_agents
from tests.ops.test_gcp_machines import PROJECT, deploy

BUCKET = "pcp-tiny-results"  # tiny's first bucket: <project>-<env>-<name>
NAMES = ["pcp-tiny-worker-0", "pcp-tiny-worker-1"]


@pytest.fixture
def two_workers(gcp, tmp_path) -> Path:
    """tiny with two workers, deployed and stopped, and its bucket; the environment folder."""
    from google.cloud import storage

    env_dir = tmp_path / "environments"
    env_dir.mkdir()
    (env_dir / "_fleet.yaml").write_text((ENV_DIR / "_fleet.yaml").read_text())
    (env_dir / "tiny.yaml").write_text((ENV_DIR / "tiny.yaml").read_text().replace("count: 1", "count: 2"))
    deploy(gcp, NAMES, status="TERMINATED")
    storage.Client(project=PROJECT).create_bucket(BUCKET)
    return env_dir


def _run(tmp_path: Path, env_dir: Path, *tail: str) -> int:
    configs = [{"cloud": "gcp", "bucket": BUCKET, "machine": name} for name in NAMES]
    return run_with_agents(tmp_path, env_dir, "tiny", configs, *tail)


def test_a_whole_run_starts_runs_collects_and_stops(two_workers, gcp, tmp_path, capsys):
    job = 'echo trained on "$GPULAB_MACHINE"; echo weights > "$GPULAB_RESULTS/model.txt"'
    assert _run(tmp_path, two_workers, "--", "sh", "-c", job) == 0
    out = capsys.readouterr().out
    run_id = run_id_of(out)
    assert f"job in gs://{BUCKET}/runs/{run_id}/" in out
    for name in NAMES:
        local = tmp_path / "runs" / run_id / name
        assert (local / "output.log").read_text() == f"trained on {name}\n"
        assert (local / "results" / "model.txt").read_text() == "weights\n"
        assert json.loads((local / "done.json").read_text())["exit_code"] == 0
    assert [gcp.status(n) for n in NAMES] == ["TERMINATED", "TERMINATED"]
    assert gcp.calls.count("instances.start") == 2 and gcp.calls.count("instances.stop") == 2


def test_a_job_that_fails_on_one_vm_is_named_and_every_vm_still_stops(two_workers, gcp, tmp_path, capsys):
    job = f'[ "$GPULAB_MACHINE" != "{NAMES[0]}" ] || {{ echo "CUDA out of memory" >&2; exit 3; }}'
    assert _run(tmp_path, two_workers, "--", "sh", "-c", job) == 1
    captured = capsys.readouterr()
    run_id = run_id_of(captured.out)
    assert f"run {run_id}: failed on {NAMES[0]}" in captured.err
    assert (tmp_path / "runs" / run_id / NAMES[0] / "output.log").read_text() == "CUDA out of memory\n"
    assert [gcp.status(n) for n in NAMES] == ["TERMINATED", "TERMINATED"]


def test_keep_alive_names_every_safety_net_still_on(two_workers, gcp, tmp_path, capsys):
    assert _run(tmp_path, two_workers, "--keep-alive", "--", "true") == 0
    assert (
        "machines kept running (the idle stop still stops them after 60 idle minutes; "
        "the daily stop at 23:00; a run's stop after 12 h)"
    ) in capsys.readouterr().out
    assert [gcp.status(n) for n in NAMES] == ["RUNNING", "RUNNING"]
