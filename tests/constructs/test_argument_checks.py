"""Every construct refuses props that would fail at plan or apply, with `<argument>: <value> <what to do>`.

Each case starts from arguments that synthesize (checked once per construct
below), changes one, and expects the ValueError naming that argument. The
rules are gpulab.rules, the same ones the environment model applies.
"""

from __future__ import annotations

import json

import pytest
from cdktf import App, Fn, TerraformStack, TerraformVariable
from cdktf import Testing as CdktfTesting

from gpulab.constructs.aws import (
    AwsBuckets,
    AwsDiskBackups,
    AwsGpuVm,
    AwsInstanceRole,
    AwsKmsKey,
    AwsMonitoring,
    AwsNetwork,
    BucketSpec,
)
from gpulab.constructs.azure import (
    AzureDiskBackups,
    AzureGpuVm,
    AzureHeadquarters,
    AzureKeyVault,
    AzureMonitoring,
    AzureNetwork,
    AzureStorage,
    ContainerSpec,
    Spot,
)
from gpulab.constructs.gcp import (
    Accelerator,
    GcpBuckets,
    GcpFleetIdentity,
    GcpGpuVm,
    GcpKmsKey,
    GcpMonitoring,
    GcpNetwork,
    GcpSnapshotSchedule,
    GcpStopSchedule,
    GcsBucketSpec,
)
from gpulab.constructs.openstack import (
    OpenStackContainers,
    OpenStackFirewall,
    OpenStackKeyPair,
    OpenStackNetwork,
    OpenStackNode,
    OpenStackVolume,
)

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGpulabTestKeyOnlyForUnitTests0000000000000 test@gpulab"
AZURE = {"resource_group_name": "rg-t", "location": "westeurope"}
GCP = {"project": "my-project-123"}

# What each construct needs to synthesize; a case overrides one argument.
VALID = {
    AwsNetwork: {"name": "t"},
    AwsGpuVm: {
        "name": "t-vm",
        "vpc_id": "vpc-1",
        "subnet_id": "subnet-1",
        "availability_zone": "eu-west-1a",
        "instance_type": "g6.xlarge",
        "instance_profile_name": "profile",
        "metric_namespace": "ns",
    },
    AwsBuckets: {"buckets": [BucketSpec(name="gpulab-t-data", key="data")]},
    AwsInstanceRole: {"name": "t-machines", "bucket_arns": [], "log_group_arns": [], "metric_namespace": "ns"},
    AwsKmsKey: {"alias": "gpulab-t"},
    AwsMonitoring: {"name": "t", "log_groups": ["trainer"]},
    AzureNetwork: {"name": "t", **AZURE},
    AzureStorage: {"name": "sttest", "containers": [ContainerSpec("data")], **AZURE},
    AzureKeyVault: {"name": "kv-gpulab-t", **AZURE},
    AzureGpuVm: {
        "name": "vm-t",
        "subnet_id": "subnet",
        "size": "Standard_NC4as_T4_v3",
        "gpu": True,
        "admin_username": "researcher",
        "ssh_public_keys": [KEY],
        **AZURE,
    },
    AzureMonitoring: {"name": "t", **AZURE},
    AzureHeadquarters: {
        "name": "vm-t-hq",
        "subnet_id": "subnet",
        "admin_username": "researcher",
        "ssh_public_keys": [KEY],
        "dns_label": "gpulab-t-hq",
        "domain": "lab.example.org",
        **AZURE,
    },
    GcpNetwork: {"name": "t", "region": "europe-west4", "cidr": "10.9.0.0/20", "target_service_accounts": [], **GCP},
    GcpGpuVm: {
        "name": "t-0",
        "zone": "europe-west4-a",
        "machine_type": "n1-standard-4",
        "subnet_self_link": "subnet",
        "service_account_email": "sa@x",
        **GCP,
    },
    GcpStopSchedule: {"name": "t-stop", "region": "europe-west4", **GCP},
    GcpMonitoring: {
        "name": "t",
        "region": "europe-west4",
        "fleet_labels": {"env": "t"},
        "instance_prefix": "t-",
        **GCP,
    },
    GcpBuckets: {"buckets": [GcsBucketSpec(name="gpulab-t-results", key="results")], "location": "EU", **GCP},
    GcpFleetIdentity: {"account_id": "gpulab-t-workers", **GCP},
    AwsDiskBackups: {"name": "t", "target_tags": {"gpulab:backup": "t"}},
    AzureDiskBackups: {"name": "t", "disk_ids": {"hq": "/subscriptions/x/disks/hq"}, **AZURE},
    GcpSnapshotSchedule: {"name": "t-snapshots", "region": "europe-west4", **GCP},
    GcpKmsKey: {"name": "t", "location": "europe-west4", **GCP},
    OpenStackNetwork: {"name": "t", "cidr": "192.168.1.0/24"},
    OpenStackFirewall: {"name": "t", "admin_cidrs": ["203.0.113.0/24"]},
    OpenStackKeyPair: {"name": "t", "public_key": KEY},
    OpenStackNode: {
        "name": "t-node-0",
        "image": "CC-Ubuntu22.04",
        "key_pair": "t",
        "network_name": "t",
        "security_groups": ["t"],
        "flavor": "m1.large",
    },
    OpenStackVolume: {"name": "t-block", "size_gb": 50, "instance_id": "server-1"},
    OpenStackContainers: {"containers": ["t-papers"]},
}

