"""The boot script of a gpulab machine: mount the data volume, start the agent.

Rendered in Python so a test can read it; the volume id arrives as a Terraform
token and is resolved at plan time.
"""

from __future__ import annotations

import json

from gpulab.constructs.boot_script import template_literal

# The agent's regional download bucket: reachable through the VPC's S3 gateway endpoint, so a machine
# without a NAT can install it too (the global bucket lives in us-east-1, which the endpoint does not reach).
AGENT_PACKAGE_URL = (
    "https://amazoncloudwatch-agent-{region}.s3.{region}.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb"
)
AGENT_CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"


def agent_config(*, metric_namespace: str, log_group_name: str | None, gpu: bool) -> dict:
    """CloudWatch agent settings: memory, disk and (on GPU machines) nvidia-smi.

    Metrics are aggregated by InstanceId alone so an alarm can name them with
    that one dimension (the idle alarm does).
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
            "aggregation_dimensions": [["InstanceId"]],
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
    volume_id: str,
    region: str,
    mount_point: str,
    metric_namespace: str,
    log_group_name: str | None,
    gpu: bool,
    setup_script: str | None,
) -> str:
    """The cloud-init shell script for one machine."""
    config = json.dumps(
        agent_config(metric_namespace=metric_namespace, log_group_name=log_group_name, gpu=gpu),
        indent=2,
        sort_keys=True,
    )
    # Terraform reads "${" in a string as interpolation; the agent's own
    # placeholders must reach the machine literally, so they are escaped.
    config = config.replace("${aws:", "$${aws:")
    script = f"""#!/bin/bash
# gpulab machine setup: data volume, CloudWatch agent, then the environment's own steps.
set -euo pipefail

# The persistent data volume, found by its EBS volume id (NVMe names vary).
volume_id="{volume_id}"
device="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$${{volume_id//-/}}"
for _ in $(seq 1 60); do [ -e "$device" ] && break; sleep 5; done
if ! blkid "$device" >/dev/null 2>&1; then mkfs.xfs "$device"; fi
mkdir -p {mount_point}
uuid=$(blkid -s UUID -o value "$device")
grep -q "$uuid" /etc/fstab || echo "UUID=$uuid {mount_point} xfs defaults,nofail 0 2" >> /etc/fstab
mount -a

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
    if setup_script:
        script += "\n# The environment's own setup steps.\n" + template_literal(setup_script.rstrip()) + "\n"
    return script
