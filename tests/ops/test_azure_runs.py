"""A whole training run on Azure: the Resource Manager stand-in's VMs started, the job handed through Azurite (a
real blob service, over HTTPS with OAuth) to the agents (local processes with azure-storage-blob and a managed
identity), results collected, VMs deallocated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ENV_DIR
from tests.ops.agents import run_id_of, run_with_agents
from tests.ops.test_azure_machines import deploy

CONTAINER = "datasets"  # echoes' first bucket, a container of its storage account
NAMES = ["vm-echoes-echoes-experiment-0", "vm-echoes-echoes-experiment-1"]


@pytest.fixture
def two_experiments(azure, azurite, tmp_path) -> Path:
    """echoes with two experiment VMs, deployed and deallocated, and its container; the environment folder."""
    from azure.identity import ManagedIdentityCredential
    from azure.storage.blob import ContainerClient

    env_dir = tmp_path / "environments"
    env_dir.mkdir()
    echoes = (ENV_DIR / "echoes.yaml").read_text().replace("    count: 1\n", "    count: 2\n", 1)
    (env_dir / "echoes.yaml").write_text(echoes)
    deploy(azure, NAMES, power="deallocated")
    ContainerClient(azurite, CONTAINER, credential=ManagedIdentityCredential()).create_container()
    return env_dir


def _run(tmp_path: Path, env_dir: Path, account_url: str, *tail: str) -> int:
    configs = [{"cloud": "azure", "bucket": CONTAINER, "machine": n, "account_url": account_url} for n in NAMES]
    return run_with_agents(tmp_path, env_dir, "echoes", configs, *tail)


def test_a_whole_run_starts_runs_collects_and_deallocates(two_experiments, azure, azurite, tmp_path, capsys):
    job = 'echo trained on "$GPULAB_MACHINE"; echo weights > "$GPULAB_RESULTS/model.txt"'
    assert _run(tmp_path, two_experiments, azurite, "--", "sh", "-c", job) == 0
    out = capsys.readouterr().out
    run_id = run_id_of(out)
    assert f"job in {azurite}/{CONTAINER}/runs/{run_id}/" in out
    for name in NAMES:
        local = tmp_path / "runs" / run_id / name
        assert (local / "output.log").read_text() == f"trained on {name}\n"
        assert (local / "results" / "model.txt").read_text() == "weights\n"
        assert json.loads((local / "done.json").read_text())["exit_code"] == 0
    assert [azure.power[n] for n in NAMES] == ["deallocated", "deallocated"]
    assert azure.calls.count("VirtualMachines_Start") == 2 and azure.calls.count("VirtualMachines_Deallocate") == 2


def test_a_job_that_fails_on_one_vm_is_named_and_every_vm_is_still_deallocated(
    two_experiments, azure, azurite, tmp_path, capsys
):
    job = f'[ "$GPULAB_MACHINE" != "{NAMES[1]}" ] || {{ echo "no GPU" >&2; exit 4; }}'
    assert _run(tmp_path, two_experiments, azurite, "--keep-alive", "--", "sh", "-c", job) == 1
    captured = capsys.readouterr()
    run_id = run_id_of(captured.out)
    assert f"run {run_id}: failed on {NAMES[1]}" in captured.err
    assert (tmp_path / "runs" / run_id / NAMES[1] / "output.log").read_text() == "no GPU\n"
    assert "machines kept running (the idle stop still stops them after 60 idle minutes; the daily stop at 19:00)" in (
        captured.out
    )
    assert [azure.power[n] for n in NAMES] == ["running", "running"]
