"""Rules about IPv4 blocks, networks and ports, for the environment model and the network constructs."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from gpulab.errors import cut, shown
from gpulab.rules import limits
from gpulab.rules.values import Rule

VPC_PREFIXES = (16, 24)  # AWS takes /16 to /28; gpulab carves 16 subnets from the block, so /24 is the smallest
GCE_SUBNET_PREFIXES = (8, 29)
MOST_ZONES = 6
# How private subnets reach the internet: no NAT, one shared NAT gateway, or one per zone.
NAT_MODES = ("none", "single", "per_az")


def cidr_problem(value: object) -> str | None:
    """An IPv4 block in canonical form (no host bits set)."""
    if not isinstance(value, str):
        return f"{shown(value)} is not a CIDR (write an IPv4 block such as 10.0.1.0/24)"
    try:
        network = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        return f"{cut(value)} is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)"
    if str(network) != value:
        return f"{value} has host bits set (did you mean {network}?)"
    return None


def _prefix_between(low: int, high: int, where: str) -> Rule:
    """A valid block whose prefix length is from /`low` to /`high`: what `where` takes."""

    def rule(value: object) -> str | None:
        problem = cidr_problem(value)
        if problem:
            return problem
        if not low <= ipaddress.IPv4Network(value).prefixlen <= high:  # type: ignore[arg-type]
            return f"{value} must be between a /{low} and a /{high}"
        return None

    rule.__doc__ = f"A valid block from a /{low} to a /{high}: what {where} takes."
    return rule


vpc_cidr_problem = _prefix_between(*VPC_PREFIXES, "a gpulab VPC or VNet")
# The primary ranges a Compute Engine subnet takes (VPC docs, "Subnets", IPv4 subnet ranges).
gce_subnet_cidr_problem = _prefix_between(*GCE_SUBNET_PREFIXES, "a Compute Engine subnet")


def zones_problem(value: object) -> str | None:
    """A zone count from 1 to MOST_ZONES, or a list of distinct zone names."""
    if isinstance(value, bool) or not isinstance(value, (int, list, tuple)):
        return f"{shown(value)} is neither a zone count nor a list of zone names (e.g. 2, or ['us-east-1a'])"
    count = value if isinstance(value, int) else len(value)
    if not 1 <= count <= MOST_ZONES:
        return f"{count} zones asked for (use 1 to {MOST_ZONES})"
    if not isinstance(value, int):
        if not all(isinstance(zone, str) and zone for zone in value):
            return f"{shown(value)} must list zone names as strings"
        if len(set(value)) != count:
            return "a zone is listed twice (list each zone once)"
    return None


def subnets_problem(
    vpc: str,
    layout: Sequence[tuple[str, Sequence[str], bool]],
    vpc_label: str = "the VPC cidr",
) -> str | None:
    """Every subnet inside `vpc` and none overlapping another, as `label[i]: problem`.

    `layout` holds (label, blocks, given) per kind of subnet; `given` False
    marks blocks derived from `vpc`, which a problem names as derived and
    answers by asking for both lists to be given.
    """
    network = ipaddress.IPv4Network(vpc)
    every_list = " and ".join(kind for kind, _, _ in layout)
    seen: list[tuple[str, bool, ipaddress.IPv4Network]] = []
    for kind, blocks, given in layout:
        for index, text in enumerate(blocks):
            label = f"{kind}[{index}]" if given else f"derived {kind}[{index}]"
            problem = cidr_problem(text)
            if problem:
                return f"{label}: {problem}"
            subnet = ipaddress.IPv4Network(text)
            if not subnet.subnet_of(network):
                return f"{label}: {text} is outside the VPC {vpc} (pick a block inside {vpc_label})"
            for other_label, other_given, other in seen:
                if subnet.overlaps(other):
                    both = given and other_given
                    fix = "give each subnet its own block" if both else f"give both {every_list}"
                    return f"{label if given else kind}: {text} overlaps {other_label} {other} ({fix})"
            seen.append((label, given, subnet))
    return None


def port_problem(value: object) -> str | None:
    low, high = limits.PORT
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{shown(value)} is not a TCP port (use {low} to {high})"
    return None


RFC_1918 = tuple(ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def public_cidr_problem(value: object) -> str | None:
    """An IPv4 block outside RFC 1918 and not the whole internet: Azure Storage's IP rules refuse private ranges
    (terraform-provider-azurerm's ip_rules docs, Azure's storage firewall docs); the VNet is admitted by subnet."""
    problem = cidr_problem(value)
    if problem:
        return problem
    network = ipaddress.IPv4Network(value)
    if network.prefixlen == 0:
        return f"{value} opens the storage account to the whole internet (list your office or VPN range)"
    if any(network.overlaps(block) for block in RFC_1918):
        return f"{value} is a private range, which storage firewalls refuse (the VNet is admitted by its subnets)"
    return None


def storage_ip_rules(cidrs: Sequence[str]) -> list[str]:
    """`cidrs` as Azure Storage IP rules: /0 to /30 blocks as they are, a /32 as its single address and a /31 as
    its two; the service refuses /31 and /32 prefixes (terraform-provider-azurerm #5444, PR #20870)."""
    rules: list[str] = []
    for cidr in cidrs:
        network = ipaddress.IPv4Network(cidr)
        rules += [str(address) for address in network] if network.prefixlen >= 31 else [cidr]
    return list(dict.fromkeys(rules))


def not_everywhere(value: object) -> str | None:
    """Not 0.0.0.0/0: opening to the whole internet must be a named option, never a CIDR in a source list."""
    if value == "0.0.0.0/0":
        return "0.0.0.0/0 would admit the whole internet (list your office or VPN range)"
    return None
