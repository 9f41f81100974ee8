"""Security-critical defaults of the shipped AWS stacks, asserted one by one.

A snapshot can be regenerated carelessly; these assertions cannot.
"""

import json

import pytest

from gpulab.config import load_environments
from tests.conftest import ENV_DIR, data_sources, resources, shipped_on

BOTH = ["dev", "prod"]


def _by_bucket(stack, kind):
    return {r["bucket"]: r for r in resources(stack, kind).values()}


@pytest.mark.parametrize("name", BOTH)
def test_every_bucket_blocks_all_public_access(stacks, name):
    stack = stacks[name]
    buckets = resources(stack, "aws_s3_bucket")
    blocks = resources(stack, "aws_s3_bucket_public_access_block")
    assert len(blocks) == len(buckets) >= 2
    for block in blocks.values():
        for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
            assert block[flag] is True, flag


@pytest.mark.parametrize("name", BOTH)
def test_every_bucket_is_versioned_owner_enforced_and_tls_only(stacks, name):
    stack = stacks[name]
    count = len(resources(stack, "aws_s3_bucket"))
    versioning = resources(stack, "aws_s3_bucket_versioning").values()
    assert [v["versioning_configuration"]["status"] for v in versioning] == ["Enabled"] * count
    ownership = resources(stack, "aws_s3_bucket_ownership_controls").values()
    assert [o["rule"]["object_ownership"] for o in ownership] == ["BucketOwnerEnforced"] * count
    policies = [d for key, d in data_sources(stack, "aws_iam_policy_document").items() if key.startswith("buckets_")]
    assert len(policies) == count
    for policy in policies:
        deny = next(s for s in policy["statement"] if s["sid"] == "DenyInsecureTransport")
        assert deny["effect"] == "Deny" and deny["actions"] == ["s3:*"]
        assert deny["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def test_dev_buckets_use_aes256_and_can_be_destroyed(stacks):
    stack = stacks["dev"]
    for sse in resources(stack, "aws_s3_bucket_server_side_encryption_configuration").values():
        assert sse["rule"][0]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    for bucket in resources(stack, "aws_s3_bucket").values():
        assert bucket["force_destroy"] is True
        assert "lifecycle" not in bucket


def test_prod_buckets_cannot_be_destroyed(stacks):
    for bucket in resources(stacks["prod"], "aws_s3_bucket").values():
        assert bucket["force_destroy"] is False
        assert bucket["lifecycle"] == {"prevent_destroy": True}


def test_prod_data_volumes_and_key_cannot_be_destroyed(stacks):
    stack = stacks["prod"]
    volumes = resources(stack, "aws_ebs_volume").values()
    assert len(volumes) == 2
    assert all(v["lifecycle"] == {"prevent_destroy": True} for v in volumes)
    (key,) = resources(stack, "aws_kms_key").values()
    assert key["lifecycle"] == {"prevent_destroy": True}
    assert key["enable_key_rotation"] is True


def test_prod_data_buckets_use_the_platform_kms_key(stacks):
    stack = stacks["prod"]
    (key_id,) = resources(stack, "aws_kms_key")
    by_bucket = {}
    for sse in resources(stack, "aws_s3_bucket_server_side_encryption_configuration").values():
        by_bucket[sse["bucket"]] = sse["rule"][0]
    data = [rule for bucket, rule in by_bucket.items() if "access-logs" not in bucket]
    assert len(data) == 2
    for rule in data:
        default = rule["apply_server_side_encryption_by_default"]
        assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": f"${{aws_kms_key.{key_id}.arn}}"}
        assert rule["bucket_key_enabled"] is True


@pytest.mark.parametrize("name", BOTH)
def test_machines_require_imdsv2_and_encrypt_every_disk(stacks, name):
    stack = stacks[name]
    instances = resources(stack, "aws_instance").values()
    assert instances
    for instance in instances:
        assert instance["metadata_options"]["http_tokens"] == "required"
        assert instance["root_block_device"]["encrypted"] is True
        assert instance["root_block_device"]["volume_type"] == "gp3"
        assert "amazon-linux-2/" not in str(instance["ami"])
    for volume in resources(stack, "aws_ebs_volume").values():
        assert volume["encrypted"] is True and volume["type"] == "gp3"


@pytest.mark.parametrize("name", BOTH)
def test_machine_image_is_the_current_deep_learning_ami(stacks, name):
    params = [p["name"] for p in data_sources(stacks[name], "aws_ssm_parameter").values()]
    assert params and all(
        "/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-24.04/latest/" in p for p in params
    )


def test_prod_machines_have_no_public_ip_and_no_inbound(stacks):
    stack = stacks["prod"]
    for instance in resources(stack, "aws_instance").values():
        assert instance["associate_public_ip_address"] is False
    assert resources(stack, "aws_vpc_security_group_ingress_rule") == {}


def test_dev_inbound_is_only_the_named_ports_from_the_listed_range(stacks):
    rules = resources(stacks["dev"], "aws_vpc_security_group_ingress_rule").values()
    assert sorted(r["from_port"] for r in rules) == [22, 6006, 8888]
    assert {r["cidr_ipv4"] for r in rules} == {"203.0.113.0/24"}


@pytest.mark.parametrize("name", BOTH)
def test_default_security_group_is_locked_and_subnets_never_assign_public_ips(stacks, name):
    stack = stacks[name]
    (default_sg,) = resources(stack, "aws_default_security_group").values()
    assert default_sg["ingress"] == [] and default_sg["egress"] == []
    assert all(s["map_public_ip_on_launch"] is False for s in resources(stack, "aws_subnet").values())


@pytest.mark.parametrize("name", BOTH)
def test_instance_role_is_scoped_to_the_platform(stacks, name):
    stack = stacks[name]
    (doc,) = [
        d for key, d in data_sources(stack, "aws_iam_policy_document").items() if key.startswith("identity_policy")
    ]
    bucket_arns = sorted(
        f"${{aws_s3_bucket.{k}.arn}}"
        for k, b in resources(stack, "aws_s3_bucket").items()
        if "access-logs" not in b["bucket"]
    )
    statements = {s["sid"]: s for s in doc["statement"]}
    assert sorted(statements["ListPlatformBuckets"]["resources"]) == bucket_arns
    assert sorted(statements["ReadWritePlatformObjects"]["resources"]) == [f"{arn}/*" for arn in bucket_arns]
    assert all(r.startswith("${aws_cloudwatch_log_group.") for r in statements["WritePlatformLogs"]["resources"])
    metrics = statements["PublishPlatformMetrics"]
    assert metrics["condition"][0]["variable"] == "cloudwatch:namespace"
    wildcard = {sid for sid, s in statements.items() if "*" in s["resources"]}
    assert wildcard == {"PublishPlatformMetrics", "DescribeOwnInstance"}, "only actions without resource scoping"
    assert all(a.startswith("ec2:Describe") for a in statements["DescribeOwnInstance"]["actions"])
    attachments = [
        a["policy_arn"]
        for key, a in resources(stack, "aws_iam_role_policy_attachment").items()
        if key.startswith("identity_")
    ]
    assert len(attachments) == 1 and attachments[0].endswith(":iam::aws:policy/AmazonSSMManagedInstanceCore")


def test_provider_tags_everything_and_prod_is_pinned_to_its_account(stacks):
    for name in shipped_on("aws"):
        (provider,) = stacks[name]["provider"]["aws"]
        tags = provider["default_tags"][0]["tags"]
        assert {tags["Project"], tags["Environment"], tags["ManagedBy"]} == {"mlinfra", name, "gpulab"}
        assert tags["Owner"]
    (prod_provider,) = stacks["prod"]["provider"]["aws"]
    assert prod_provider["allowed_account_ids"] == ["111122223333"]


def test_prod_state_lives_in_an_encrypted_locked_s3_backend(stacks):
    backend = stacks["prod"]["terraform"]["backend"]["s3"]
    assert backend["encrypt"] is True and backend["use_lockfile"] is True


def test_dev_state_is_local_and_outside_the_output_folder(stacks):
    assert stacks["dev"]["terraform"]["backend"] == {"local": {"path": "../../../terraform.dev.tfstate"}}


def test_nat_gateways_follow_the_environment(stacks):
    assert len(resources(stacks["dev"], "aws_nat_gateway")) == 1
    assert len(resources(stacks["prod"], "aws_nat_gateway")) == 2


@pytest.mark.parametrize("name,days", [("dev", 7), ("prod", 365)])
def test_logs_are_kept_for_the_environments_retention(stacks, name, days):
    groups = resources(stacks[name], "aws_cloudwatch_log_group").values()
    assert {g["retention_in_days"] for g in groups} == {days}
    assert len(resources(stacks[name], "aws_flow_log")) == 1


@pytest.mark.parametrize("name", BOTH)
def test_bucket_traffic_uses_the_s3_gateway_endpoint(stacks, name):
    (endpoint,) = resources(stacks[name], "aws_vpc_endpoint").values()
    assert endpoint["vpc_endpoint_type"] == "Gateway"
    assert len(endpoint["route_table_ids"]) == 1 + 2


def test_seed_alarm_thresholds_are_kept_in_dev(stacks):
    alarms = resources(stacks["dev"], "aws_cloudwatch_metric_alarm").values()
    cpu = [
        a for a in alarms if a["metric_name"] == "CPUUtilization" and a["comparison_operator"] == "GreaterThanThreshold"
    ]
    assert [(a["threshold"], a["period"], a["evaluation_periods"]) for a in cpu] == [(80, 300, 2)]
    idle = [a for a in alarms if a["alarm_name"].endswith("-idle-stop")]
    assert len(idle) == 1 and idle[0]["metric_name"] == "nvidia_smi_utilization_gpu"
    assert idle[0]["alarm_actions"][0].endswith(":ec2:stop")


@pytest.mark.parametrize("name", BOTH)
def test_idle_machines_stop_themselves_and_a_shutdown_never_terminates(stacks, name):
    """The idle watchdog's OS shutdown stops the instance (instance_initiated_shutdown_behavior, EC2 User Guide:
    "stop" keeps the EBS volumes and ends compute billing; "terminate" would delete the root volume)."""
    for instance in resources(stacks[name], "aws_instance").values():
        assert instance["instance_initiated_shutdown_behavior"] == "stop"
        assert '{"idle_minutes": 60, "processes": [], "stop": "shutdown"}' in instance["user_data"]


@pytest.mark.parametrize("name", BOTH)
def test_the_models_bucket_archives_old_versions_as_seed_004_says(stacks, name):
    """Seed 004: "Models Bucket ... Lifecycle: Archive old versions": replaced versions go to Glacier after
    30 days and are deleted after a year (Glacier Flexible Retrieval bills 90 days at least)."""
    stack = stacks[name]
    buckets = {key: b["bucket"] for key, b in resources(stack, "aws_s3_bucket").items()}
    for lifecycle in resources(stack, "aws_s3_bucket_lifecycle_configuration").values():
        bucket_key = lifecycle["bucket"].split(".")[1]
        if not buckets[bucket_key].endswith("-models"):
            continue
        (rule,) = lifecycle["rule"]
        assert rule["noncurrent_version_transition"] == [{"noncurrent_days": 30, "storage_class": "GLACIER"}]
        assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 365}]
        break
    else:
        pytest.fail("no lifecycle for the models bucket")


