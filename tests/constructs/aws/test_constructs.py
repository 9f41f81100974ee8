"""Each AWS construct on its own, outside any gpulab stack: options and argument checks."""

from __future__ import annotations

import json
import re

import pytest
from cdktf import App, TerraformStack
from cdktf import Testing as CdktfTesting
from cdktf_cdktf_provider_aws.provider import AwsProvider

from gpulab.constructs.aws import (
    AwsBuckets,
    AwsGpuVm,
    AwsInstanceRole,
    AwsKmsKey,
    AwsMonitoring,
    AwsNetwork,
    BucketSpec,
    derive_subnet_cidrs,
)
from gpulab.rules.boot_scripts import max_setup_script_bytes


def synth(build) -> dict:
    """Synthesize a stack holding what `build(stack)` adds; return its resources and data."""
    stack = TerraformStack(App(), "test")
    AwsProvider(stack, "aws", region="eu-west-1")
    build(stack)
    return json.loads(CdktfTesting.synth(stack))


def _interface_endpoints(out: dict) -> dict[str, dict]:
    endpoints = out["resource"].get("aws_vpc_endpoint", {}).values()
    return {e["service_name"].rsplit(".", 1)[1]: e for e in endpoints if e["vpc_endpoint_type"] == "Interface"}


def test_without_a_nat_private_machines_reach_session_manager_and_cloudwatch_through_endpoints():
    """With no NAT, SSM and the CloudWatch agent need interface endpoints (SSM docs, "Use VPC endpoints"),
    else the idle-stop alarm never gets data and never fires."""
    out = synth(lambda s: AwsNetwork(s, "net", name="t", cidr="10.8.0.0/16", availability_zones=2, nat="none"))
    endpoints = _interface_endpoints(out)
    assert sorted(endpoints) == ["ec2messages", "logs", "monitoring", "ssm", "ssmmessages"]
    for endpoint in endpoints.values():
        assert endpoint["private_dns_enabled"] is True
        assert len(endpoint["subnet_ids"]) == 2
    (rule,) = out["resource"]["aws_vpc_security_group_ingress_rule"].values()
    assert (rule["from_port"], rule["to_port"], rule["cidr_ipv4"]) == (443, 443, "10.8.0.0/16")
    assert "aws_vpc_security_group_egress_rule" not in out["resource"], "the endpoints' group sends nothing"


def test_with_a_nat_or_when_told_there_are_no_interface_endpoints():
    assert _interface_endpoints(synth(lambda s: AwsNetwork(s, "net", name="t", nat="single"))) == {}
    assert (
        _interface_endpoints(synth(lambda s: AwsNetwork(s, "net", name="t", nat="none", interface_endpoints=[]))) == {}
    )
    chosen = synth(lambda s: AwsNetwork(s, "net", name="t", nat="single", interface_endpoints=["ssm"]))
    assert sorted(_interface_endpoints(chosen)) == ["ssm"]


def test_subnets_are_carved_from_the_vpc_when_not_given():
    public, private = derive_subnet_cidrs("10.0.0.0/16", 3)
    assert public == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    assert private == ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"]


@pytest.mark.parametrize("nat,gateways,private_routes", [("none", 0, 0), ("single", 1, 3), ("per_az", 3, 3)])
def test_network_nat_modes(nat, gateways, private_routes):
    out = synth(lambda s: AwsNetwork(s, "net", name="t", availability_zones=3, nat=nat))
    resource = out["resource"]
    assert len(resource.get("aws_nat_gateway", {})) == gateways
    nat_routes = [r for r in resource["aws_route"].values() if "nat_gateway_id" in r]
    assert len(nat_routes) == private_routes
    if nat == "per_az":
        assert len({r["nat_gateway_id"] for r in nat_routes}) == 3, "each zone routes through its own NAT"
    assert len(resource["aws_subnet"]) == 6
    assert "aws_availability_zones" in out["data"], "zone names come from the region at plan time"


def test_network_without_flow_logs_or_endpoint_has_neither():
    out = synth(
        lambda s: AwsNetwork(s, "net", name="t", flow_logs=False, s3_endpoint=False, availability_zones=["eu-west-1a"])
    )
    assert "aws_flow_log" not in out["resource"] and "aws_vpc_endpoint" not in out["resource"]
    assert "aws_availability_zones" not in out.get("data", {})


def test_network_rejects_a_subnet_list_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"^public_subnet_cidrs: 1 given for 2 availability zones \(give one per zone"):
        synth(lambda s: AwsNetwork(s, "net", name="t", public_subnet_cidrs=["10.0.1.0/24"]))


