"""Address arithmetic shared by the environment checks and the network constructs."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from gpulab.rules import addresses
from gpulab.rules.tokens import is_unresolved


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


def subnet_layout(
    vpc_cidr: str,
    zones: int,
    public: tuple[str, Sequence[str] | None],
    private: tuple[str, Sequence[str] | None],
    vpc_label: str = "cidr",
) -> tuple[list[str], list[str]]:
    """The public and private subnet blocks: those given, else derived from `vpc_cidr`, checked.

    `public` and `private` are (argument name, blocks or None). Raises
    ValueError naming the argument when a list does not give one block per
    zone, or a block is not a CIDR, lies outside the VPC or overlaps another.
    Blocks that are Terraform tokens, or a VPC block that is one, are taken
    as they are; subnets cannot be derived from a VPC block only a plan knows.
    """
    if public[1] is None or private[1] is None:
        if is_unresolved(vpc_cidr):
            raise ValueError(
                f"{vpc_label}: the block is only known at plan time, so subnets cannot be derived from it "
                f"(give {public[0]} and {private[0]})"
            )
        derived = derive_subnet_cidrs(vpc_cidr, zones)
    else:
        derived = ([], [])
    layout = []
    for (label, given), carved in zip((public, private), derived, strict=True):
        if given is not None and not is_unresolved(given) and len(given) != zones:
            raise ValueError(
                f"{label}: {len(given)} given for {zones} availability zones "
                f"(give one per zone, or leave {label} out to derive them)"
            )
        layout.append((label, list(given) if given is not None else carved, given is not None))
    if not is_unresolved(vpc_cidr) and not any(is_unresolved(blocks) for _, blocks, _ in layout):
        problem = addresses.subnets_problem(vpc_cidr, layout, vpc_label)
        if problem:
            raise ValueError(problem)
    return layout[0][1], layout[1][1]
