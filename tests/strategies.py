"""Hypothesis strategies for environment files, drawn from the model and the catalog.

Each strategy draws the mapping a YAML file would hold: optional fields are
left out or set, numbers come from the model's own bounds with their extremes
favoured, GPU requests, machine types and regions from the cloud's catalog.
Most drawn files are valid; a test that needs a valid one keeps those that
`load_environments` accepts.
"""

from __future__ import annotations

from hypothesis import strategies as st

from gpulab.config.catalog import for_cloud
from gpulab.config.model import Backups, Bucket, Machine, Monitoring

CLOUDS = ("aws", "azure", "gcp", "openstack")
NAMES = st.sampled_from(["trainer", "worker", "gpu-box", "a1", "experiment-long-name-x"])
BUCKET_NAMES = st.sampled_from(["datasets", "models", "results", "logs", "b99"])
TIME_ZONES = {
    "azure": ["UTC", "W. Europe Standard Time", "Pacific Standard Time", "Europe/Berlin"],
    "gcp": ["UTC", "Europe/Berlin", "America/Los_Angeles"],
}


def bounded(model: type, field: str) -> st.SearchStrategy[int]:
    """A whole number within the model field's bounds (`ge`/`gt`/`le`), its extremes drawn often."""
    low, high = 1, None
    for rule in model.model_fields[field].metadata:
        if getattr(rule, "ge", None) is not None:
            low = rule.ge
        if getattr(rule, "gt", None) is not None:
            low = rule.gt + 1
        if getattr(rule, "le", None) is not None:
            high = rule.le
    high = low + 10_000 if high is None else high
    return st.one_of(st.sampled_from([low, high]), st.integers(low, high))


def _optional(**fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional=fields)


def gpu_requests(cloud: str) -> st.SearchStrategy[dict]:
    """`{type, count}` pairs some machine type of the cloud carries."""
    catalog = for_cloud(cloud)
    pairs = sorted({(m.gpu, m.gpu_count) for m in catalog.machine_types if m.gpu})
    return st.sampled_from(pairs).map(lambda pair: {"type": pair[0], "count": pair[1]})


def machines(cloud: str) -> st.SearchStrategy[dict]:
    """One machines: entry with the fields its cloud uses."""
    catalog = for_cloud(cloud)
    cpu_types = sorted(m.name for m in catalog.machine_types if not m.gpu)
    kind = st.one_of(
        st.fixed_dictionaries({"gpu": gpu_requests(cloud)}),
        st.fixed_dictionaries({"machine_type": st.sampled_from(cpu_types)}),
    )
    common = {
        "count": st.sampled_from([0, 1, 2, 5]),
        "root_disk_gb": st.sampled_from([100, 16384]),
        "data_disk_gb": bounded(Machine, "data_disk_gb"),
        "spot": st.booleans(),
        "hours_per_day": st.sampled_from([0, 4.5, 24]),
        "setup_script": st.sampled_from(["echo ready", "#!/bin/bash\nset -e\necho 'quoted $HOME'\n"]),
        "ingress": _optional(
            cidrs=st.lists(st.sampled_from(["203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8"]), unique=True),
            ports=st.lists(st.sampled_from(["ssh", "jupyter", "tensorboard", 1, 65535, 8080]), unique=True),
        ),
    }
    per_cloud = {
        "aws": {"idle_stop_minutes": st.one_of(st.none(), bounded(Machine, "idle_stop_minutes"))},
        "azure": {
            "shutdown_at": st.one_of(st.none(), st.sampled_from(["00:00", "19:00", "23:59"])),
            "shutdown_timezone": st.sampled_from(TIME_ZONES["azure"]),
        },
        "gcp": {
            "stopped_between_runs": st.booleans(),
            "max_run_hours": st.one_of(st.none(), bounded(Machine, "max_run_hours")),
            "shutdown_at": st.one_of(st.none(), st.sampled_from(["00:00", "23:00"])),
            "shutdown_timezone": st.sampled_from(TIME_ZONES["gcp"]),
        },
    }[cloud]
    return st.builds(
        lambda name, what, extra: {"name": name, **what, **extra},
        NAMES,
        kind,
        _optional(**common, **per_cloud),
    )


def buckets(cloud: str) -> st.SearchStrategy[dict]:
    fields = {
        "archive_after_days": st.one_of(st.none(), st.sampled_from([91, 365])),
        "noncurrent_expire_days": bounded(Bucket, "noncurrent_expire_days"),
        "archive_noncurrent_after_days": st.sampled_from([1, 30]),
        "expected_gb": st.sampled_from([0, 12.5, 1_000_000]),
    }
    if cloud != "azure":
        fields["access_logs"] = st.booleans()
        fields["abort_multipart_days"] = bounded(Bucket, "abort_multipart_days")
    if cloud != "aws":
        fields["cool_after_days"] = st.sampled_from([1, 30])
    return st.builds(lambda name, extra: {"name": name, **extra}, BUCKET_NAMES, _optional(**fields))


def monitoring(cloud: str) -> st.SearchStrategy[dict]:
    retention = {"aws": [1, 7, 3653], "azure": [30, 730], "gcp": [1, 3650]}[cloud]
    fields = {
        "alarm_email": st.sampled_from(["ops@example.com", "a.b+alerts@research.example.org"]),
        "log_retention_days": st.sampled_from(retention),
        "cpu_alarm_percent": bounded(Monitoring, "cpu_alarm_percent"),
        "cpu_alarm_periods": bounded(Monitoring, "cpu_alarm_periods"),
    }
    if cloud != "azure":
        fields["idle_percent"] = bounded(Monitoring, "idle_percent")
    if cloud == "aws":
        fields["dashboard"] = st.booleans()
    return _optional(**fields)


