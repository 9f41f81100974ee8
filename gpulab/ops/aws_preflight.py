"""`gpulab preflight ENV`: before a deploy, what a plan cannot see, checked against the AWS account.

A plan validates the configuration, not the account it will be applied to.
These checks ask the account: the signed-in account is one the file allows;
each machine type is offered in the zones its machines land in; the GPU
vCPU quotas (Service Quotas) cover what the environment asks for; the
image's SSM parameter resolves in the region; the state bucket exists. Each
check is one row: ok, warn (could not be checked, and why) or block (the
apply would fail, and what to do).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gpulab.config.machines import machine_type_for
from gpulab.config.model import Environment
from gpulab.defaults import DEEP_LEARNING_AMI_PARAMETER
from gpulab.ops.aws_clients import call, client
from gpulab.ops.aws_state import bucket_in_account
from gpulab.ops.errors import OpsError

# Service Quotas codes of the EC2 vCPU limits by instance family (Service Quotas console, "Amazon EC2").
ON_DEMAND_QUOTAS = {
    "G and VT": "L-DB2E81BA",
    "P": "L-417A185B",
    "Standard": "L-1216C47A",
}
SPOT_QUOTAS = {"G and VT": "L-3819A6DF", "P": "L-7212CCBC", "Standard": "L-34B43A08"}


@dataclass(frozen=True)
class Check:
    name: str
    verdict: str  # ok, warn, block
    detail: str

    def __str__(self) -> str:
        return f"{self.verdict:<5}  {self.name}: {self.detail}"


def quota_family(instance_type: str) -> str:
    """The vCPU quota an instance type counts against: G and VT (g*, vt*), P (p*), else Standard."""
    family = instance_type.split(".", 1)[0]
    if family.startswith(("g", "vt")):
        return "G and VT"
    if family.startswith("p"):
        return "P"
    return "Standard"


def required_vcpus(env: Environment, vcpus_of: dict[str, int]) -> Counter:
    """vCPUs the environment's machines need, by (spot or on demand, quota family)."""
    needed: Counter = Counter()
    for machine in env.machines:
        instance_type = machine_type_for(machine, "aws")
        needed[(machine.spot, quota_family(instance_type))] += machine.count * vcpus_of[instance_type]
    return needed


def quota_verdict(family: str, spot: bool, needed: int, quota: float | None, why: str = "") -> Check:
    kind = "spot" if spot else "on-demand"
    name = f"quota: {kind} {family} vCPUs"
    if quota is None:
        return Check(name, "warn", f"needs {needed}; the quota could not be read ({why})")
    if needed > quota:
        return Check(
            name,
            "block",
            f"needs {needed}, the account has {quota:g}: request an increase (Service Quotas → Amazon EC2) first",
        )
    return Check(name, "ok", f"needs {needed} of {quota:g}")


def preflight(env: Environment) -> list[Check]:
    """Every check for `env`, in order; OpsError when the account cannot be asked at all (credentials, network)."""
    region = env.region
    sts, ec2, ssm = client("sts", region), client("ec2", region), client("ssm", region)
    checks = []
    account = call("reading the signed-in account", sts.get_caller_identity)["Account"]
    allowed = env.aws.allowed_account_ids
    if allowed and account not in allowed:
        checks.append(Check("account", "block", f"signed in to {account}; the file allows {', '.join(allowed)}"))
    else:
        checks.append(Check("account", "ok", account))
    types = sorted({machine_type_for(m, "aws") for m in env.machines})
    zones = _zones(env, ec2)
    if types:
        offered = call(
            "listing instance type offerings",
            ec2.describe_instance_type_offerings,
            LocationType="availability-zone",
            Filters=[{"Name": "instance-type", "Values": types}],
        )["InstanceTypeOfferings"]
        for instance_type in types:
            where = {o["Location"] for o in offered if o["InstanceType"] == instance_type}
            landing = _landing_zones(env, instance_type, zones)
            missing = [zone for zone in landing if zone not in where]
            verdict = "block" if missing else "ok"
            detail = (
                f"not offered in {', '.join(missing)}: pick other zones or another type"
                if missing
                else (f"offered in {', '.join(zones)}")
            )
            checks.append(Check(f"machine type {instance_type}", verdict, detail))
        described = call("describing instance types", ec2.describe_instance_types, InstanceTypes=types)
        vcpus_of = {t["InstanceType"]: t["VCpuInfo"]["DefaultVCpus"] for t in described["InstanceTypes"]}
        quotas = client("service-quotas", region)
        for (spot, family), needed in sorted(required_vcpus(env, vcpus_of).items()):
            checks.append(_quota(quotas, family, spot, needed))
    checks.append(_image(ssm))
    if env.state.bucket:
        checks.append(_state_bucket(env, account))
    return checks


def _zones(env: Environment, ec2) -> list[str]:
    wanted = env.network.availability_zones
    if isinstance(wanted, list):
        return wanted
    available = call(
        "listing availability zones",
        ec2.describe_availability_zones,
        Filters=[{"Name": "state", "Values": ["available"]}, {"Name": "zone-type", "Values": ["availability-zone"]}],
    )["AvailabilityZones"]
    return sorted(z["ZoneName"] for z in available)[:wanted]


def _landing_zones(env: Environment, instance_type: str, zones: list[str]) -> list[str]:
    """The zones the machines of `instance_type` land in: a group's copies take the zones in turn."""
    used = set()
    for machine in env.machines:
        if machine_type_for(machine, "aws") == instance_type:
            used.update(zones[: min(machine.count, len(zones))])
    return [zone for zone in zones if zone in used]


def _quota(quotas, family: str, spot: bool, needed: int) -> Check:
    code = (SPOT_QUOTAS if spot else ON_DEMAND_QUOTAS)[family]
    try:
        value = call("reading the quota", quotas.get_service_quota, ServiceCode="ec2", QuotaCode=code)["Quota"]["Value"]
    except OpsError as error:
        return quota_verdict(family, spot, needed, None, str(error).split(": ", 1)[-1])
    return quota_verdict(family, spot, needed, value)


def _image(ssm) -> Check:
    name = "image"
    try:
        value = call("reading the image parameter", ssm.get_parameter, Name=DEEP_LEARNING_AMI_PARAMETER)
    except OpsError as error:
        return Check(name, "block", f"{DEEP_LEARNING_AMI_PARAMETER} does not resolve here ({error})")
    return Check(name, "ok", f"{value['Parameter']['Value']} ({DEEP_LEARNING_AMI_PARAMETER})")


def _state_bucket(env: Environment, account: str) -> Check:
    bucket = env.state.bucket
    try:
        exists = bucket_in_account(client("s3", env.state.region or env.region), bucket, account)
    except OpsError as error:
        return Check("state bucket", "block", str(error))
    if not exists:
        return Check("state bucket", "block", f"s3://{bucket} does not exist: run gpulab state bootstrap {env.name}")
    return Check("state bucket", "ok", f"s3://{bucket}")
