"""The gpulab command: bad input gives one clear line per problem and exit code 2.

Each case breaks one thing in an otherwise valid environment file and checks
the exact line printed, the exit code, and that earlier output is untouched.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gpulab.cli import run
from tests.trees import write_earlier_output

VALID = textwrap.dedent(
    """\
    cloud: aws
    region: us-east-1
    project: mlinfra
    owner: ml-team
    network:
      cidr: 10.0.0.0/16
      public_subnets: [10.0.1.0/24, 10.0.2.0/24]
      private_subnets: [10.0.11.0/24, 10.0.12.0/24]
    machines:
      - name: trainer
        gpu: {type: t4, count: 1}
        data_disk_gb: 100
    buckets:
      - name: datasets
    monitoring:
      alarm_email: ops@example.com
    """
)

BAD_INPUT = {
    "yaml syntax": (
        ("project: mlinfra", "project: [mlinfra"),
        "dev.yaml: line 4, column 6: invalid YAML: while parsing a flow sequence, expected ',' or ']', but got ':' "
        "(fix the syntax at that spot)",
    ),
    "duplicate key": (
        ("owner: ml-team", "owner: ml-team\nowner: other"),
        "dev.yaml: line 5, column 1: invalid YAML: key 'owner' is given twice (keep one)",
    ),
    "unknown key": (
        ("  cidr: 10.0.0.0/16", "  cidr: 10.0.0.0/16\n  nat_gateway: single"),
        "dev.yaml: network.nat_gateway: unknown key 'nat_gateway' (did you mean 'nat'?)",
    ),
    "wrong type": (
        ("data_disk_gb: 100", "data_disk_gb: lots"),
        "dev.yaml: machines[0].data_disk_gb: 'lots' is not a whole number (write a whole number)",
    ),
    "old versions archived after they expire": (
        ("  - name: datasets", "  - name: datasets\n    archive_noncurrent_after_days: 120"),
        "dev.yaml: buckets[0].archive_noncurrent_after_days: 120 is not before noncurrent_expire_days 90 "
        "(replaced versions are archived, then deleted: raise noncurrent_expire_days)",
    ),
    "backup time off the hour": (
        ("monitoring:", "backups:\n  daily_at: '03:30'\nmonitoring:"),
        "dev.yaml: backups.daily_at: '03:30' is not a time on the hour (write HH:00 on the 24-hour clock, in UTC, "
        "e.g. 04:00)",
    ),
    "invalid cidr": (
        ("10.0.12.0/24]", "10.0.300.0/24]"),
        "dev.yaml: network.private_subnets[1]: 10.0.300.0/24 is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)",
    ),
    "host bits": (
        ("10.0.12.0/24]", "10.0.12.5/24]"),
        "dev.yaml: network.private_subnets[1]: 10.0.12.5/24 has host bits set (did you mean 10.0.12.0/24?)",
    ),
    "overlapping cidrs": (
        ("10.0.12.0/24]", "10.0.1.0/25]"),
        "dev.yaml: network.private_subnets[1]: 10.0.1.0/25 overlaps public_subnets[0] 10.0.1.0/24 (give each subnet its own block)",
    ),
    "subnet outside vpc": (
        ("10.0.12.0/24]", "10.1.12.0/24]"),
        "dev.yaml: network.private_subnets[1]: 10.1.12.0/24 is outside the VPC 10.0.0.0/16 (pick a block inside network.cidr)",
    ),
    "unknown region": (
        ("region: us-east-1", "region: us-est-1"),
        "dev.yaml: region: unknown AWS region 'us-est-1' (did you mean 'us-east-1'?)",
    ),
    "unknown gpu": (
        ("{type: t4, count: 1}", "{type: v100, count: 1}"),
        "dev.yaml: machines[0].gpu.type: unknown GPU type 'v100' on AWS (use one of a100, a10g, h100, l4, t4)",
    ),
    "gpu count not offered": (
        ("{type: t4, count: 1}", "{type: t4, count: 2}"),
        "dev.yaml: machines[0].gpu.count: no AWS machine carries 2 × t4 (use 1, 4, 8)",
    ),
    "gpu not offered in the region": (
        ("region: us-east-1", "region: af-south-1", "{type: t4, count: 1}", "{type: h100, count: 8}"),
        "dev.yaml: machines[0].gpu.type: p5.48xlarge (8 × h100) is not offered in af-south-1 (regions that offer it: "
        "ap-northeast-1, ap-south-1, ap-southeast-2, ap-southeast-3, ca-central-1, eu-north-1, eu-west-2, sa-east-1, "
        "us-east-1, us-east-2, us-west-2)",
    ),
    "unknown machine type": (
        ("gpu: {type: t4, count: 1}", "machine_type: g4dn.huge"),
        "dev.yaml: machines[0].machine_type: unknown AWS machine type 'g4dn.huge' (did you mean 'g4dn.xlarge'?)",
    ),
    "invalid bucket name": (
        ("- name: datasets", "- name: Data_Sets"),
        "dev.yaml: buckets[0].name: 'Data_Sets' is not a valid name (use lowercase letters, digits and hyphens, starting with a letter)",
    ),
    "bucket name too long": (
        ("project: mlinfra\n", "project: mlinfra-research-lab\n", "- name: datasets", "- name: " + "d" * 40),
        "dev.yaml: buckets[0].name: bucket name 'mlinfra-research-lab-dev-"
        + "d" * 40
        + "' is not a valid S3 name (3-63 lowercase letters, digits and single hyphens; shorten project, environment or bucket name)",
    ),
    "negative size": (
        ("data_disk_gb: 100", "data_disk_gb: -5"),
        "dev.yaml: machines[0].data_disk_gb: -5 is out of range (use a value at least 1)",
    ),
    "bad email": (
        ("ops@example.com", "ops.example.com"),
        "dev.yaml: monitoring.alarm_email: 'ops.example.com' is not a valid e-mail address (an email address must have an @-sign)",
    ),
    "missing field": (("cloud: aws\n", ""), "dev.yaml: cloud: is required (add it; see docs/environments.md)"),
    "derived subnets overlap a given one": (
        (
            "  public_subnets: [10.0.1.0/24, 10.0.2.0/24]\n  private_subnets: [10.0.11.0/24, 10.0.12.0/24]\n",
            "  public_subnets: [10.0.128.0/24, 10.0.2.0/24]\n",
        ),
        "dev.yaml: network.private_subnets: 10.0.128.0/20 overlaps public_subnets[0] 10.0.128.0/24 (give both public_subnets and private_subnets)",
    ),
    "zone listed twice": (
        ("  cidr: 10.0.0.0/16", "  cidr: 10.0.0.0/16\n  availability_zones: [us-east-1a, us-east-1a]"),
        "dev.yaml: network.availability_zones: a zone is listed twice (list each zone once)",
    ),
    "union of wrong types": (
        ("  cidr: 10.0.0.0/16", "  cidr: 10.0.0.0/16\n  availability_zones: two"),
        "dev.yaml: network.availability_zones: 'two' is not a whole number or a list (write a whole number or a list)",
    ),
    "port out of range": (
        ("data_disk_gb: 100", "data_disk_gb: 100\n    ingress: {ports: [ssh, 70000]}"),
        "dev.yaml: machines[0].ingress.ports[1]: 70000 is out of range (use a value at most 65535)",
    ),
    "reserved tag": (
        ("owner: ml-team", "owner: ml-team\ntags: {Project: other}"),
        "dev.yaml: tags.Project: 'Project' is set by gpulab or AWS (remove it; use project/owner for Project/Owner)",
    ),
    "world-open ingress": (
        ("data_disk_gb: 100", "data_disk_gb: 100\n    ingress: {cidrs: [0.0.0.0/0]}"),
        "dev.yaml: machines[0].ingress.cidrs[0]: 0.0.0.0/0 opens the machine to the whole internet (list your office or VPN range, or use SSM Session Manager)",
    ),
}


VALID_AZURE = textwrap.dedent(
    """\
    cloud: azure
    region: eastus
    project: echoes
    owner: research
    headquarters:
      machine_type: Standard_D4s_v5
      admin_cidrs: [203.0.113.0/24]
    machines:
      - name: experiment
        gpu: {type: t4, count: 1}
    buckets:
      - name: datasets
    """
)

AZURE_BAD_INPUT = {
    "azure unknown region": (
        ("region: eastus", "region: east-us"),
        "dev.yaml: region: unknown Azure region 'east-us' (did you mean 'eastus'?)",
    ),
    "azure unknown vm size": (
        ("machine_type: Standard_D4s_v5", "machine_type: Standard_D4sv5"),
        "dev.yaml: headquarters.machine_type: unknown Azure machine type 'Standard_D4sv5' (did you mean 'Standard_D4s_v5'?)",
    ),
    "azure retired vm size": (
        ("gpu: {type: t4, count: 1}", "machine_type: Standard_NC6s_v3"),
        "dev.yaml: machines[0].machine_type: Standard_NC6s_v3: the NCv3 series (V100) was retired by Azure on 2025-09-30; "
        "use Standard_NC4as_T4_v3 or Standard_NC24ads_A100_v4 (its last price: $3.06/h on demand, "
        "Azure Linux VM pay-as-you-go pricing, East US)",
    ),
    "azure gpu type not offered": (
        ("{type: t4, count: 1}", "{type: l4, count: 1}"),
        "dev.yaml: machines[0].gpu.type: unknown GPU type 'l4' on Azure (use one of a10, a100, h100, t4)",
    ),
    "azure gpu count not offered": (
        ("{type: t4, count: 1}", "{type: h100, count: 4}"),
        "dev.yaml: machines[0].gpu.count: no Azure machine carries 4 × h100 (use 1, 2, 8)",
    ),
    "azure invalid storage account name": (
        ("owner: research", "owner: research\nazure: {storage_account: Echoes-Data}"),
        "dev.yaml: azure.storage_account: 'Echoes-Data' is not a valid storage account name "
        "(3-24 lowercase letters and digits, no hyphens)",
    ),
    "azure gpu not offered in the region": (
        ("region: eastus", "region: brazilsouth", "{type: t4, count: 1}", "{type: h100, count: 1}"),
        "dev.yaml: machines[0].gpu.type: Standard_NC40ads_H100_v5 (1 × h100) is not offered in brazilsouth "
        "(regions that offer it: australiaeast, eastus, eastus2, francecentral, japaneast, northcentralus, "
        "southcentralus, swedencentral, uksouth, westeurope, westus3)",
    ),
    "azure unknown time zone": (
        ("    gpu: {type: t4, count: 1}", "    gpu: {type: t4, count: 1}\n    shutdown_timezone: Mars/Olympus"),
        "dev.yaml: machines[0].shutdown_timezone: 'Mars/Olympus' is not a time zone Azure knows "
        "(write a Windows id such as W. Europe Standard Time, or an IANA name such as Europe/Berlin)",
    ),
    "azure os disk larger than azure allows": (
        ("    gpu: {type: t4, count: 1}", "    gpu: {type: t4, count: 1}\n    root_disk_gb: 16384"),
        "dev.yaml: machines[0].root_disk_gb: 16384 is more than an Azure OS disk holds (use at most 4095; "
        "put data on data_disk_gb)",
    ),
    "azure data disk smaller than a premium ssd": (
        ("    gpu: {type: t4, count: 1}", "    gpu: {type: t4, count: 1}\n    data_disk_gb: 2"),
        "dev.yaml: machines[0].data_disk_gb: 2 GB is outside what an Azure Premium SSD data disk holds (use 4 to 32767)",
    ),
    "azure field of another cloud": (
        ("    gpu: {type: t4, count: 1}", "    gpu: {type: t4, count: 1}\n    max_run_hours: 4"),
        "dev.yaml: machines[0].max_run_hours: is not used on Azure (use shutdown_at: a daily deallocation schedule)",
    ),
    "azure world-open ssh": (
        ("admin_cidrs: [203.0.113.0/24]", "admin_cidrs: [0.0.0.0/0]"),
        "dev.yaml: headquarters.admin_cidrs[0]: 0.0.0.0/0 opens SSH to the whole internet (list your office or VPN range)",
    ),
    "azure invalid container name": (
        ("- name: datasets", "- name: ds"),
        "dev.yaml: buckets[0].name: 'ds' is not a valid container name (3-63 lowercase letters, digits, single hyphens)",
    ),
    "azure archive on zone-redundant storage": (
        ("owner: research", "owner: research\nazure: {storage_replication: ZRS}"),
        "dev.yaml: buckets[0].archive_after_days: ZRS storage has no archive tier (set archive_after_days: null, "
        "or use LRS, GRS or RAGRS)",
    ),
    "azure kms without deployer addresses": (
        ("owner: research", "owner: research\nencryption: kms"),
        "dev.yaml: azure.deployer_cidrs: is required with encryption: kms (list the addresses Terraform runs from; "
        "the Key Vault's firewall admits nobody else)",
    ),
    "azure private range for the storage firewall": (
        ("owner: research", "owner: research\nazure: {storage_access_cidrs: [10.8.0.0/16]}"),
        "dev.yaml: azure.storage_access_cidrs[0]: 10.8.0.0/16 is a private range, which storage firewalls refuse "
        "(the VNet is admitted by its subnets)",
    ),
    "azure storage open to the world": (
        ("owner: research", "owner: research\nazure: {storage_access_cidrs: [0.0.0.0/0]}"),
        "dev.yaml: azure.storage_access_cidrs[0]: 0.0.0.0/0 opens the storage account to the whole internet "
        "(list your office or VPN range)",
    ),
    "azure invalid ssh key": (
        ("owner: research", "owner: research\nazure: {ssh_public_keys: [~/.ssh/id_ed25519]}"),
        "dev.yaml: azure.ssh_public_keys[0]: '~/.ssh/id_ed25519' is neither a public key nor a .pub file "
        "(give e.g. ~/.ssh/id_ed25519.pub; never a private key)",
    ),
}

VALID_GCP = textwrap.dedent(
    """\
    cloud: gcp
    region: us-central1
    project: pcp
    owner: training
    gcp:
      project_id: pcp-training-000000
    network:
      availability_zones: [us-central1-a, us-central1-b]
    machines:
      - name: worker
        gpu: {type: t4, count: 1}
        count: 3
    buckets:
      - name: results
    """
)

GCP_BAD_INPUT = {
    "gcp unknown zone": (
        ("us-central1-b]", "us-central1-z]"),
        "dev.yaml: network.availability_zones[1]: 'us-central1-z' is not a zone of us-central1 (did you mean 'us-central1-a'?)",
    ),
    "gcp accelerator not offered in a zone": (
        ("{type: t4, count: 1}", "{type: h100, count: 8}"),
        "dev.yaml: machines[0].gpu.type: h100 is not offered in us-central1-b "
        "(zones of us-central1 that offer it: us-central1-a, us-central1-c)",
    ),
    "gcp too few zones offer the gpu": (
        (
            "  availability_zones: [us-central1-a, us-central1-b]",
            "  availability_zones: 3\n  nat: single",
            "t4",
            "h100",
            "count: 1}",
            "count: 8}",
        ),
        "dev.yaml: network.availability_zones: 3 zones asked for, but only 2 of us-central1 offer h100 "
        "(us-central1-a, us-central1-c; ask for fewer zones or another region)",
    ),
    "gcp count out of range": (
        ("count: 3", "count: 101"),
        "dev.yaml: machines[0].count: 101 is out of range (use a value at most 100)",
    ),
    "gcp invalid bucket name": (
        ("- name: results", "- name: google-results"),
        "dev.yaml: buckets[0].name: bucket name 'pcp-dev-google-results' is not a valid GCS name "
        "(3-63 lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit; "
        "no goog prefix or google)",
    ),
    "gcp gpu count an n1 cannot carry": (
        ("    gpu: {type: t4, count: 1}", "    gpu: {type: t4, count: 3}\n    machine_type: n1-standard-8"),
        "dev.yaml: machines[0].gpu.count: an N1 machine carries 1 of 1, 2, 4 × t4, not 3",
    ),
    "gcp missing project id": (
        ("gcp:\n  project_id: pcp-training-000000\n", ""),
        "dev.yaml: gcp.project_id: is required on gcp (add the ID of the Google Cloud project to build in)",
    ),
    "gcp unknown time zone": (
        ("    count: 3", "    count: 3\n    shutdown_timezone: Pacific Standard Time"),
        "dev.yaml: machines[0].shutdown_timezone: 'Pacific Standard Time' is not an IANA time zone "
        "(write e.g. UTC or Europe/Berlin; did you mean 'America/Los_Angeles'?)",
    ),
    "gcp nonsense time zone": (
        ("    count: 3", "    count: 3\n    shutdown_timezone: Mars/Olympus"),
        "dev.yaml: machines[0].shutdown_timezone: 'Mars/Olympus' is not an IANA time zone "
        "(write e.g. UTC or Europe/Berlin; use one of Etc/UTC, UTC)",
    ),
    "gcp data disk smaller than a persistent disk": (
        ("    count: 3", "    count: 3\n    data_disk_gb: 5"),
        "dev.yaml: machines[0].data_disk_gb: 5 GB is outside what a Compute Engine persistent disk holds (use 10 to 65536)",
    ),
    "gcp snapshot start time compute engine refuses": (
        ("    count: 3", "    count: 3\nbackups:\n  enabled: true\n  daily_at: '03:00'"),
        "dev.yaml: backups.daily_at: 03:00 is not a start time of Compute Engine snapshot schedules "
        "(use one of 00:00, 04:00, 08:00, 12:00, 16:00, 20:00 UTC)",
    ),
    "gcp world-open ssh": (
        ("  project_id: pcp-training-000000", "  project_id: pcp-training-000000\n  admin_cidrs: [0.0.0.0/0]"),
        "dev.yaml: gcp.admin_cidrs[0]: 0.0.0.0/0 opens SSH to the whole internet "
        "(list your office or VPN range, or use IAP with iap_ssh: true)",
    ),
    "gcp base file missing": (
        ("cloud: gcp\n", "extends: _fleet.yaml\ncloud: gcp\n"),
        "dev.yaml: extends: '_fleet.yaml' does not exist next to this file (give its file name)",
    ),
}

CASES = (
    [(VALID, case, *BAD_INPUT[case]) for case in sorted(BAD_INPUT)]
    + [(VALID_AZURE, case, *AZURE_BAD_INPUT[case]) for case in sorted(AZURE_BAD_INPUT)]
    + [(VALID_GCP, case, *GCP_BAD_INPUT[case]) for case in sorted(GCP_BAD_INPUT)]
)


def write_env(env_dir: Path, text: str, name: str = "dev") -> Path:
    env_dir.mkdir(parents=True, exist_ok=True)
    path = env_dir / f"{name}.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def earlier_output(tmp_path) -> Path:
    """An output folder holding an earlier good synth (a marker file stands for its stack)."""
    out = tmp_path / "cdktf.out"
    write_earlier_output(out)
    return out


@pytest.mark.parametrize("valid,case,edits,expected", CASES, ids=[case for _, case, _, _ in CASES])
def test_bad_input_prints_one_clear_line_exits_2_and_keeps_earlier_output(
    valid, case, edits, expected, tmp_path, earlier_output, capsys
):
    text = valid
    for old, new in zip(edits[::2], edits[1::2], strict=True):
        assert old in text, "each edit must change something"
        text = text.replace(old, new, 1)
    env_file = write_env(tmp_path / "environments", text)

    code = run(["synth", "--env-dir", str(env_file.parent), "--out", str(earlier_output)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [f"{env_file.parent}/{expected}"]
    assert "Traceback" not in err
    assert (earlier_output / "stacks" / "dev" / "cdk.tf.json").read_text() == '{"earlier": "good output"}'


def test_every_problem_of_every_file_is_reported_at_once(tmp_path, capsys):
    env_dir = tmp_path / "environments"
    write_env(env_dir, VALID.replace("us-east-1", "mars-1").replace("ops@example.com", "nobody"), "dev")
    write_env(env_dir, VALID.replace("{type: t4, count: 1}", "{type: t5, count: 1}"), "prod")

    code = run(["validate", "--env-dir", str(env_dir)])

    lines = capsys.readouterr().err.splitlines()
    assert code == 2
    assert [line.split(": ")[1] for line in lines] == ["monitoring.alarm_email", "machines[0].gpu.type"]
    assert lines[0].startswith(f"{env_dir}/dev.yaml") and lines[1].startswith(f"{env_dir}/prod.yaml")


def test_region_is_checked_once_the_file_has_the_right_shape(tmp_path, capsys):
    env_dir = tmp_path / "environments"
    write_env(env_dir, VALID.replace("us-east-1", "mars-1"))
    assert run(["validate", "--env-dir", str(env_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{env_dir}/dev.yaml: region: unknown AWS region 'mars-1' (use one of " + capsys_regions() + ")"
    ]


def capsys_regions() -> str:
    from gpulab.config.catalog import for_cloud

    return ", ".join(sorted(for_cloud("aws").regions))


def test_unknown_environment_name_is_a_clear_error(tmp_path, capsys):
    env_dir = tmp_path / "environments"
    write_env(env_dir, VALID)
    assert run(["synth", "dve", "--env-dir", str(env_dir), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"{env_dir}: no environment named 'dve' (did you mean 'dev'?)"]


def test_validate_and_list_describe_the_shipped_environments(capsys):
    assert run(["validate"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "chameleon: ok (openstack KVM@TACC, 4 machine(s), 2 bucket(s))",
        "dev: ok (aws us-east-1, 1 machine(s), 2 bucket(s))",
        "echoes-prod: ok (azure eastus, 1 machine(s), 5 bucket(s))",
        "echoes: ok (azure eastus, 1 machine(s), 5 bucket(s))",
        "huge: ok (gcp us-central1, 15 machine(s), 1 bucket(s))",
        "large: ok (gcp us-central1, 7 machine(s), 1 bucket(s))",
        "prod: ok (aws us-east-1, 2 machine(s), 2 bucket(s))",
        "small: ok (gcp us-central1, 3 machine(s), 1 bucket(s))",
        "tiny: ok (gcp us-central1, 1 machine(s), 1 bucket(s))",
    ]
    assert run(["list"]) == 0
    listing = capsys.readouterr().out
    assert "1 × trainer: g4dn.xlarge" in listing and "2 × trainer: g5.xlarge" in listing
    assert "1 × hq: Standard_D4s_v3 (≈ $0.19/h on demand)" in listing
    assert "1 × experiment: Standard_NC4as_T4_v3 (≈ $0.53/h on demand)" in listing
    assert "Azure Linux VM pay-as-you-go pricing, East US, 2025-06" in listing
    assert "15 × worker: n1-standard-4 (≈ $0.54/h on demand)" in listing, "N1 prices include the attached T4"
    assert "1 × gpu: gpu_rtx_6000 (no dollar price)\n  Chameleon charges its allocations in service units" in listing
    assert "1 × experiment: Standard_NC4as_T4_v3 spot (≈ $0.18/h spot, a typical 65% below on demand)" in listing


def test_list_prices_spot_at_its_cap_and_says_when_a_region_has_no_prices(tmp_path, capsys):
    env_dir = tmp_path / "environments"
    capped = VALID.replace(
        "gpu: {type: t4, count: 1}", "gpu: {type: t4, count: 1}\n    spot: true\n    spot_max_price: 0.1"
    )
    write_env(env_dir, capped, "capped")
    write_env(env_dir, VALID.replace("region: us-east-1", "region: eu-west-1"), "ireland")
    assert run(["list", "--env-dir", str(env_dir)]) == 0
    listing = capsys.readouterr().out
    assert "1 × trainer: g4dn.xlarge spot (≈ $0.10/h spot, a typical 65% below on demand)" in listing
    assert "1 × trainer: g4dn.xlarge (no price)" in listing
    assert "no prices for region eu-west-1: the catalog prices us-east-1, us-east-2, us-west-2" in listing


def test_a_name_prefix_too_long_for_iam_is_caught_before_synth(tmp_path, capsys):
    env_dir = tmp_path / "environments"
    name = "research-" + "x" * 31
    write_env(env_dir, VALID.replace("project: mlinfra", "project: mlinfra-research-lab"), name)
    assert run(["validate", "--env-dir", str(env_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{env_dir}/{name}.yaml: project: 'mlinfra-research-lab-{name}' (project-environment) is 61 characters; "
        "IAM role names built from it allow at most 54 (shorten the project or the file name)",
        f"{env_dir}/{name}.yaml: buckets[0].name: bucket name 'mlinfra-research-lab-{name}-datasets' is not a valid S3 name "
        "(3-63 lowercase letters, digits and single hyphens; shorten project, environment or bucket name)",
    ]


def test_an_output_folder_that_cannot_be_written_is_a_clear_error(tmp_path, capsys):
    env_dir = tmp_path / "environments"
    write_env(env_dir, VALID)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert run(["synth", "--env-dir", str(env_dir), "--out", str(blocker / "cdktf.out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{blocker}: cannot write the output: ") and line.endswith(" (pick another --out)")
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("jsii_node", [None, "missing-node"])
def test_without_nodejs_synth_says_so_exits_2_and_keeps_earlier_output(
    jsii_node, tmp_path, earlier_output, capsys, monkeypatch
):
    env_dir = tmp_path / "environments"
    write_env(env_dir, VALID)
    if jsii_node is None:
        monkeypatch.delenv("JSII_NODE", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path / "no-node-here"))
        where = "no `node` on PATH"
    else:
        monkeypatch.setenv("JSII_NODE", str(tmp_path / jsii_node))
        where = f"JSII_NODE={tmp_path / jsii_node}"

    assert run(["synth", "--env-dir", str(env_dir), "--out", str(earlier_output)]) == 2

    assert capsys.readouterr().err.splitlines() == [
        f"cannot synthesize: Node.js not found ({where}); install Node.js 20 or newer, or set JSII_NODE to it"
    ]
    assert (earlier_output / "stacks" / "dev" / "cdk.tf.json").read_text() == '{"earlier": "good output"}'


def test_problems_name_the_file_as_given_not_its_resolved_path(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_env(tmp_path / "environments", VALID.replace("project: mlinfra", "project: [mlinfra"))
    assert run(["validate", "--env-dir", "environments"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("environments/dev.yaml: line 4, column 6: invalid YAML")


def test_version_names_gpulab_and_the_engine_it_synthesizes_with(capsys):
    from importlib.metadata import version

    import gpulab

    assert run(["--version"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"gpulab {gpulab.__version__} (cdktf {version('cdktf')}, ")
    assert f"cdktf-cdktf-provider-aws {version('cdktf-cdktf-provider-aws')}" in line
    assert version("gpulab") == gpulab.__version__, "the package metadata takes its version from gpulab.__version__"