def test_prod_access_logs_are_encrypted_with_the_platform_key_which_lets_s3_deliver_them(stacks):
    """An SSE-KMS access-log bucket receives logs only if its customer-managed key lets logging.s3.amazonaws.com
    use it (aws-cdk's aws-s3 Bucket.parseServerAccessLogs grants the same); the AWS-managed aws/s3 key could not."""
    stack = stacks["prod"]
    ((key_key, key),) = resources(stack, "aws_kms_key").items()
    encryption = [
        r["rule"][0]["apply_server_side_encryption_by_default"]
        for r in resources(stack, "aws_s3_bucket_server_side_encryption_configuration").values()
    ]
    assert encryption and all(
        e == {"kms_master_key_id": f"${{aws_kms_key.{key_key}.arn}}", "sse_algorithm": "aws:kms"} for e in encryption
    ), "the access-log bucket too"
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    delivery = statements["S3LogDeliveryWritesEncryptedAccessLogs"]
    assert (
        delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        and "kms:GenerateDataKey*" in delivery["Action"]
    )


def test_prod_data_volumes_are_snapshotted_daily_and_dev_ones_are_not(stacks):
    """prevent_destroy only stops Terraform; a daily DLM snapshot outlives the volume (protect_data turns it on)."""
    stack = stacks["prod"]
    (policy,) = resources(stack, "aws_dlm_lifecycle_policy").values()
    details = policy["policy_details"]
    assert details["resource_types"] == ["VOLUME"] and policy["state"] == "ENABLED"
    (schedule,) = details["schedule"]
    assert schedule["create_rule"] == {"interval": 24, "interval_unit": "HOURS", "times": ["04:00"]}
    assert schedule["retain_rule"] == {"interval": 7, "interval_unit": "DAYS"}
    volumes = resources(stack, "aws_ebs_volume").values()
    assert volumes and all(details["target_tags"].items() <= v["tags"].items() for v in volumes)
    assert not resources(stacks["dev"], "aws_dlm_lifecycle_policy")


@pytest.mark.parametrize("name", BOTH)
def test_machines_run_the_jobs_queued_in_their_first_bucket_which_their_role_may_write(stacks, name):
    (env,) = load_environments(ENV_DIR, [name])
    bucket = env.bucket_name(env.buckets[0])
    (key,) = [k for k, b in resources(stacks[name], "aws_s3_bucket").items() if b["bucket"] == bucket]
    for instance in resources(stacks[name], "aws_instance").values():
        assert "gpulab-run-agent.timer" in instance["user_data"]
        machine = instance["tags"]["Name"]
        assert f'{{"bucket": "{bucket}", "cloud": "aws", "machine": "{machine}"}}' in instance["user_data"]
    documents = json.dumps(stacks[name]["data"]["aws_iam_policy_document"])
    assert f"aws_s3_bucket.{key}.arn}}/*" in documents and "s3:PutObject" in documents
