"""OpenStack (Chameleon) checks: sites and their sign-in entries, what each site offers, bare-metal leases,
volumes and the fields OpenStack has no use for."""

from __future__ import annotations

from gpulab.config.catalog.openstack import BARE_METAL_NODE_TYPES, CHAMELEON
from gpulab.config.checks.common import check_machine_type, check_region, suggestion, unique_names, unused_fields
from gpulab.config.machines import machine_type_for
from gpulab.config.model import Environment

LEASE_COMMAND = (
    "openstack reservation lease create --reservation min=1,max=1,resource_type=physical:host,"
    'resource_properties=\'["=", "$node_type", "{node_type}"]\' --start-date now --end-date <end> <lease name>'
)


def site_of(env: Environment, site: str | None) -> str:
    """The site a machine, bucket or volume names, or the environment's region (its default site)."""
    return site or env.region


def used_sites(env: Environment) -> list[str]:
    """Every site the environment builds at, the default site first."""
    sites = [env.region]
    sites += [site_of(env, m.site) for m in env.machines if m.count]
    sites += [site_of(env, b.site) for b in env.buckets]
    sites += [site_of(env, v.site) for v in env.openstack.volumes]
    return list(dict.fromkeys(sites))


def check_openstack(env: Environment) -> list[tuple[str, str]]:
    """Every OpenStack problem in `env`, in file order."""
    problems = check_region("region", env.region, CHAMELEON)
    problems += unused_fields(
        "",
        env,
        {
            "aws": "remove it; OpenStack settings go under openstack:",
            "azure": "remove it; OpenStack settings go under openstack:",
            "gcp": "remove it; OpenStack settings go under openstack:",
            "headquarters": "it is built on azure only",
            "head": "it is built on gcp only",
            "encryption": "Chameleon offers no key service; volumes and containers use the site's own encryption",
            "backups": "snapshot volumes with the openstack CLI",
        },
        "OpenStack",
    )
    problems += unused_fields(
        "network",
        env.network,
        {
            "availability_zones": "sites have one zone each",
            "nat": "nodes reach out through the site's router",
            "flow_logs": "OpenStack has no flow logs",
        },
        "OpenStack",
    )
    problems += unused_fields(
        "state",
        env.state,
        {
            "bucket": "keep the state file local",
            "key": "keep the state file local",
            "resource_group": "keep the state file local",
            "storage_account": "keep the state file local",
            "container": "keep the state file local",
        },
        "OpenStack",
    )
    problems += unique_names("machines", [m.name for m in env.machines])
    problems += unique_names("buckets", [b.name for b in env.buckets])
    problems += unique_names("openstack.volumes", [v.name for v in env.openstack.volumes])
    for index, machine in enumerate(env.machines):
        where = f"machines[{index}]"
        site = site_of(env, machine.site)
        if site not in CHAMELEON.regions:
            problems.append((f"{where}.site", f"unknown site {site!r} ({suggestion(site, CHAMELEON.regions)})"))
            continue
        found = check_machine_type(where, machine, CHAMELEON)
        problems += found
        if found:
            continue
        node_type = machine_type_for(machine, "openstack")
        field = f"{where}.machine_type" if machine.machine_type else f"{where}.gpu"
        if not CHAMELEON.offered(node_type, site):
            offered = ", ".join(CHAMELEON.regions_offering(node_type))
            problems.append((field, f"{node_type} is not offered at {site} (it is at {offered}; set site:)"))
        elif node_type in BARE_METAL_NODE_TYPES and machine.reservation is None:
            problems.append(
                (
                    f"{where}.reservation",
                    f"{node_type} is bare metal at {site}: reserve nodes with a lease first "
                    f"({LEASE_COMMAND.format(node_type=node_type)}) and give its reservation id here",
                )
            )
        elif node_type not in BARE_METAL_NODE_TYPES and machine.reservation is not None:
            problems.append((f"{where}.reservation", f"is not used for {node_type}, a KVM flavor (remove it)"))
        problems += unused_fields(
            where,
            machine,
            {
                "data_disk_gb": "add a volume under openstack.volumes",
                "spot": "Chameleon has no spot capacity",
                "spot_max_price": "Chameleon has no spot capacity",
                "shutdown_at": "a lease's end ends bare metal; stop KVM nodes with the openstack CLI",
                "shutdown_timezone": "a lease's end ends bare metal",
                "max_run_hours": "a lease's end ends bare metal",
                "stopped_between_runs": "it is built on gcp only",
                "idle_stop_minutes": "a lease's end ends bare metal; stop KVM nodes with the openstack CLI",
            },
            "OpenStack",
        )
    for index, bucket in enumerate(env.buckets):
        site = site_of(env, bucket.site)
        if site not in CHAMELEON.regions:
            problems.append(
                (f"buckets[{index}].site", f"unknown site {site!r} ({suggestion(site, CHAMELEON.regions)})")
            )
        problems += unused_fields(
            f"buckets[{index}]",
            bucket,
            {
                "cool_after_days": "Swift has no storage tiers",
                "archive_after_days": "Swift has no storage tiers",
                "archive_noncurrent_after_days": "Swift has no storage tiers",
                "access_logs": "Swift has no access logs",
            },
            "OpenStack",
        )
    copies = {f"{m.name}-{n}": site_of(env, m.site) for m in env.machines for n in range(m.count)}
    for index, volume in enumerate(env.openstack.volumes):
        where = f"openstack.volumes[{index}]"
        site = site_of(env, volume.site)
        if site not in CHAMELEON.regions:
            problems.append((f"{where}.site", f"unknown site {site!r} ({suggestion(site, CHAMELEON.regions)})"))
        elif volume.attach_to not in copies:
            problems.append(
                (f"{where}.attach_to", f"no machine {volume.attach_to!r} ({suggestion(volume.attach_to, set(copies))})")
            )
        elif copies[volume.attach_to] != site:
            problems.append(
                (
                    f"{where}.site",
                    f"{site}, but {volume.attach_to} runs at {copies[volume.attach_to]} "
                    "(a volume attaches at its own site)",
                )
            )
    for site in used_sites(env):
        if site in CHAMELEON.regions and site not in env.openstack.sites:
            problems.append(
                (
                    "openstack.sites",
                    f"{site} is used but has no clouds.yaml entry (add {site!r}: <the entry's name>; "
                    "download it from the site's dashboard: Identity, Application Credentials)",
                )
            )
    for site in env.openstack.sites:
        if site not in CHAMELEON.regions:
            problems.append((f"openstack.sites.{site}", f"unknown site ({suggestion(site, CHAMELEON.regions)})"))
    return problems
