"""`gpulab machines` and `gpulab state bootstrap` against moto's server: real HTTP, boto3 as in production."""

from __future__ import annotations

import json

import boto3
import pytest

from gpulab.cli import run
from tests.conftest import ENV_DIR

TAGS = {"Project": "mlinfra", "Environment": "dev", "ManagedBy": "gpulab"}


def _deploy(names: list[str], region: str = "us-east-1", tags: dict | None = None) -> dict[str, str]:
    """Instances as the dev stack makes them (its tags and names), running; name → id."""
    ec2 = boto3.client("ec2", region_name=region)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    made = {}
    for name in names:
        tag_list = [{"Key": k, "Value": v} for k, v in {**(tags or TAGS), "Name": name}.items()]
        (instance,) = ec2.run_instances(
            ImageId=image,
            InstanceType="g4dn.xlarge",
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list}],
        )["Instances"]
        made[name] = instance["InstanceId"]
    return made


def _states(ids: dict[str, str]) -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    found = ec2.describe_instances(InstanceIds=list(ids.values()))["Reservations"]
    by_id = {i["InstanceId"]: i["State"]["Name"] for r in found for i in r["Instances"]}
    return {name: by_id[instance] for name, instance in ids.items()}


def test_machines_are_found_by_their_tags_stopped_and_started(aws, capsys):
    ids = _deploy(["mlinfra-dev-trainer-0"])
    _deploy(["mlinfra-prod-trainer-0"], tags={**TAGS, "Environment": "prod"})  # another environment's: untouched
    assert run(["machines", "stop", "dev", "--env-dir", str(ENV_DIR)]) == 0
    assert _states(ids) == {"mlinfra-dev-trainer-0": "stopped"}
    assert run(["machines", "start", "dev", "trainer", "--env-dir", str(ENV_DIR)]) == 0
    assert run(["machines", "status", "dev", "--env-dir", str(ENV_DIR)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"mlinfra-dev-trainer-0  {ids['mlinfra-dev-trainer-0']}  g4dn.xlarge  running"
    assert "mlinfra-prod" not in "\n".join(lines)


def test_an_environment_that_is_not_deployed_or_a_machine_it_lacks_is_one_clear_line(aws, capsys):
    assert run(["machines", "status", "dev", "--env-dir", str(ENV_DIR)]) == 2
    assert run(["machines", "stop", "dev", "gpu", "--env-dir", str(ENV_DIR)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "dev: no machines found in us-east-1 (is it deployed? npx cdktf deploy dev)",
        "dev has no machine named 'gpu' (its machines: trainer)",
    ]


def test_missing_credentials_say_so_in_one_line(aws, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert run(["machines", "status", "dev", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.strip() == (
        "listing the machines: no AWS credentials (set AWS_PROFILE, or sign in with aws sso login)"
    )


def test_state_bootstrap_makes_a_private_versioned_encrypted_tls_only_bucket_and_can_run_again(aws, capsys):
    for _ in range(2):
        assert run(["state", "bootstrap", "prod", "--env-dir", str(ENV_DIR)]) == 0
    out = capsys.readouterr().out
    bucket = "mlinfra-terraform-state-111122223333"
    assert f"s3://{bucket}: created in us-east-1" in out and f"s3://{bucket}: exists in account" in out
    s3 = boto3.client("s3", region_name="us-east-1")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_state_bootstrap_needs_a_bucket_in_the_file(aws, capsys):
    assert run(["state", "bootstrap", "dev", "--env-dir", str(ENV_DIR)]) == 2
    assert capsys.readouterr().err.strip() == "dev: names no S3 state bucket (add state: {bucket: …} to its file)"


@pytest.mark.parametrize("code", ["AccessDenied", "SlowDown"])
def test_access_denied_and_throttling_become_one_line(code):
    from botocore.exceptions import ClientError

    from gpulab.ops.aws_clients import call
    from gpulab.ops.errors import OpsError

    def refuse():
        raise ClientError({"Error": {"Code": code, "Message": "no"}}, "ListBuckets")

    with pytest.raises(OpsError) as raised:
        call("listing buckets", refuse)
    assert str(raised.value).startswith(
        "listing buckets: " + ("access denied" if code == "AccessDenied" else "AWS kept")
    )
