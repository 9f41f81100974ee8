"""gpulab machines on Azure: azure-mgmt-compute and azure-identity against the Resource Manager stand-in, which
checks each request against the API's OpenAPI description (tests/ops/azure_arm_standin.py)."""

from __future__ import annotations

from gpulab.cli import run
from tests.conftest import ENV_DIR
from tests.ops.conftest import SUBSCRIPTION

GROUP = "rg-echoes-echoes"  # rg-<project>-<env>
TAGS = {"Project": "echoes", "Environment": "echoes", "ManagedBy": "gpulab", "Owner": "aclarke"}


def deploy(arm, names: list[str], power: str = "running", **tag_changes: str) -> None:
    """VMs as the Azure stack makes them: its resource group, names and tags."""
    for name in names:
        arm.add(SUBSCRIPTION, GROUP, name, size="Standard_NC4as_T4_v3", power=power, tags={**TAGS, **tag_changes})


def test_status_lists_the_experiment_vms_not_the_headquarters_or_foreign_vms(azure, capsys):
    deploy(azure, ["vm-echoes-echoes-experiment-0", "vm-echoes-echoes-hq"])
    deploy(azure, ["vm-echoes-echoes-experiment-1"], ManagedBy="someone-else")
    assert run(["machines", "status", "echoes", "--env-dir", str(ENV_DIR)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split()[0] == "vm-echoes-echoes-experiment-0"
    assert line.split()[2:] == ["Standard_NC4as_T4_v3", "running"]


def test_stop_deallocates_and_start_starts_waiting_for_each_operation(azure, capsys):
    deploy(azure, ["vm-echoes-echoes-experiment-0"])
    deploy(azure, ["vm-echoes-echoes-experiment-1"], power="stopped")  # powered off in the OS: still billed
    assert run(["machines", "stop", "echoes", "--env-dir", str(ENV_DIR)]) == 0
    assert azure.calls.count("VirtualMachines_Deallocate") == 2
    assert set(azure.power.values()) == {"deallocated"}
    assert run(["machines", "start", "echoes", "experiment", "--env-dir", str(ENV_DIR)]) == 0
    assert set(azure.power.values()) == {"running"}
    out = [line.split()[-1] for line in capsys.readouterr().out.splitlines()]
    assert out == ["deallocated", "deallocated", "running", "running"]


def test_a_running_vm_is_not_started_again(azure):
    deploy(azure, ["vm-echoes-echoes-experiment-0"])
    assert run(["machines", "start", "echoes", "--env-dir", str(ENV_DIR)]) == 0
    assert "VirtualMachines_Start" not in azure.calls


def test_not_deployed_and_access_denied_are_one_line_each(azure, capsys):
    assert run(["machines", "status", "echoes", "--env-dir", str(ENV_DIR)]) == 2
    deploy(azure, ["vm-echoes-echoes-experiment-0"])
    azure.refuse_with = 403
    assert run(["machines", "stop", "echoes", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "echoes: no machines found in rg-echoes-echoes (is it deployed? npx cdktf deploy echoes)",
        "listing the machines: access denied (The client does not have authorization.); "
        "the signed-in identity lacks the permission",
    ]


def test_no_subscription_says_where_to_give_it(azure, monkeypatch, capsys):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    monkeypatch.delenv("ARM_SUBSCRIPTION_ID", raising=False)
    assert run(["machines", "status", "echoes", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.strip() == (
        "echoes: no Azure subscription (set azure.subscription_id, or AZURE_SUBSCRIPTION_ID)"
    )


def test_no_credentials_say_how_to_sign_in(azure, monkeypatch, capsys):
    monkeypatch.delenv("IDENTITY_ENDPOINT")
    monkeypatch.delenv("IDENTITY_HEADER")
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")  # no instance metadata service
    deploy(azure, ["vm-echoes-echoes-experiment-0"])
    assert run(["machines", "status", "echoes", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.strip() == (
        "listing the machines: no Azure credentials (run az login, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and "
        "a secret or token)"
    )