def test_buckets_with_kms_and_access_logs():
    def build(stack):
        key = AwsKmsKey(stack, "key", alias="t", s3_access_logs=True)
        AwsBuckets(
            stack,
            "b",
            buckets=[BucketSpec(name="t-data", key="data", prefixes=("raw/",), access_logs=True)],
            kms_key_arn=key.key_arn,
            access_log_bucket_name="t-logs",
        )

    resource = synth(build)["resource"]
    assert sorted(b["bucket"] for b in resource["aws_s3_bucket"].values()) == ["t-data", "t-logs"]
    (logging,) = resource["aws_s3_bucket_logging"].values()
    assert logging["target_prefix"] == "t-data/"
    algorithms = sorted(
        r["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"]
        for r in resource["aws_s3_bucket_server_side_encryption_configuration"].values()
    )
    assert algorithms == ["aws:kms", "aws:kms"], "the log bucket uses the key too"
    (key_resource,) = resource["aws_kms_key"].values()
    statements = {s["Sid"]: s for s in json.loads(key_resource["policy"])["Statement"]}
    # aws-cdk grants S3's log delivery service the key of an SSE-KMS access-log bucket the same way
    # (aws-s3 Bucket.parseServerAccessLogs); without it no log is delivered.
    assert statements["S3LogDeliveryWritesEncryptedAccessLogs"]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert [o["key"] for o in resource["aws_s3_object"].values()] == ["raw/"]


def test_buckets_asking_for_access_logs_need_a_log_bucket_name():
    with pytest.raises(ValueError, match="access_log_bucket_name is required: data ask for access logs"):
        synth(lambda s: AwsBuckets(s, "b", buckets=[BucketSpec(name="t-data", key="data", access_logs=True)]))


def _vm(stack, **overrides):
    args = dict(
        name="t-vm",
        vpc_id="vpc-1",
        subnet_id="subnet-1",
        availability_zone="eu-west-1a",
        instance_type="g6.xlarge",
        instance_profile_name="profile",
        metric_namespace="ns",
    )
    return AwsGpuVm(stack, "vm", **{**args, **overrides})


def test_gpu_vm_defaults_are_private_closed_and_imdsv2():
    resource = synth(_vm)["resource"]
    (instance,) = resource["aws_instance"].values()
    assert instance["associate_public_ip_address"] is False
    assert instance["metadata_options"]["http_tokens"] == "required"
    assert instance["lifecycle"] == {"ignore_changes": ["ami"]}
    assert "aws_vpc_security_group_ingress_rule" not in resource
    (volume,) = resource["aws_ebs_volume"].values()
    assert volume["availability_zone"] == "eu-west-1a" and "lifecycle" not in volume
    (volume_key,) = resource["aws_ebs_volume"]
    # The NVMe serial is the volume id without its hyphen (EBS User Guide, "Amazon EBS and NVMe").
    link = f'/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${{replace(aws_ebs_volume.{volume_key}.id, "-", "")}}'
    assert link in instance["user_data"]
    assert "$${aws:InstanceId}" in instance["user_data"], "the agent's placeholder reaches the machine literally"


def test_gpu_vm_spot_stops_on_interruption_and_caps_the_price():
    (instance,) = synth(lambda s: _vm(s, spot=True, spot_max_price=0.4))["resource"]["aws_instance"].values()
    options = instance["instance_market_options"]
    assert options["market_type"] == "spot"
    assert options["spot_options"] == {
        "instance_interruption_behavior": "stop",
        "spot_instance_type": "persistent",
        "max_price": "0.4",
    }


def test_gpu_vm_opens_each_named_port_to_each_listed_cidr():
    out = synth(lambda s: _vm(s, ingress_cidrs=["198.51.100.0/24", "203.0.113.7/32"], ports={"ssh": 22}))
    rules = out["resource"]["aws_vpc_security_group_ingress_rule"].values()
    assert sorted((r["from_port"], r["cidr_ipv4"]) for r in rules) == [(22, "198.51.100.0/24"), (22, "203.0.113.7/32")]


def test_open_ingress_is_a_named_relaxation():
    out = synth(lambda s: _vm(s, ingress_cidrs=["0.0.0.0/0"], ports={"https": 443}, allow_open_ingress=True))
    (rule,) = out["resource"]["aws_vpc_security_group_ingress_rule"].values()
    assert (rule["from_port"], rule["cidr_ipv4"]) == (443, "0.0.0.0/0")


