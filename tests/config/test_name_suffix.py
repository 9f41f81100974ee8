"""name_suffix: one short, deterministic ending that makes every globally unique name of an environment unique."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from gpulab.config import azure_names, gcp_names, load_environments
from gpulab.errors import ConfigError
from gpulab.synth.app import synthesize

FILES = {
    "aws": """\
        cloud: aws
        region: us-east-1
        project: mlinfra
        owner: ml-team
        name_suffix: x7k2
        buckets:
          - name: datasets
            access_logs: true
        """,
    "azure": """\
        cloud: azure
        region: westeurope
        project: echoes
        owner: aclarke
        name_suffix: x7k2
        encryption: kms
        azure:
          deployer_cidrs: [203.0.113.0/24]
        headquarters:
          admin_cidrs: [203.0.113.0/24]
        buckets:
          - name: datasets
        """,
    "gcp": """\
        cloud: gcp
        region: us-central1
        project: pcp
        owner: training
        name_suffix: x7k2
        encryption: kms
        gcp:
          project_id: pcp-training-000000
        buckets:
          - name: results
        """,
}


def _environment(tmp_path: Path, cloud: str, **replace: str):
    text = textwrap.dedent(FILES[cloud])
    for old, new in replace.items():
        text = text.replace(old, new)
    folder = tmp_path / "environments"
    folder.mkdir(exist_ok=True)
    (folder / "dev.yaml").write_text(text)
    (env,) = load_environments(folder)
    return env


def _stack(tmp_path: Path, env) -> dict:
    out = synthesize([env], tmp_path / "cdktf.out", state_dir=tmp_path)
    return json.loads((out / "stacks" / "dev" / "cdk.tf.json").read_text())["resource"]


def test_aws_bucket_names_end_with_the_suffix(tmp_path):
    resources = _stack(tmp_path, _environment(tmp_path, "aws"))
    names = sorted(b["bucket"] for b in resources["aws_s3_bucket"].values())
    assert names == ["mlinfra-dev-access-logs-x7k2", "mlinfra-dev-datasets-x7k2"]


def test_azure_storage_account_key_vault_and_dns_label_end_with_the_suffix(tmp_path):
    env = _environment(tmp_path, "azure")
    resources = _stack(tmp_path, env)
    (account,) = resources["azurerm_storage_account"].values()
    (vault,) = resources["azurerm_key_vault"].values()
    hq_ip = next(ip for key, ip in resources["azurerm_public_ip"].items() if key.startswith("hq_"))
    assert (account["name"], vault["name"], hq_ip["domain_name_label"]) == (
        "echoesdevx7k2",
        "kv-echoes-dev-x7k2",
        "echoes-dev-hq-x7k2",
    )
    long = _environment(
        tmp_path, "azure", **{"project: echoes": "project: averylongprojectname", "encryption: kms\n": ""}
    )
    assert len(azure_names.storage_account_name(long)) == 24 and azure_names.storage_account_name(long).endswith(
        "x7k2"
    ), "the cut keeps the suffix"


def test_gcp_bucket_and_key_ring_names_end_with_the_suffix(tmp_path):
    resources = _stack(tmp_path, _environment(tmp_path, "gcp"))
    assert [b["name"] for b in resources["google_storage_bucket"].values()] == ["pcp-dev-results-x7k2"]
    (ring,) = resources["google_kms_key_ring"].values()
    assert ring["name"] == "pcp-dev-x7k2", "a key ring name can never be used again: the suffix frees the name"


def test_auto_derives_the_same_suffix_every_time_and_another_for_another_owner(tmp_path):
    auto = {"name_suffix: x7k2": "name_suffix: auto"}
    first, again = (_environment(tmp_path, "gcp", **auto) for _ in range(2))
    other = _environment(tmp_path, "gcp", **auto, **{"owner: training": "owner: someone-else"})
    assert first.suffix == again.suffix != other.suffix
    assert len(first.suffix) == 6 and gcp_names.key_ring_name(first) == f"pcp-dev-{first.suffix}"


@pytest.mark.parametrize(
    "cloud,replace,message",
    [
        (
            "aws",
            {"name_suffix: x7k2": "name_suffix: X7-K2"},
            "name_suffix: 'X7-K2' is not a name suffix (1-8 lowercase letters and digits, or auto for one derived "
            "from the environment)",
        ),
        (
            "aws",
            {"project: mlinfra": "project: research-platform-1", "name: datasets": "name: " + "d" * 38},
            "buckets[0].name: bucket name 'research-platform-1-dev-ddd",
        ),
        (
            "azure",
            {"project: echoes": "project: research-labs"},
            "encryption: the Key Vault name 'kv-research-labs-dev-x7k2' is not valid",
        ),
    ],
)
def test_a_suffix_that_makes_a_name_too_long_or_is_malformed_is_refused(tmp_path, cloud, replace, message):
    with pytest.raises(ConfigError) as raised:
        _environment(tmp_path, cloud, **replace)
    assert message in str(raised.value)