# (construct, the argument changed, its bad value, the whole message)
CASES = [
    # networks: VPC size, subnets, zones, CIDR syntax
    (AwsNetwork, "cidr", "10.0.0.0/8", "cidr: 10.0.0.0/8 must be between a /16 and a /24"),
    (AwsNetwork, "cidr", "10.0.0.0/28", "cidr: 10.0.0.0/28 must be between a /16 and a /24"),
    (
        AwsNetwork,
        "cidr",
        "10.0.300.0/16",
        "cidr: 10.0.300.0/16 is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)",
    ),
    (
        AwsNetwork,
        "availability_zones",
        "us-east-1a",
        "availability_zones: 'us-east-1a' is neither a zone count nor a list of zone names (e.g. 2, or ['us-east-1a'])",
    ),
    (AwsNetwork, "availability_zones", 9, "availability_zones: 9 zones asked for (use 1 to 6)"),
    (
        AwsNetwork,
        "public_subnet_cidrs",
        ["10.1.0.0/24", "10.0.1.0/24"],
        "public_subnet_cidrs[0]: 10.1.0.0/24 is outside the VPC 10.0.0.0/16 (pick a block inside cidr)",
    ),
    (
        AwsNetwork,
        "public_subnet_cidrs",
        ["10.0.128.0/24", "10.0.1.0/24"],
        "private_subnet_cidrs: 10.0.128.0/20 overlaps public_subnet_cidrs[0] 10.0.128.0/24 "
        "(give both public_subnet_cidrs and private_subnet_cidrs)",
    ),
    (AwsNetwork, "nat", "double", "nat: 'double' is not one of none, single, per_az"),
    (
        AwsNetwork,
        "flow_log_retention_days",
        10,
        "flow_log_retention_days: 10 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, "
        "1096, 1827, 2192, 2557, 2922, 3288, 3653",
    ),
    (AzureNetwork, "cidr", "10.0.0.0/8", "cidr: 10.0.0.0/8 must be between a /16 and a /24"),
    (
        AzureNetwork,
        "private_subnet_cidrs",
        ["10.0.0.0/20", "10.0.144.0/20"],
        "private_subnet_cidrs[0]: 10.0.0.0/20 overlaps derived public_subnet_cidrs[0] 10.0.0.0/20 "
        "(give both public_subnet_cidrs and private_subnet_cidrs)",
    ),
    (AzureNetwork, "zone_count", 0, "zone_count: 0 zones asked for (use 1 to 6)"),
    (
        GcpNetwork,
        "cidr",
        "banana",
        "cidr: banana is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)",
    ),
    (GcpNetwork, "cidr", "10.9.0.0/30", "cidr: 10.9.0.0/30 must be between a /8 and a /29"),
    (
        GcpNetwork,
        "admin_cidrs",
        ["203.0.113.0/24", "203.0.113.7/24"],
        "admin_cidrs[1]: 203.0.113.7/24 has host bits set (did you mean 203.0.113.0/24?)",
    ),
    (GcpNetwork, "nat_addresses", 17, "nat_addresses: 17 is out of range (use a value from 1 to 16)"),
    # machines: inbound rules, prices, thresholds, disks, users, names
    (
        AwsGpuVm,
        "ingress_cidrs",
        ["999.1.1.1/32"],
        "ingress_cidrs[0]: 999.1.1.1/32 is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)",
    ),
    (AwsGpuVm, "ports", {"ssh": 70000}, "ports['ssh']: 70000 is not a TCP port (use 1 to 65535)"),
    (AwsGpuVm, "idle_percent", 500, "idle_percent: 500 is out of range (use a value from 1 to 50)"),
    (AwsGpuVm, "root_disk_gb", 4, "root_disk_gb: 4 is out of range (use a value from 8 to 16384)"),
    (AwsGpuVm, "idle_stop_minutes", 7.5, "idle_stop_minutes: 7.5 is not a whole number (use one from 10 to 1440)"),
    (
        AzureGpuVm,
        "admin_username",
        "root",
        "admin_username: 'root' is a user name Azure reserves (pick another, e.g. researcher)",
    ),
    (
        AzureGpuVm,
        "admin_username",
        "Root User",
        "admin_username: 'Root User' is not a Linux user name (lowercase letters, digits, _ and -, at most 32)",
    ),
    (
        AzureGpuVm,
        "shutdown_timezone",
        "Mars/Olympus",
        "shutdown_timezone: 'Mars/Olympus' is not a time zone Azure knows (write a Windows id such as "
        "W. Europe Standard Time, or an IANA name such as Europe/Berlin)",
    ),
    (AzureGpuVm, "shutdown_at", "7pm", "shutdown_at must be HH:MM (24-hour clock), got '7pm'"),
    (
        AzureGpuVm,
        "notify_email",
        "ops@",
        "notify_email: 'ops@' is not a valid e-mail address (There must be something after the @-sign)",
    ),
    (AzureGpuVm, "os_disk_gb", 5000, "os_disk_gb: 5000 is out of range (use a value from 30 to 4095)"),
    (
        AzureGpuVm,
        "public_ip_dns_label",
        "Lab_1",
        "public_ip_dns_label: 'Lab_1' is not a valid DNS label (3-63 lowercase letters, digits and hyphens, "
        "starting with a letter)",
    ),
    (
        AzureHeadquarters,
        "dns_label",
        "-hq",
        "dns_label: '-hq' is not a valid DNS label (3-63 lowercase letters, digits and hyphens, starting with a letter)",
    ),
    (
        AzureHeadquarters,
        "subdomains",
        ["mlflow", "ML_Flow"],
        "subdomains[1]: 'ML_Flow' is not a subdomain label (1-63 lowercase letters, digits and hyphens, e.g. mlflow)",
    ),
    (
        AzureHeadquarters,
        "domain",
        "localhost",
        "domain: 'localhost' is not a domain name (lowercase labels joined by dots, e.g. lab.example.org)",
    ),
    (GcpGpuVm, "max_run_hours", 0, "max_run_hours: 0 is out of range (use a value from 1 to 168)"),
    (GcpGpuVm, "data_disk_gb", 5, "data_disk_gb: 5 is out of range (use a value from 10 to 65536)"),
    (
        GcpGpuVm,
        "name",
        "Trainer_0",
        "name: 'Trainer_0-data' is not a valid Compute Engine name (1-63 lowercase letters, digits and hyphens, "
        "starting with a letter)",
    ),
    (
        GcpStopSchedule,
        "time_zone",
        "Mars/Olympus",
        "time_zone: 'Mars/Olympus' is not an IANA time zone (write e.g. UTC or Europe/Berlin)",
    ),
    (
        GcpStopSchedule,
        "time_zone",
        "W. Europe Standard Time",
        "time_zone: 'W. Europe Standard Time' is not an IANA time zone (write e.g. UTC or Europe/Berlin; "
        "did you mean 'Europe/Berlin'?)",
    ),
    # storage: names, duplicates, replication
    (
        AwsBuckets,
        "buckets",
        [BucketSpec(name="Gpulab-Data", key="data")],
        "buckets[0].name: 'Gpulab-Data' is not a valid S3 bucket name (3-63 lowercase letters, digits and single "
        "hyphens, starting and ending with a letter or digit)",
    ),
    (
        AwsBuckets,
        "buckets",
        [BucketSpec(name="a" * 64, key="data")],
        f"buckets[0].name: '{'a' * 59}… (64 characters) is not a valid S3 bucket name (3-63 lowercase letters, "
        "digits and single hyphens, starting and ending with a letter or digit)",
    ),
    (
        AwsBuckets,
        "buckets",
        [BucketSpec(name="gpulab-t-data", key="data"), BucketSpec(name="gpulab-t-data", key="models")],
        "buckets: name 'gpulab-t-data' is given twice (give each one once)",
    ),
    (
        AwsBuckets,
        "buckets",
        [BucketSpec(name="gpulab-t-data", key="data", archive_after_days=0)],
        "buckets[0].archive_after_days: 0 must be a whole number above 0",
    ),
    (
        GcpBuckets,
        "buckets",
        [GcsBucketSpec(name="google-results", key="results")],
        "buckets[0].name: 'google-results' is not a valid Cloud Storage bucket name (3-63 lowercase letters, digits, "
        "hyphens and underscores, starting and ending with a letter or digit; no goog prefix or google)",
    ),
    (
        GcpBuckets,
        "buckets",
        [GcsBucketSpec(name="gpulab-a", key="results"), GcsBucketSpec(name="gpulab-b", key="results")],
        "buckets: key 'results' is given twice (give each one once)",
    ),
    (
        AzureStorage,
        "name",
        "St-Data",
        "name: 'St-Data' is not a valid storage account name (3-24 lowercase letters and digits, no hyphens)",
    ),
    (
        AzureStorage,
        "name",
        "s" * 25,
        f"name: '{'s' * 25}' is not a valid storage account name (3-24 lowercase letters and digits, no hyphens)",
    ),
    (
        AzureStorage,
        "replication",
        "XRS",
        "replication: 'XRS' is not an Azure storage replication (use one of LRS, ZRS, GRS, GZRS, RAGRS, RAGZRS)",
    ),
    (
        AzureStorage,
        "containers",
        [ContainerSpec("Data")],
        "containers[0].name: 'Data' is not a valid container name (3-63 lowercase letters, digits and single hyphens)",
    ),
    (AzureStorage, "soft_delete_days", 0, "soft_delete_days: 0 is out of range (use a value from 1 to 365)"),
    # identities and keys
    (
        AwsInstanceRole,
        "name",
        "r" * 65,
        f"name: '{'r' * 59}… (65 characters) is not a valid IAM name (1-64 letters, digits and +=,.@_-)",
    ),
    (
        AwsNetwork,
        "name",
        "n" * 60,
        f"name: '{'n' * 59}… (70 characters) is not a valid IAM name (1-64 letters, digits and +=,.@_-)",
    ),
    (
        AwsKmsKey,
        "alias",
        "aws/data",
        "alias: 'alias/aws/data' is reserved for AWS managed keys (pick a name outside alias/aws/)",
    ),
    (
        AwsKmsKey,
        "alias",
        "my data key",
        "alias: 'alias/my data key' is not a KMS alias (write alias/<name>, with letters, digits, /, _ and -)",
    ),
    (
        AzureKeyVault,
        "name",
        "kv--gpulab",
        "name: 'kv--gpulab' is not a valid Key Vault name (3-24 letters, digits and single hyphens, starting with "
        "a letter)",
    ),
    (
        AzureKeyVault,
        "deployer_cidrs",
        ["198.51.100.300/32"],
        "deployer_cidrs[0]: 198.51.100.300/32 is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)",
    ),
    (
        GcpFleetIdentity,
        "account_id",
        "wk",
        "account_id: 'wk' is not a valid service account id (6-30 lowercase letters, digits and hyphens, "
        "starting with a letter)",
    ),
    # backups
    (AwsDiskBackups, "retention_days", 0, "retention_days: 0 is out of range (use a value from 1 to 365)"),
    (
        AwsDiskBackups,
        "target_tags",
        {},
        "target_tags: give at least one tag, or every volume of the account would be snapshotted",
    ),
    (
        AzureDiskBackups,
        "name",
        "n" * 50,
        f"name: 'bvault-{'n' * 50}' is not a valid Backup vault name (2-50 letters, digits and "
        "hyphens, starting with a letter)",
    ),
    (
        GcpSnapshotSchedule,
        "daily_at",
        "03:00",
        "daily_at: '03:00' is not one of 00:00, 04:00, 08:00, 12:00, 16:00, 20:00",
    ),
    (
        GcpKmsKey,
        "name",
        "r" * 60,
        f"name: '{'r' * 59}… (64 characters) is not a valid Cloud KMS key ring name (1-63 letters, digits, "
        "underscores and hyphens)",
    ),
    # monitoring: e-mail, thresholds, retention
    (
        AwsMonitoring,
        "alarm_email",
        "not-an-address",
        "alarm_email: 'not-an-address' is not a valid e-mail address (An email address must have an @-sign)",
    ),
    (
        AwsMonitoring,
        "log_retention_days",
        0,
        "log_retention_days: 0 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, "
        "1096, 1827, 2192, 2557, 2922, 3288, 3653",
    ),
    (
        AzureMonitoring,
        "alarm_email",
        "ops at example.org",
        "alarm_email: 'ops at example.org' is not a valid e-mail address (An email address must have an @-sign)",
    ),
    (GcpMonitoring, "gpu_idle_percent", 500, "gpu_idle_percent: 500 is out of range (use a value from 1 to 50)"),
    (GcpMonitoring, "cpu_percent", 0, "cpu_percent: 0 is out of range (use a value from 1 to 100)"),
    (
        GcpMonitoring,
        "alarm_email",
        "ops@@example.org",
        "alarm_email: 'ops@@example.org' is not a valid e-mail address "
        "(The part after the @-sign contains invalid characters: '@')",
    ),
    # OpenStack: names, ranges, sizes, the flavor-or-lease choice
    (
        OpenStackNetwork,
        "cidr",
        "192.168.1.0/33",
        "cidr: 192.168.1.0/33 is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)",
    ),
    (
        OpenStackFirewall,
        "admin_cidrs",
        ["0.0.0.0/0"],
        "admin_cidrs[0]: 0.0.0.0/0 would admit the whole internet (list your office or VPN range)",
    ),
    (
        OpenStackNode,
        "name",
        "node_0",
        "name: 'node_0' is not a valid OpenStack server name (1-63 letters, digits and hyphens, starting with a letter)",
    ),
    (
        OpenStackNode,
        "reservation",
        "00000000-0000-4000-8000-000000000002",
        "give flavor (a KVM flavor) or reservation (bare metal), one of the two",
    ),
    (OpenStackVolume, "size_gb", 0, "size_gb: 0 is out of range (use a value from 1 to 16384)"),
    (OpenStackContainers, "containers", ["a", "a"], "containers: a name is given twice in ['a', 'a']"),
    (
        OpenStackContainers,
        "containers",
        ["papers/2026"],
        "containers[0]: 'papers/2026' is not a valid Swift container name "
        "(1-256 letters, digits, dots, underscores and hyphens)",
    ),
]


