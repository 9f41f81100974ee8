"""Address arithmetic shared by the environment checks and the network constructs."""

from __future__ import annotations

import ipaddress


def derive_subnet_cidrs(vpc_cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Public and private subnet CIDRs carved from the VPC block.

    The VPC is split into 16 equal blocks: public subnets take blocks 0..,
    private subnets blocks 8.. (10.0.0.0/16 → public 10.0.0.0/20, 10.0.16.0/20,
    … and private 10.0.128.0/20, 10.0.144.0/20, …).
    """
    if not 1 <= zones <= 8:
        raise ValueError(f"zones must be between 1 and 8, got {zones}")
    blocks = [str(b) for b in ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=4)]
    return blocks[:zones], blocks[8 : 8 + zones]
