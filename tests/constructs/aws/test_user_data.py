"""The boot script as the machine will receive it: valid shell, valid agent JSON."""

from __future__ import annotations

import json
import re
import subprocess

from gpulab.constructs.aws import user_data
from tests.terraform_eval import evaluate


def as_delivered(script: str) -> str:
    """What Terraform hands the machine: `$${` unescaped to `${`."""
    return script.replace("$${", "${")


def render(**overrides) -> str:
    args = dict(
        volume_id_without_hyphen="vol0123456789abcdef0",
        region="eu-west-1",
        mount_point="/data",
        metric_namespace="gpulab/mlinfra-dev",
        log_group_name="/gpulab/mlinfra-dev/trainer",
        gpu=True,
        setup_script="pip install --user torch",
    )
    return as_delivered(user_data.render(**{**args, **overrides}))


def test_boot_script_is_valid_bash(tmp_path):
    script = tmp_path / "user-data.sh"
    script.write_text(render())
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_terraform_sees_no_interpolation_but_the_volume_id():
    raw = user_data.render(
        volume_id_without_hyphen='${replace(aws_ebs_volume.data.id, "-", "")}',
        region="${data.aws_region.region.region}",
        mount_point="/data",
        metric_namespace="ns",
        log_group_name=None,
        gpu=True,
        setup_script=None,
    )
    interpolations = re.findall(r"(?<!\$)\$\{([^}]*)\}", raw)
    volume = 'replace(aws_ebs_volume.data.id, "-", "")'
    assert interpolations == [volume] + ["data.aws_region.region.region"] * 2, "in the agent's URL"


def test_agent_config_is_valid_json_with_gpu_metrics_aggregated_by_instance():
    script = render()
    config = json.loads(script.split("<<'AGENT_CONFIG'\n", 1)[1].split("\nAGENT_CONFIG\n", 1)[0])
    metrics = config["metrics"]
    assert metrics["namespace"] == "gpulab/mlinfra-dev"
    assert metrics["aggregation_dimensions"] == [["InstanceId"], ["InstanceId", "path"]]
    assert metrics["append_dimensions"] == {"InstanceId": "${aws:InstanceId}"}
    assert "utilization_gpu" in metrics["metrics_collected"]["nvidia_gpu"]["measurement"]
    files = config["logs"]["logs_collected"]["files"]["collect_list"]
    assert {f["log_group_name"] for f in files} == {"/gpulab/mlinfra-dev/trainer"}


def test_cpu_machines_collect_no_gpu_metrics_and_setup_script_comes_last():
    script = render(gpu=False, log_group_name=None)
    assert "nvidia_gpu" not in script and '"logs"' not in script
    assert render().rstrip().endswith("pip install --user torch")


def test_a_setup_script_reaches_the_machine_as_written():
    """Terraform itself evaluates the rendered template: `${HOME}` and `%{x}` stay literal."""
    setup = 'echo "home is ${HOME}" %{not_a_directive} \\ `date`'
    script = user_data.render(
        volume_id_without_hyphen="vol0123456789abcdef0",
        region="eu-west-1",
        mount_point="/data",
        metric_namespace="gpulab/t",
        log_group_name=None,
        gpu=False,
        setup_script=setup,
    )
    delivered = evaluate(script)
    assert delivered.endswith("# The environment's own setup steps.\n" + setup + "\n")
    assert '"InstanceId": "${aws:InstanceId}"' in delivered, "the agent's own placeholder arrives literally"