def _synth(construct: type, arguments: dict) -> dict:
    stack = TerraformStack(App(), "test")
    construct(stack, "subject", **arguments)
    return json.loads(CdktfTesting.synth(stack))


@pytest.mark.parametrize("construct", list(VALID), ids=lambda c: c.__name__)
def test_the_starting_arguments_synthesize(construct):
    assert _synth(construct, VALID[construct]).get("resource"), f"{construct.__name__} built no resource"


@pytest.mark.parametrize(
    "construct,argument,value,message",
    CASES,
    ids=[f"{case[0].__name__}-{case[1]}-{index}" for index, case in enumerate(CASES)],
)
def test_a_bad_argument_is_refused_by_name_before_anything_is_built(construct, argument, value, message):
    stack = TerraformStack(App(), "test")
    with pytest.raises(ValueError) as raised:
        construct(stack, "subject", **{**VALID[construct], argument: value})
    assert str(raised.value) == message
    assert stack.node.try_find_child("subject") is None, "nothing half-built is left in the tree"


@pytest.mark.parametrize(
    "build,message",
    [
        (lambda: Spot(max_price=-0.5), "max_price: -0.5 must be a positive number"),
        (
            lambda: Accelerator("nvidia-tesla-k9000", 1, attached=True),
            "type: 'nvidia-tesla-k9000' is not one of nvidia-a100-80gb, nvidia-b200, nvidia-gb200, "
            "nvidia-h100-80gb, nvidia-h100-mega-80gb, nvidia-h200-141gb, nvidia-l4, nvidia-l4-vws, "
            "nvidia-tesla-a100, nvidia-tesla-p100, nvidia-tesla-p100-vws, nvidia-tesla-p4, nvidia-tesla-p4-vws, "
            "nvidia-tesla-t4, nvidia-tesla-t4-vws, nvidia-tesla-v100",
        ),
        (
            lambda: Accelerator("nvidia-tesla-t4", 16, attached=True),
            "count: 16 is out of range (use a value from 1 to 8)",
        ),
    ],
)
def test_bad_option_objects_are_refused_when_made(build, message):
    with pytest.raises(ValueError) as raised:
        build()
    assert str(raised.value) == message


