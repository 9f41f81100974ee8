"""The environment model: what one YAML file under environments/ may say.

Every field is cloud-neutral unless it sits under a cloud's own key (`aws:`,
`azure:`, `gcp:`). What exists on which cloud (regions, sizes, which fields a cloud
uses) is checked afterwards by `gpulab.config.checks`. Validators raise
ValueError with a message of the form "what is wrong (what to do)";
`gpulab.config.loader` turns them into one line per problem.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from gpulab import defaults, time_of_day
from gpulab.config.emails import EmailAddress
from gpulab.errors import shown
from gpulab.netmath import subnet_layout
from gpulab.rules import addresses, limits, names
from gpulab.rules.lifecycles import noncurrent_archive_problem
from gpulab.rules.values import raise_problem

SLUG = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
SLUG_HINT = "use lowercase letters, digits and hyphens, starting with a letter"


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{shown(value)} is not a valid name ({SLUG_HINT})")
    return value


def _refuse_open_world(field: str, cidrs: list[str], what: str, fix: str) -> None:
    """0.0.0.0/0 in a source list is refused: opening to everyone must be a named option, not a CIDR."""
    for index, cidr in enumerate(cidrs):
        if cidr == "0.0.0.0/0":
            raise ValueError(f"{field}[{index}]: 0.0.0.0/0 opens {what} to the whole internet ({fix})")


Slug = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_slug)]
Cidr = Annotated[str, AfterValidator(lambda value: raise_problem(value, addresses.cidr_problem))]
UUID = r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$"


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
        for field, value, rule in (
            ("availability_zones", self.availability_zones, addresses.zones_problem),
            ("cidr", self.cidr, addresses.vpc_cidr_problem),
        ):
            problem = rule(value)
            if problem:
                raise ValueError(f"{field}: {problem}")
        subnet_layout(
            self.cidr,
            self.zone_count,
            ("public_subnets", self.public_subnets),
            ("private_subnets", self.private_subnets),
            "network.cidr",
        )
        return self


class Gpu(Strict):
    """An accelerator request in cloud-neutral words: `{type: t4, count: 1}`."""

    type: str
    count: int = Field(default=1, ge=limits.GPU_COUNT[0], le=limits.GPU_COUNT[1])


class Ingress(Strict):
    """Who may connect to a machine, and on which ports. No CIDRs: no inbound."""

    cidrs: list[Cidr] = []
    ports: list[
        Literal["ssh", "jupyter", "tensorboard"] | Annotated[int, Field(ge=limits.PORT[0], le=limits.PORT[1])]
    ] = [
        "ssh",
        "jupyter",
        "tensorboard",
    ]

    @model_validator(mode="after")
    def _no_open_world(self) -> Ingress:
        fix = "list your office or VPN range, or use SSM Session Manager"
        _refuse_open_world("cidrs", self.cidrs, "the machine", fix)
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

    def distinct_ports(self) -> list[int]:
        """The port numbers, each once, ascending (a name and its number may both be listed)."""
        return sorted(set(self.port_numbers().values()))


class Machine(Strict):
    """One kind of GPU (or CPU) machine, `count` identical copies of it.

    site, reservation (OpenStack): the site it runs at (the environment's
    region by default), and for a bare-metal node type the reservation id of
    the lease that holds the nodes.
    hours_per_day: how many hours a day the group's machines are expected to
    run, for `gpulab cost` only (it changes nothing that is built).
    """

    name: Slug
    gpu: Gpu | None = None
    machine_type: str | None = None
    count: int = Field(default=1, ge=0, le=100)
    root_disk_gb: int = Field(default=defaults.ROOT_DISK_GB, ge=30, le=16384)
    data_disk_gb: int = Field(default=defaults.DATA_DISK_GB, ge=limits.EBS_GB[0], le=limits.EBS_GB[1])
    subnet: Literal["private", "public"] = "private"
    public_ip: bool = False
    spot: bool = False
    spot_max_price: float | None = Field(default=None, gt=0)
    ingress: Ingress = Ingress()
    idle_stop_minutes: int | None = Field(
        default=defaults.IDLE_STOP_MINUTES, ge=limits.IDLE_STOP_MINUTES[0], le=limits.IDLE_STOP_MINUTES[1]
    )
    shutdown_at: Annotated[str, Field(pattern=time_of_day.PATTERN)] | None = defaults.SHUTDOWN_AT
    shutdown_timezone: str = defaults.SHUTDOWN_TIMEZONE
    max_run_hours: int | None = Field(default=None, ge=limits.MAX_RUN_HOURS[0], le=limits.MAX_RUN_HOURS[1])
    stopped_between_runs: bool = False
    hours_per_day: float | None = Field(default=None, ge=0, le=24)
    setup_script: str | None = None
    site: str | None = None
    reservation: Annotated[str, Field(pattern=UUID)] | None = None

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
    """A data bucket: named `<project>-<env>-<name>` in the cloud.

    expected_gb: how much data it is expected to hold, for `gpulab cost` only.
    """

    name: Slug
    prefixes: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+/$")]] = []
    cool_after_days: int | None = Field(default=None, ge=1)
    archive_after_days: int | None = Field(default=defaults.ARCHIVE_AFTER_DAYS, ge=1)
    noncurrent_expire_days: int = Field(default=defaults.NONCURRENT_EXPIRE_DAYS, ge=1)
    archive_noncurrent_after_days: int | None = Field(default=None, ge=1)
    abort_multipart_days: int = Field(default=defaults.ABORT_MULTIPART_DAYS, ge=1)
    access_logs: bool = False
    expected_gb: float | None = Field(default=None, ge=0, le=limits.EXPECTED_BUCKET_GB)
    site: str | None = None  # OpenStack: the site whose object store holds it (the region by default)

    @model_validator(mode="after")
    def _cool_before_archive(self) -> Bucket:
        if self.cool_after_days and self.archive_after_days and self.cool_after_days >= self.archive_after_days:
            default = "" if "archive_after_days" in self.model_fields_set else " (the default)"
            raise ValueError(
                f"cool_after_days: {self.cool_after_days} is not before archive_after_days "
                f"{self.archive_after_days}{default} (cool first, then archive; or set archive_after_days: null)"
            )
        problem = noncurrent_archive_problem(self.archive_noncurrent_after_days, self.noncurrent_expire_days)
        if problem:
            raise ValueError(f"archive_noncurrent_after_days: {problem}")
        return self


class Monitoring(Strict):
    """Alarms, log retention and the dashboard."""

    alarm_email: EmailAddress | None = None
    log_retention_days: int | None = Field(default=None, ge=1)
    cpu_alarm_percent: int = Field(
        default=defaults.CPU_ALARM_PERCENT, ge=limits.CPU_ALARM_PERCENT[0], le=limits.CPU_ALARM_PERCENT[1]
    )
    cpu_alarm_periods: int = Field(
        default=defaults.CPU_ALARM_PERIODS, ge=limits.CPU_ALARM_PERIODS[0], le=limits.CPU_ALARM_PERIODS[1]
    )
    idle_percent: int = Field(default=defaults.IDLE_PERCENT, ge=limits.IDLE_PERCENT[0], le=limits.IDLE_PERCENT[1])
    dashboard: bool = True

    @property
    def cpu_alarm_minutes(self) -> int:
        """How long CPU must stay high before the alarm: cpu_alarm_periods periods of 5 minutes."""
        return defaults.ALARM_PERIOD_MINUTES * self.cpu_alarm_periods


class Backups(Strict):
    """Daily snapshots of every machine's data disk, kept `retention_days`.

    enabled: on where the environment protects its data (`protect_data: true`)
    unless set; `prevent_destroy` only stops Terraform, a snapshot survives a
    deleted disk. daily_at: the hour the snapshots start, in UTC ("HH:00").
    """

    enabled: bool | None = None
    retention_days: int = Field(
        default=defaults.BACKUP_RETENTION_DAYS, ge=limits.BACKUP_RETENTION_DAYS[0], le=limits.BACKUP_RETENTION_DAYS[1]
    )
    daily_at: Annotated[str, AfterValidator(lambda value: raise_problem(value, time_of_day.on_the_hour_problem))] = (
        defaults.BACKUP_AT
    )


class State(Strict):
    """Where Terraform keeps state. Nothing set: a local file (works with no account).

    AWS: an S3 `bucket` (and optionally `key`, `region`). Azure: a blob
    `container` in `storage_account` of `resource_group` (and optionally `key`).
    """

    bucket: str | None = None
    key: str | None = None
    region: str | None = None
    resource_group: str | None = None
    storage_account: str | None = None
    container: str | None = None

    @model_validator(mode="after")
    def _azure_backend_complete(self) -> State:
        azure = {
            "resource_group": self.resource_group,
            "storage_account": self.storage_account,
            "container": self.container,
        }
        given = [k for k, v in azure.items() if v is not None]
        if given and len(given) != len(azure):
            missing = next(k for k in azure if k not in given)
            raise ValueError(
                f"{missing}: is required with {given[0]} (an Azure state backend needs resource_group, "
                "storage_account and container)"
            )
        return self


class AwsSettings(Strict):
    """AWS-only settings."""

    allowed_account_ids: list[Annotated[str, Field(pattern=r"^\d{12}$")]] = []


SSH_PUBLIC_KEY = re.compile(r"^(ssh-rsa|ssh-ed25519) [A-Za-z0-9+/]+={0,3}( .*)?$")


def _ssh_key_or_file(value: str) -> str:
    if value.startswith("ssh-"):
        if not SSH_PUBLIC_KEY.match(value):
            raise ValueError(
                f"{value[:24]}… is not an OpenSSH public key Azure accepts (give an ssh-rsa or ssh-ed25519 line "
                "from a .pub file, or the path of the .pub file)"
            )
    elif not value.endswith(".pub"):
        raise ValueError(
            f"{shown(value)} is neither a public key nor a .pub file "
            "(give e.g. ~/.ssh/id_ed25519.pub; never a private key)"
        )
    return value


class AzureSettings(Strict):
    """Azure-only settings.

    ssh_public_keys: each entry is an OpenSSH public key line, or the path of
    a .pub file that Terraform reads on the deploying machine at plan time.
    deployer_cidrs: where Terraform runs from; with `encryption: kms` the Key
    Vault's firewall admits these (to create the key) and the VNet only.
    storage_access_cidrs: public ranges the storage account's firewall
    admits besides the VNet, e.g. where `gpulab run` hands jobs over from
    (an office, a self-hosted runner); none by default.
    """

    subscription_id: Annotated[str, Field(pattern=r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")] | None = None
    admin_username: Annotated[str, AfterValidator(lambda value: raise_problem(value, names.admin_username_problem))] = (
        defaults.AZURE_ADMIN_USERNAME
    )
    ssh_public_keys: list[Annotated[str, AfterValidator(_ssh_key_or_file)]] = Field(
        default=[defaults.AZURE_SSH_PUBLIC_KEY_FILE], min_length=1
    )
    storage_account: str | None = None
    storage_replication: Literal[names.AZURE_REPLICATIONS] = "LRS"  # type: ignore[valid-type]
    encryption_at_host: bool = True
    deployer_cidrs: list[Cidr] = []
    storage_access_cidrs: list[
        Annotated[str, AfterValidator(lambda value: raise_problem(value, addresses.public_cidr_problem))]
    ] = Field(default=[], max_length=100)


class Headquarters(Strict):
    """The always-on hub machine: web services behind TLS, persistent data disk.

    SSH (22) is open only from admin_cidrs. HTTPS (443) is open to the world
    only with public_web: true, and HTTP (80, for Let's Encrypt HTTP-01
    renewals) only with acme_http: true; otherwise both follow admin_cidrs.
    """

    name: Slug = "hq"
    machine_type: str = defaults.AZURE_HQ_SIZE
    os_disk_gb: int = Field(
        default=defaults.AZURE_HQ_OS_DISK_GB, ge=limits.AZURE_OS_DISK_GB[0], le=limits.AZURE_OS_DISK_GB[1]
    )
    data_disk_gb: int = Field(
        default=defaults.DATA_DISK_GB, ge=limits.AZURE_DATA_DISK_GB[0], le=limits.AZURE_DATA_DISK_GB[1]
    )
    data_mount: Annotated[str, Field(pattern=r"^/mnt/[A-Za-z0-9_.-]+$")] | None = None
    data_folders: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]] = []
    admin_cidrs: list[Cidr] = []
    public_web: bool = False
    acme_http: bool = False
    domain: Annotated[str, Field(pattern=names.DOMAIN_NAME.pattern)] | None = None
    subdomains: list[Annotated[str, Field(pattern=names.SUBDOMAIN.pattern)]] = list(defaults.HQ_SUBDOMAINS)
    setup_script: str | None = None

    @model_validator(mode="after")
    def _no_open_ssh(self) -> Headquarters:
        _refuse_open_world("admin_cidrs", self.admin_cidrs, "SSH", "list your office or VPN range")
        if self.acme_http and not self.public_web:
            raise ValueError("acme_http: true needs public_web: true (renewals only matter for a public site)")
        return self


# One environment's size: each machine is several resources, and a stack of thousands plans for hours.
MAX_MACHINES = 100
MAX_MACHINE_ENTRIES = 50
MAX_BUCKETS = 50

GCP_PROJECT_ID = r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$"


class GcpSettings(Strict):
    """Google Cloud-only settings.

    admin_cidrs: SSH sources besides Identity-Aware Proxy's range (none by default).
    open_egress: let machines reach any address on any port; by default they
    reach HTTP(S) anywhere, the head node's port, and nothing else.
    """

    project_id: Annotated[str, Field(pattern=GCP_PROJECT_ID)] | None = None
    iap_ssh: bool = True
    admin_cidrs: list[Cidr] = []
    open_egress: bool = False

    @model_validator(mode="after")
    def _no_open_ssh(self) -> GcpSettings:
        _refuse_open_world(
            "admin_cidrs", self.admin_cidrs, "SSH", "list your office or VPN range, or use IAP with iap_ssh: true"
        )
        return self


class Volume(Strict):
    """An OpenStack block volume, attached to one machine copy (`<machine>-<n>`) at the same site."""

    name: Slug
    size_gb: int = Field(ge=limits.OPENSTACK_VOLUME_GB[0], le=limits.OPENSTACK_VOLUME_GB[1])
    attach_to: str
    site: str | None = None


class OpenStackSettings(Strict):
    """OpenStack-only settings (Chameleon Cloud's sites).

    sites: each site the environment uses → its entry in clouds.yaml (the
    provider signs in from clouds.yaml / OS_CLOUD, never a password here).
    ssh_public_key: an OpenSSH public key line or a .pub file, read by
    Terraform at plan time; the key pair every node takes.
    admin_cidrs: SSH sources (none by default: no SSH from outside).
    volumes: block volumes, each attached to a node.
    """

    sites: dict[str, Annotated[str, Field(min_length=1, max_length=64)]] = {}
    ssh_public_key: Annotated[str, AfterValidator(_ssh_key_or_file)] = defaults.OPENSTACK_SSH_PUBLIC_KEY_FILE
    admin_cidrs: list[Cidr] = []
    volumes: list[Volume] = []

    @model_validator(mode="after")
    def _no_open_ssh(self) -> OpenStackSettings:
        _refuse_open_world("admin_cidrs", self.admin_cidrs, "SSH", "list your office or VPN range")
        return self


class Head(Strict):
    """The node the workers connect to, which may run outside the cloud (seed 003: a Mac elsewhere)."""

    address: Cidr
    port: int = Field(ge=limits.PORT[0], le=limits.PORT[1])


class Environment(Strict):
    """One environment file, validated. `name` comes from the file name."""

    name: Slug
    cloud: Literal["aws", "azure", "gcp", "openstack"]
    region: str
    project: Annotated[str, Field(min_length=2, max_length=20), AfterValidator(_slug)]
    owner: str = Field(min_length=1, max_length=256)
    tags: dict[Annotated[str, Field(min_length=1, max_length=128)], Annotated[str, Field(max_length=256)]] = {}
    protect_data: bool = False
    name_suffix: (
        Annotated[str, AfterValidator(lambda value: raise_problem(value, names.name_suffix_problem))] | None
    ) = None
    encryption: Literal["aes256", "kms"] = "aes256"
    aws: AwsSettings = AwsSettings()
    azure: AzureSettings = AzureSettings()
    gcp: GcpSettings = GcpSettings()
    openstack: OpenStackSettings = OpenStackSettings()
    headquarters: Headquarters | None = None
    head: Head | None = None
    network: Network = Network()
    machines: Annotated[list[Machine], Field(max_length=MAX_MACHINE_ENTRIES)] = []
    buckets: Annotated[list[Bucket], Field(max_length=MAX_BUCKETS)] = []
    monitoring: Monitoring = Monitoring()
    backups: Backups = Backups()
    state: State = State()

    @model_validator(mode="after")
    def _machines_in_all(self) -> Environment:
        total = sum(machine.count for machine in self.machines)
        if total > MAX_MACHINES:
            raise ValueError(
                f"machines: {total:,} machines in all (counts added up); one environment holds at most "
                f"{MAX_MACHINES} (split it into several environments)"
            )
        return self

    @property
    def prefix(self) -> str:
        """`<project>-<env>`: the start of every resource name."""
        return f"{self.project}-{self.name}"

    @property
    def backs_up_disks(self) -> bool:
        """Whether data disks get daily snapshots: `backups.enabled`, else `protect_data`."""
        return self.protect_data if self.backups.enabled is None else self.backups.enabled

    @property
    def log_retention_days(self) -> int:
        """The file's log retention, or its cloud's default."""
        return self.monitoring.log_retention_days or defaults.LOG_RETENTION_DAYS[self.cloud]

    @property
    def suffix(self) -> str:
        """What globally unique names end with: `name_suffix`, one derived from the environment for `auto`, or ''.

        `auto` is the first 6 hex digits of a SHA-256 of cloud, project,
        environment and owner: the same every synth, different for a team
        whose project and environment names collide with another's.
        """
        if self.name_suffix == names.AUTO_SUFFIX:
            identity = f"{self.cloud}/{self.project}/{self.name}/{self.owner}"
            return hashlib.sha256(identity.encode()).hexdigest()[:6]
        return self.name_suffix or ""

    def global_name(self, base: str, separator: str = "-") -> str:
        """`base`, then the suffix (after `separator`) when there is one: for names that are unique in the world."""
        return f"{base}{separator}{self.suffix}" if self.suffix else base

    def bucket_name(self, bucket: Bucket | str) -> str:
        """The cloud name of a bucket: `<project>-<env>-<name>`, and `-<suffix>` with a name suffix."""
        short = bucket if isinstance(bucket, str) else bucket.name
        return self.global_name(f"{self.prefix}-{short}")
