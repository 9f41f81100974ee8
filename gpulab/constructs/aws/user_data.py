"""The boot script of a gpulab machine: mount the data volume, start the agent.

Rendered in Python so a test can read it; the volume id arrives as a Terraform
token (`replace(<volume id>, "-", "")`) and is resolved at plan time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from gpulab.constructs.boot_script import template_literal
from gpulab.constructs.data_disk import install_lines

# The agent's regional download bucket: reachable through the VPC's S3 gateway endpoint, so a machine
# without a NAT can install it too (the global bucket lives in us-east-1, which the endpoint does not reach).
AGENT_PACKAGE_URL = (
    "https://amazoncloudwatch-agent-{region}.s3.{region}.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb"
)
AGENT_CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"


def agent_config(*, metric_namespace: str, log_group_name: str | None, gpu: bool) -> dict:
    """CloudWatch agent settings: memory, disk and (on GPU machines) nvidia-smi.

    Metrics are aggregated by InstanceId alone so an alarm can name them with
    that one dimension (the idle alarm does), and disk use also by InstanceId
    and path, so each disk's alarm names its mount point (not its device or
    file system type, which the agent adds otherwise).
    """
    metrics: dict = {
        "mem": {"measurement": ["mem_used_percent"]},
        "disk": {"measurement": ["used_percent"], "resources": ["/", "/data"]},
    }
    if gpu:
        metrics["nvidia_gpu"] = {
            "measurement": ["utilization_gpu", "utilization_memory", "memory_used", "temperature_gpu"],
            "metrics_collection_interval": 60,
        }
    config: dict = {
        "agent": {"metrics_collection_interval": 60},
        "metrics": {
            "namespace": metric_namespace,
            "append_dimensions": {"InstanceId": "${aws:InstanceId}"},
            "aggregation_dimensions": [["InstanceId"], ["InstanceId", "path"]],
            "metrics_collected": metrics,
        },
    }
    if log_group_name:
        config["logs"] = {
            "logs_collected": {
                "files": {
                    "collect_list": [
                        {
                            "file_path": path,
                            "log_group_name": log_group_name,
                            "log_stream_name": "{instance_id}" + suffix,
                        }
                        for path, suffix in (
                            ("/var/log/cloud-init-output.log", "/cloud-init"),
                            ("/var/log/syslog", "/syslog"),
                        )
                    ]
                }
            }
        }
    return config


def render(
    *,
    volume_id_without_hyphen: str,
    region: str,
    mount_point: str,
    metric_namespace: str,
    log_group_name: str | None,
    gpu: bool,
    setup_script: str | None,
    steps: Sequence[str] = (),
) -> str:
    """The cloud-init shell script for one machine; `steps` are gpulab's own lines (an agent's install),
    run after the CloudWatch agent and before the environment's setup script."""
    config = json.dumps(
        agent_config(metric_namespace=metric_namespace, log_group_name=log_group_name, gpu=gpu),
        indent=2,
        sort_keys=True,
    )
    # Terraform reads "${" in a string as interpolation; the agent's own
    # placeholders must reach the machine literally, so they are escaped.
    config = config.replace("${aws:", "$${aws:")
    # EBS volumes on Nitro machines appear as NVMe devices whose serial is the volume id without its hyphen
    # (EBS User Guide, "Amazon EBS and NVMe"); udev links them by that serial.
    link = f"/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_{volume_id_without_hyphen}"
    mount_lines = "\n".join(install_lines(mount=mount_point, links=[link]))
    script = f"""#!/bin/bash
# gpulab machine setup: data volume, CloudWatch agent, then the environment's own steps.
set -euo pipefail

{mount_lines}

# CloudWatch agent: memory, disk{", GPU" if gpu else ""} metrics and boot logs.
if [ ! -x /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl ]; then
  curl -fsSL -o /tmp/amazon-cloudwatch-agent.deb {AGENT_PACKAGE_URL.format(region=region)}
  dpkg -i /tmp/amazon-cloudwatch-agent.deb
fi
mkdir -p $(dirname {AGENT_CONFIG_PATH})
cat > {AGENT_CONFIG_PATH} <<'AGENT_CONFIG'
{config}
AGENT_CONFIG
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:{AGENT_CONFIG_PATH}
"""
    if steps:
        script += "\n" + template_literal("\n".join(steps)) + "\n"
    if setup_script:
        script += "\n# The environment's own setup steps.\n" + template_literal(setup_script.rstrip()) + "\n"
    return script