def test_a_negative_aws_spot_price_is_refused():
    stack = TerraformStack(App(), "test")
    with pytest.raises(ValueError) as raised:
        AwsGpuVm(stack, "vm", **VALID[AwsGpuVm], spot=True, spot_max_price=-1)
    assert str(raised.value) == "spot_max_price: -1 must be a positive number"


def test_values_only_a_plan_knows_pass_the_checks():
    """A token (another resource's attribute, a variable) cannot be judged before a plan, so it is let through."""
    stack = TerraformStack(App(), "test")
    cidr = TerraformVariable(stack, "cidr", type="string").string_value
    retention = TerraformVariable(stack, "retention", type="number").number_value
    AwsNetwork(
        stack,
        "net",
        name="t",
        cidr=cidr,
        availability_zones=["eu-west-1a", "eu-west-1b"],
        public_subnet_cidrs=[Fn.cidrsubnet(cidr, 4, 0), Fn.cidrsubnet(cidr, 4, 1)],
        private_subnet_cidrs=["10.0.128.0/20", "10.0.144.0/20"],
        flow_log_retention_days=retention,
    )
    resources = json.loads(CdktfTesting.synth(stack))["resource"]
    (vpc,) = resources["aws_vpc"].values()
    assert vpc["cidr_block"] == "${var.cidr}"
    (group,) = resources["aws_cloudwatch_log_group"].values()
    assert group["retention_in_days"] == "${var.retention}"


def test_subnets_cannot_be_derived_from_a_vpc_block_only_a_plan_knows():
    stack = TerraformStack(App(), "test")
    cidr = TerraformVariable(stack, "cidr", type="string").string_value
    with pytest.raises(ValueError) as raised:
        AwsNetwork(stack, "net", name="t", cidr=cidr)
    assert str(raised.value) == (
        "cidr: the block is only known at plan time, so subnets cannot be derived from it "
        "(give public_subnet_cidrs and private_subnet_cidrs)"
    )


def test_a_kms_alias_may_be_given_with_its_prefix():
    out = _synth(AwsKmsKey, {"alias": "alias/gpulab-t"})
    (alias,) = out["resource"]["aws_kms_alias"].values()
    assert alias["name"] == "alias/gpulab-t"
