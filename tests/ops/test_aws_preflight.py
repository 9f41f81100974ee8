"""`gpulab preflight` against moto's server: the account, zones, quotas, image and state bucket as AWS answers."""

from __future__ import annotations

from gpulab.cli import run
from gpulab.config import load_environments
from gpulab.defaults import DEEP_LEARNING_AMI_PARAMETER
from gpulab.ops.aws_preflight import quota_family, quota_verdict, required_vcpus
from tests.conftest import ENV_DIR


def test_dev_is_checked_row_by_row_against_the_account(aws, capsys):
    code = run(["preflight", "dev", "--env-dir", str(ENV_DIR)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ok     account: 123456789012"
    assert lines[1].startswith("ok     machine type g4dn.xlarge: offered in us-east-1")
    # moto's Service Quotas knows no EC2 quota: the check says it could not read it, and blocks nothing.
    assert lines[2].startswith("warn   quota: on-demand G and VT vCPUs: needs 4; the quota could not be read (")
    # moto holds none of AWS's public /aws/service/deeplearning parameters (and refuses to create one).
    assert lines[3].startswith(f"block  image: {DEEP_LEARNING_AMI_PARAMETER} does not resolve here")
    assert lines[-1] == "1 blocking, 1 unchecked, of 4" and code == 1


def test_prod_blocks_on_another_account_a_missing_image_and_a_missing_state_bucket(aws, capsys):
    code = run(["preflight", "prod", "--env-dir", str(ENV_DIR)])
    out = capsys.readouterr().out
    assert code == 1
    assert "block  account: signed in to 123456789012; the file allows 111122223333" in out
    assert f"block  image: {DEEP_LEARNING_AMI_PARAMETER} does not resolve here" in out
    assert (
        "block  state bucket: s3://mlinfra-terraform-state-111122223333 does not exist: run gpulab state bootstrap prod"
        in out
    )
    assert out.splitlines()[-1].startswith("3 blocking")


def test_quota_arithmetic_by_family_and_market():
    (prod,) = load_environments(ENV_DIR, ["prod"])
    assert required_vcpus(prod, {"g5.xlarge": 4}) == {(False, "G and VT"): 8}
    assert [quota_family(t) for t in ("g6.12xlarge", "p5.48xlarge", "t3.medium", "vt1.3xlarge")] == [
        "G and VT",
        "P",
        "Standard",
        "G and VT",
    ]
    assert quota_verdict("G and VT", False, 8, 4).verdict == "block"
    assert "request an increase" in quota_verdict("G and VT", False, 8, 4).detail
    assert quota_verdict("P", True, 8, 96).detail == "needs 8 of 96"