def backups() -> st.SearchStrategy[dict]:
    return _optional(
        enabled=st.booleans(),
        retention_days=bounded(Backups, "retention_days"),
        daily_at=st.sampled_from(["00:00", "03:00", "04:00", "20:00"]),
    )


def network(cloud: str) -> st.SearchStrategy[dict]:
    fields = {
        "cidr": st.sampled_from(["10.0.0.0/16", "172.16.0.0/20", "192.168.0.0/24"]),
        "nat": st.sampled_from(["none", "single"] + (["per_az"] if cloud != "gcp" else [])),
        "flow_logs": st.booleans(),
    }
    if cloud == "aws":
        fields["availability_zones"] = st.sampled_from([1, 2, 3])
    if cloud == "azure":
        fields["availability_zones"] = st.sampled_from([1, 2, ["1"], ["1", "2", "3"]])
    return _optional(**fields)


KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGpulabTestKeyOnlyForUnitTests0000000000000 test@gpulab"
RESERVATION = "00000000-0000-4000-8000-000000000002"


def openstack_machines() -> st.SearchStrategy[dict]:
    """A machines: entry on Chameleon: a KVM flavor at KVM@TACC, or a bare-metal node type at its site with a
    lease's reservation."""
    catalog = for_cloud("openstack")
    kinds = [
        {"machine_type": m.name, "site": site, **({"reservation": RESERVATION} if m.name[:2] != "m1" else {})}
        for m in catalog.machine_types
        for site in catalog.regions_offering(m.name)
    ]
    return st.builds(
        lambda name, kind, extra: {"name": name, **kind, **extra},
        NAMES,
        st.sampled_from(kinds),
        _optional(
            count=st.sampled_from([0, 1, 3]),
            setup_script=st.sampled_from(["echo ready", "#!/bin/bash\nset -e\necho 'quoted $HOME'\n"]),
            public_ip=st.just(True),
            subnet=st.just("public"),
        ),
    )


def openstack_files() -> st.SearchStrategy[dict]:
    """The mapping of one environment file on OpenStack (Chameleon), every site signed in."""
    regions = sorted(for_cloud("openstack").regions)
    return st.fixed_dictionaries(
        {
            "cloud": st.just("openstack"),
            "region": st.sampled_from(regions),
            "project": st.sampled_from(["ml", "research", "lab-42"]),
            "owner": st.sampled_from(["ml-team", "x" * 255]),
            "openstack": st.fixed_dictionaries(
                {"sites": st.just({site: f"entry-{index}" for index, site in enumerate(regions)})},
                optional={
                    "ssh_public_key": st.sampled_from([KEY, "~/.ssh/id_ed25519.pub"]),
                    "admin_cidrs": st.lists(st.sampled_from(["203.0.113.0/24", "198.51.100.7/32"]), unique=True),
                },
            ),
        },
        optional={
            "protect_data": st.booleans(),
            "network": _optional(cidr=st.sampled_from(["10.0.0.0/16", "192.168.1.0/24"])),
            "machines": st.lists(openstack_machines(), max_size=3, unique_by=lambda m: m["name"]),
            "buckets": st.lists(
                st.builds(lambda name, site: {"name": name, "site": site}, BUCKET_NAMES, st.sampled_from(regions)),
                max_size=3,
                unique_by=lambda b: b["name"],
            ),
        },
    )


def environment_files(cloud: str) -> st.SearchStrategy[dict]:
    """The mapping of one environment file on `cloud`."""
    if cloud == "openstack":
        return openstack_files()
    catalog = for_cloud(cloud)
    priced = sorted(catalog.services.regions) if catalog.services else []
    required = {
        "cloud": st.just(cloud),
        # half the draws in a region the catalog prices, so that cost estimates are exercised too
        "region": st.one_of(
            st.sampled_from(priced or sorted(catalog.regions)), st.sampled_from(sorted(catalog.regions))
        ),
        "project": st.sampled_from(["ml", "research", "lab-42"]),
        "owner": st.sampled_from(["ml-team", "x" * 256]),
    }
    optional = {
        "protect_data": st.booleans(),
        "name_suffix": st.sampled_from(["a", "x7k2", "zzzzzzzz", "auto"]),
        "encryption": st.sampled_from(["aes256", "kms"]),
        "tags": st.dictionaries(st.sampled_from(["CostCenter", "team"]), st.sampled_from(["", "research"])),
        "network": network(cloud),
        "machines": st.lists(machines(cloud), max_size=3, unique_by=lambda m: m["name"]),
        "buckets": st.lists(buckets(cloud), max_size=3, unique_by=lambda b: b["name"]),
        "monitoring": monitoring(cloud),
        "backups": backups(),
    }
    if cloud == "azure":
        optional["headquarters"] = _optional(
            data_disk_gb=st.sampled_from([4, 32767]),
            admin_cidrs=st.lists(st.sampled_from(["203.0.113.0/24"]), max_size=1),
            data_folders=st.lists(st.sampled_from(["logs", "mlruns"]), unique=True),
        )
    if cloud == "gcp":
        optional["head"] = st.fixed_dictionaries(
            {"address": st.just("203.0.113.10/32"), "port": st.sampled_from([1, 9000, 65535])}
        )
        required["gcp"] = st.fixed_dictionaries(
            {"project_id": st.just("research-000000")}, optional={"open_egress": st.booleans()}
        )
    if cloud == "azure":
        optional["azure"] = _optional(
            deployer_cidrs=st.just(["203.0.113.0/24"]),
            storage_replication=st.sampled_from(["LRS", "ZRS", "RAGRS"]),
            encryption_at_host=st.booleans(),
        )
    return st.fixed_dictionaries(required, optional=optional)
