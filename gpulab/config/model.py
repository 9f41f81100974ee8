"""The environment model: what one YAML file under environments/ may say.

Every field is cloud-neutral unless it sits under a cloud's own key (`aws:`).
Validators raise ValueError with a message of the form "what is wrong (what to
do)"; `gpulab.config.loader` turns them into one line per problem.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from gpulab import defaults
from gpulab.netmath import derive_subnet_cidrs

SLUG = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
SLUG_HINT = "use lowercase letters, digits and hyphens, starting with a letter"

# fmt: off
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a valid name ({SLUG_HINT})")
    return value


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        raise ValueError(f"{value} is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)") from None
    if str(network) != value:
        raise ValueError(f"{value} has host bits set (did you mean {network}?)")
    return value


Slug = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_slug)]
Cidr = Annotated[str, AfterValidator(_cidr)]


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Network(Strict):
    """The VPC: its address block, zones, subnets and outbound path."""

    cidr: Cidr = defaults.VPC_CIDR
    availability_zones: int | list[str] = defaults.AVAILABILITY_ZONES
    public_subnets: list[Cidr] | None = None
    private_subnets: list[Cidr] | None = None
    nat: Literal["none", "single", "per_az"] = "single"
    flow_logs: bool = True

    @property
    def zone_count(self) -> int:
        zones = self.availability_zones
        return zones if isinstance(zones, int) else len(zones)

    @model_validator(mode="after")
    def _subnets_fit(self) -> Network:
        count = self.zone_count
        if not 1 <= count <= 6:
            raise ValueError(f"availability_zones: {count} zones asked for (use 1 to 6)")
        vpc = ipaddress.IPv4Network(self.cidr)
        if not 16 <= vpc.prefixlen <= 24:
            raise ValueError(f"cidr: {self.cidr} must be between a /16 and a /24")
        if isinstance(self.availability_zones, list) and len(set(self.availability_zones)) != count:
            raise ValueError("availability_zones: a zone is listed twice (list each zone once)")
        derived_public, derived_private = derive_subnet_cidrs(self.cidr, count)
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for kind, derived in (("public_subnets", derived_public), ("private_subnets", derived_private)):
            subnets = getattr(self, kind)
            if subnets is not None and len(subnets) != count:
                raise ValueError(
                    f"{kind}: {len(subnets)} given for {count} availability zones "
                    f"(give one per zone, or leave {kind} out to derive them)"
                )
            for index, text in enumerate(subnets or derived):
                subnet = ipaddress.IPv4Network(text)
                given = subnets is not None
                label = f"{kind}[{index}]" if given else f"derived {kind}[{index}]"
                if not subnet.subnet_of(vpc):
                    raise ValueError(
                        f"{label}: {text} is outside the VPC {self.cidr} (pick a block inside network.cidr)"
                    )
                for other_label, other in seen:
                    if subnet.overlaps(other):
                        both_given = given and not other_label.startswith("derived")
                        fix = (
                            "give each subnet its own block"
                            if both_given
                            else "give both public_subnets and private_subnets"
                        )
                        where = label if given else kind
                        raise ValueError(f"{where}: {text} overlaps {other_label} {other} ({fix})")
                seen.append((label, subnet))
        return self


class Gpu(Strict):
    """An accelerator request in cloud-neutral words: `{type: t4, count: 1}`."""

    type: str
    count: int = Field(default=1, ge=1, le=8)


class Ingress(Strict):
    """Who may connect to a machine, and on which ports. No CIDRs: no inbound."""

    cidrs: list[Cidr] = []
    ports: list[Literal["ssh", "jupyter", "tensorboard"] | Annotated[int, Field(ge=1, le=65535)]] = [
        "ssh",
        "jupyter",
        "tensorboard",
    ]

    @model_validator(mode="after")
    def _no_open_world(self) -> Ingress:
        for index, cidr in enumerate(self.cidrs):
            if cidr == "0.0.0.0/0":
                raise ValueError(
                    f"cidrs[{index}]: 0.0.0.0/0 opens the machine to the whole internet "
                    "(list your office or VPN range, or use SSM Session Manager)"
                )
        return self

    def port_numbers(self) -> dict[str, int]:
        """Port name → number, with numeric ports named `tcp-<n>`."""
        named = {}
        for port in self.ports:
            if isinstance(port, int):
                named[f"tcp-{port}"] = port
            else:
                named[port] = defaults.PORTS[port]
        return named


class Machine(Strict):
    """One kind of GPU (or CPU) machine, `count` identical copies of it."""

    name: Slug
    gpu: Gpu | None = None
    machine_type: str | None = None
    count: int = Field(default=1, ge=0, le=100)
    root_disk_gb: int = Field(default=defaults.ROOT_DISK_GB, ge=75, le=16384)
    data_disk_gb: int = Field(default=defaults.DATA_DISK_GB, ge=1, le=16384)
    subnet: Literal["private", "public"] = "private"
    public_ip: bool = False
    spot: bool = False
    spot_max_price: float | None = Field(default=None, gt=0)
    ingress: Ingress = Ingress()
    idle_stop_minutes: int | None = Field(default=defaults.IDLE_STOP_MINUTES, ge=10, le=1440)
    setup_script: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Machine:
        if self.gpu is None and self.machine_type is None:
            raise ValueError(
                "neither gpu nor machine_type given (add gpu: {type: t4, count: 1} or machine_type: t3.medium)"
            )
        if self.public_ip and self.subnet != "public":
            raise ValueError("public_ip: true needs subnet: public (or drop public_ip and use SSM)")
        if self.spot_max_price is not None and not self.spot:
            raise ValueError("spot_max_price is set but spot is false (set spot: true)")
        return self


class Bucket(Strict):
    """A data bucket: named `<project>-<env>-<name>` in the cloud."""

    name: Slug
    prefixes: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+/$")]] = []
    archive_after_days: int | None = Field(default=defaults.ARCHIVE_AFTER_DAYS, ge=1)
    noncurrent_expire_days: int = Field(default=defaults.NONCURRENT_EXPIRE_DAYS, ge=1)
    abort_multipart_days: int = Field(default=defaults.ABORT_MULTIPART_DAYS, ge=1)
    access_logs: bool = False


class Monitoring(Strict):
    """Alarms, log retention and the dashboard."""

    alarm_email: EmailStr | None = None
    log_retention_days: int = defaults.LOG_RETENTION_DAYS
    cpu_alarm_percent: int = Field(default=defaults.CPU_ALARM_PERCENT, ge=1, le=100)
    cpu_alarm_periods: int = Field(default=defaults.CPU_ALARM_PERIODS, ge=1, le=24)
    idle_percent: int = Field(default=defaults.IDLE_PERCENT, ge=1, le=50)
    dashboard: bool = True

    @model_validator(mode="after")
    def _retention_is_supported(self) -> Monitoring:
        if self.log_retention_days not in CLOUDWATCH_RETENTION_DAYS:
            nearest = min(CLOUDWATCH_RETENTION_DAYS, key=lambda d: abs(d - self.log_retention_days))
            raise ValueError(
                f"log_retention_days: {self.log_retention_days} is not a retention "
                f"CloudWatch offers (use {nearest}, or one of "
                f"{', '.join(map(str, CLOUDWATCH_RETENTION_DAYS))})"
            )
        return self


class State(Strict):
    """Where Terraform keeps state. No bucket: a local file (works with no account)."""

    bucket: str | None = None
    key: str | None = None
    region: str | None = None


class AwsSettings(Strict):
    """AWS-only settings."""

    allowed_account_ids: list[Annotated[str, Field(pattern=r"^\d{12}$")]] = []


class Environment(Strict):
    """One environment file, validated. `name` comes from the file name."""

    name: Slug
    cloud: Literal["aws"]
    region: str
    project: Annotated[str, Field(min_length=2, max_length=20), AfterValidator(_slug)]
    owner: str = Field(min_length=1, max_length=256)
    tags: dict[Annotated[str, Field(min_length=1, max_length=128)], Annotated[str, Field(max_length=256)]] = {}
    protect_data: bool = False
    encryption: Literal["aes256", "kms"] = "aes256"
    aws: AwsSettings = AwsSettings()
    network: Network = Network()
    machines: list[Machine] = []
    buckets: list[Bucket] = []
    monitoring: Monitoring = Monitoring()
    state: State = State()

    @property
    def prefix(self) -> str:
        """`<project>-<env>`: the start of every resource name."""
        return f"{self.project}-{self.name}"

    def bucket_name(self, bucket: Bucket | str) -> str:
        """The cloud name of a bucket: `<project>-<env>-<name>`."""
        short = bucket if isinstance(bucket, str) else bucket.name
        return f"{self.prefix}-{short}"
