"""gpulab machines on GCP: google-cloud-compute against the stand-in, which checks each request against the API's
description (tests/ops/gcp_compute_standin.py)."""

from __future__ import annotations

from gpulab.cli import run
from tests.conftest import ENV_DIR

PROJECT = "pcp-training-000000"  # _fleet.yaml's gcp.project_id
LABELS = {"project": "pcp", "environment": "tiny", "managedby": "gpulab", "owner": "training-team"}


def deploy(compute, names: list[str], status: str = "RUNNING", environment: str = "tiny") -> None:
    """VMs as the GCP stack makes them: its names, labels and zones (spread over the fleet's zones)."""
    zones = ["us-central1-a", "us-central1-b", "us-central1-c"]
    for index, name in enumerate(names):
        labels = {**LABELS, "environment": environment}
        compute.add(PROJECT, zones[index % 3], name, machine_type="n1-standard-4", status=status, labels=labels)


def test_status_lists_the_environments_vms_and_no_others(gcp, capsys):
    deploy(gcp, ["pcp-tiny-worker-0"])
    deploy(gcp, ["pcp-small-worker-0"], environment="small")
    assert run(["machines", "status", "tiny", "--env-dir", str(ENV_DIR)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].split()[0] == "pcp-tiny-worker-0"
    assert lines[0].split()[2:] == ["n1-standard-4", "RUNNING"]


def test_stop_and_start_wait_for_each_vms_operation(gcp, capsys):
    deploy(gcp, ["pcp-tiny-worker-0", "pcp-tiny-worker-1"])
    assert run(["machines", "stop", "tiny", "--env-dir", str(ENV_DIR)]) == 0
    assert [gcp.status(n) for n in ("pcp-tiny-worker-0", "pcp-tiny-worker-1")] == ["TERMINATED", "TERMINATED"]
    assert "instances.stop" in gcp.calls and "zoneOperations.wait" in gcp.calls  # each operation waited for
    assert run(["machines", "start", "tiny", "worker", "--env-dir", str(ENV_DIR)]) == 0
    assert [gcp.status(n) for n in ("pcp-tiny-worker-0", "pcp-tiny-worker-1")] == ["RUNNING", "RUNNING"]
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in out] == ["TERMINATED", "TERMINATED", "RUNNING", "RUNNING"]


def test_a_running_vm_is_not_started_again(gcp):
    deploy(gcp, ["pcp-tiny-worker-0"])
    assert run(["machines", "start", "tiny", "--env-dir", str(ENV_DIR)]) == 0
    assert "instances.start" not in gcp.calls


def test_not_deployed_or_an_unknown_group_is_one_clear_line(gcp, capsys):
    assert run(["machines", "status", "tiny", "--env-dir", str(ENV_DIR)]) == 2
    assert run(["machines", "stop", "tiny", "gpu", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "tiny: no machines found in pcp-training-000000 (is it deployed? npx cdktf deploy tiny)",
        "tiny has no machine named 'gpu' (its machines: worker)",
    ]


def test_access_denied_is_one_line(gcp, capsys):
    deploy(gcp, ["pcp-tiny-worker-0"])
    gcp.refuse_with = 403
    assert run(["machines", "status", "tiny", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.strip() == (
        "listing the machines: access denied (refused by the stand-in); the signed-in identity lacks the permission"
    )


def test_rate_limited_answers_are_retried(gcp, capsys):
    deploy(gcp, ["pcp-tiny-worker-0"])
    gcp.refuse_next = 2
    gcp.refuse_with = 429
    assert run(["machines", "status", "tiny", "--env-dir", str(ENV_DIR)]) == 0
    assert gcp.calls.count("instances.aggregatedList") == 3


def test_no_credentials_say_how_to_sign_in(gcp, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "no-gcloud"))  # no gcloud application-default login
    assert run(["machines", "status", "tiny", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.strip() == (
        "no Google credentials (run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS)"
    )
