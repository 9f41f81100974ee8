"""A whole training run on moto: stopped machines started, the job run by the agent, results collected, stopped."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from gpulab.cli import run
from tests.conftest import ENV_DIR
from tests.ops.agents import run_id_of, run_with_agents
from tests.ops.test_aws_machines import _deploy, _states

BUCKET = "mlinfra-dev-datasets"  # dev's first bucket: <project>-<env>-<name>
NAMES = ["mlinfra-dev-trainer-0", "mlinfra-dev-trainer-1"]


@pytest.fixture
def two_trainers(aws, tmp_path) -> tuple[Path, dict[str, str]]:
    """dev with two trainers, deployed and stopped, and its bucket; the environment folder and name → id."""
    env_dir = tmp_path / "environments"
    env_dir.mkdir()
    dev = (
        (ENV_DIR / "dev.yaml")
        .read_text()
        .replace("    idle_stop_minutes: 60", "    idle_stop_minutes: 60\n    count: 2")
    )
    (env_dir / "dev.yaml").write_text(dev)
    ids = _deploy(NAMES)
    boto3.client("ec2", region_name="us-east-1").stop_instances(InstanceIds=list(ids.values()))
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
    return env_dir, ids


def _run(tmp_path: Path, env_dir: Path, *tail: str) -> int:
    configs = [{"cloud": "aws", "bucket": BUCKET, "machine": name, "region": "us-east-1"} for name in NAMES]
    return run_with_agents(tmp_path, env_dir, "dev", configs, *tail)


def test_a_whole_run_starts_runs_collects_and_stops(two_trainers, tmp_path, capsys):
    env_dir, ids = two_trainers
    job = 'echo trained on "$GPULAB_MACHINE"; echo weights > "$GPULAB_RESULTS/model.txt"'
    assert _run(tmp_path, env_dir, "--", "sh", "-c", job) == 0
    out = capsys.readouterr().out
    run_id = run_id_of(out)
    for name in NAMES:
        local = tmp_path / "runs" / run_id / name
        assert (local / "output.log").read_text() == f"trained on {name}\n"
        assert (local / "results" / "model.txt").read_text() == "weights\n"
        assert json.loads((local / "done.json").read_text())["exit_code"] == 0
        assert f"run {run_id}: {name} done (exit code 0)" in out
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="runs/")["Contents"]}
    assert f"runs/{run_id}/{NAMES[1]}/done.json" in keys and not any(k.startswith("runs/queue/") for k in keys)
    assert _states(ids) == dict.fromkeys(NAMES, "stopped")
    assert f"run {run_id}: machines stopped" in out


def test_a_job_that_fails_on_one_machine_is_named_and_every_machine_still_stops(two_trainers, tmp_path, capsys):
    env_dir, ids = two_trainers
    job = f'echo starting; [ "$GPULAB_MACHINE" != "{NAMES[1]}" ] || {{ echo "out of memory" >&2; exit 3; }}'
    assert _run(tmp_path, env_dir, "--", "sh", "-c", job) == 1
    captured = capsys.readouterr()
    run_id = run_id_of(captured.out)
    assert f"run {run_id}: failed on {NAMES[1]}" in captured.err
    assert (tmp_path / "runs" / run_id / NAMES[1] / "output.log").read_text() == "starting\nout of memory\n"
    assert json.loads((tmp_path / "runs" / run_id / NAMES[1] / "done.json").read_text())["exit_code"] == 3
    assert _states(ids) == dict.fromkeys(NAMES, "stopped")


def test_keep_alive_leaves_them_running_and_says_which_safety_net_still_applies(two_trainers, tmp_path, capsys):
    env_dir, ids = two_trainers
    assert _run(tmp_path, env_dir, "--keep-alive", "--", "true") == 0
    assert "machines kept running (the idle stop still stops them after 60 idle minutes)" in capsys.readouterr().out
    assert _states(ids) == dict.fromkeys(NAMES, "running")


def test_a_run_needs_one_command_or_script(capsys):
    assert run(["run", "dev", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.strip() == "give a command after -- or --script FILE (its arguments after --)"


def test_a_script_runs_with_the_arguments_after_the_double_dash(two_trainers, tmp_path, capsys):
    env_dir, _ = two_trainers
    script = tmp_path / "train.sh"
    script.write_text('echo "epochs=$1 rate=$2" > "$GPULAB_RESULTS/args.txt"\n')
    assert _run(tmp_path, env_dir, "--script", str(script), "--", "10", "0.001") == 0
    run_id = run_id_of(capsys.readouterr().out)
    for name in NAMES:
        assert (tmp_path / "runs" / run_id / name / "results" / "args.txt").read_text() == "epochs=10 rate=0.001\n"