def test_cpu_machine_idle_alarm_watches_cpu():
    (alarm,) = synth(lambda s: _vm(s, gpu=False, instance_type="t3.medium"))["resource"][
        "aws_cloudwatch_metric_alarm"
    ].values()
    assert (alarm["namespace"], alarm["metric_name"]) == ("AWS/EC2", "CPUUtilization")


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"data_disk_gb": -5}, "data_disk_gb: -5 is out of range (use a value from 1 to 16384)"),
        ({"spot_max_price": 1.0}, "spot_max_price needs spot=True"),
        ({"ingress_cidrs": ["0.0.0.0/0"]}, "ingress_cidrs contains 0.0.0.0/0; list the networks that need access"),
        ({"idle_stop_minutes": 5}, "idle_stop_minutes: 5 is out of range (use a value from 10 to 1440)"),
    ],
)
def test_gpu_vm_rejects_contradictions_with_a_helpful_message(overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        synth(lambda s: _vm(s, **overrides))


def test_instance_role_without_buckets_or_logs_grants_neither():
    out = synth(lambda s: AwsInstanceRole(s, "r", name="t", bucket_arns=[], log_group_arns=[], metric_namespace="ns"))
    (doc,) = [d for k, d in out["data"]["aws_iam_policy_document"].items() if k.startswith("r_policy-doc")]
    assert [s["sid"] for s in doc["statement"]] == ["PublishPlatformMetrics", "DescribeOwnInstance"]


def test_monitoring_recovers_or_reboots_and_builds_one_dashboard():
    def build(stack):
        monitoring = AwsMonitoring(
            stack, "m", name="t", log_groups=["a"], alarm_email="ops@example.com", metric_namespace="ns"
        )
        monitoring.watch_instance("gpu", instance_id="i-1", recoverable=False)
        monitoring.watch_instance("cpu", instance_id="i-2", gpu=False, recoverable=True)
        monitoring.add_dashboard()
        with pytest.raises(RuntimeError, match="add_dashboard was already called"):
            monitoring.add_dashboard()

    resource = synth(build)["resource"]
    actions = {
        a["alarm_name"]: a["alarm_actions"][0].rsplit(":", 1)[1]
        for a in resource["aws_cloudwatch_metric_alarm"].values()
        if "system-check" in a["alarm_name"]
    }
    assert actions == {"t-gpu-system-check": "reboot", "t-cpu-system-check": "recover"}
    (dashboard,) = resource["aws_cloudwatch_dashboard"].values()
    titles = [w["properties"]["title"] for w in json.loads(dashboard["dashboard_body"])["widgets"]]
    assert titles == ["gpu: CPU %", "gpu: GPU %", "gpu: network bytes", "cpu: CPU %", "cpu: network bytes"]
    (subscription,) = resource["aws_sns_topic_subscription"].values()
    assert subscription["endpoint"] == "ops@example.com"


def test_monitoring_recovers_only_the_instance_types_ec2_can_recover():
    """EC2 auto-recovery does not support instance-store types such as g4dn/g5/g6/p4d/p5 (EC2 User Guide,
    "Instance recovery"): their system-check alarm reboots; a type that supports it is recovered."""

    def build(stack):
        monitoring = AwsMonitoring(stack, "m", name="t", log_groups=[])
        monitoring.watch_instance("g6", instance_id="i-1", instance_type="g6.xlarge")
        monitoring.watch_instance("p5", instance_id="i-2", instance_type="p5.48xlarge")
        monitoring.watch_instance("t3", instance_id="i-3", instance_type="t3.medium", gpu=False)
        monitoring.watch_instance("unknown", instance_id="i-4")

    alarms = synth(build)["resource"]["aws_cloudwatch_metric_alarm"].values()
    actions = {a["alarm_name"]: a["alarm_actions"][0].rsplit(":", 1)[1] for a in alarms if "system" in a["alarm_name"]}
    assert actions == {
        "t-g6-system-check": "reboot",
        "t-p5-system-check": "reboot",
        "t-t3-system-check": "recover",
        "t-unknown-system-check": "reboot",
    }


def test_kms_key_rotates_and_rejects_a_bad_deletion_window():
    (key,) = synth(lambda s: AwsKmsKey(s, "k", alias="t"))["resource"]["aws_kms_key"].values()
    assert key["enable_key_rotation"] is True
    with pytest.raises(ValueError, match=r"^deletion_window_days: 3 is out of range \(use a value from 7 to 30\)$"):
        synth(lambda s: AwsKmsKey(s, "k", alias="t", deletion_window_days=3))


def test_monitoring_alarms_when_a_machines_root_or_data_disk_fills_up():
    """Seed 004 alarms on a disk more than 85 % full; the agent reports disk_used_percent by InstanceId and path."""

    def build(stack):
        monitoring = AwsMonitoring(stack, "m", name="t", log_groups=[], metric_namespace="gpulab/t")
        monitoring.watch_instance("g6", instance_id="i-1", instance_type="g6.xlarge")

    alarms = [a for a in synth(build)["resource"]["aws_cloudwatch_metric_alarm"].values() if "disk" in a["alarm_name"]]
    assert sorted((a["dimensions"]["path"], a["threshold"], a["namespace"]) for a in alarms) == [
        ("/", 85, "gpulab/t"),
        ("/data", 85, "gpulab/t"),
    ]
    assert all(
        a["metric_name"] == "disk_used_percent" and a["comparison_operator"] == "GreaterThanThreshold" for a in alarms
    )


def test_the_longest_setup_script_validation_accepts_fits_with_every_agent():
    """validate says ok ⇒ synth succeeds: gpulab's own boot lines (mount unit, CloudWatch agent, idle watchdog,
    run agent, with long names) stay within the reserve that the setup_script limit leaves for them."""
    longest = "echo " + "x" * (max_setup_script_bytes("aws") - len("echo ") - 1) + "\n"
    name = "a" * 40 + "-" + "b" * 20 + "-worker-99"
    resource = synth(lambda s: _vm(s, name=name, setup_script=longest, job_bucket="c" * 63, idle_stop_minutes=1440))[
        "resource"
    ]
    (instance,) = resource["aws_instance"].values()
    assert "gpulab-run-agent.timer" in instance["user_data"] and "gpulab-idle-watchdog.timer" in instance["user_data"]
