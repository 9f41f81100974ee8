"""Checks every cloud shares: suggestions, unique names, machine types, fields a cloud ignores."""

from __future__ import annotations

import difflib
import os

from pydantic import BaseModel

from gpulab.config.catalog import CloudCatalog
from gpulab.config.model import Environment, Machine
from gpulab.rules.boot_scripts import setup_script_problem


def suggestion(value: str, choices: list[str] | set[str] | frozenset[str]) -> str:
    """`did you mean 'x'?` when a choice is close to `value`, else the choices.

    Close means similar enough (a ratio of 0.6, or 0.8 for names of up to
    four characters, where one letter is a large change), the same letters
    swapped (`dve` → `dev`), or a key the value starts with (`nat_gateway` →
    `nat`). Ties go to the choice sharing the longest prefix.
    """
    cutoff = 0.8 if len(value) <= 4 else 0.6

    def score(choice: str) -> tuple[float, int]:
        ratio = difflib.SequenceMatcher(None, value, choice).ratio()
        prefix = len(os.path.commonprefix([value, choice]))
        return ratio, prefix

    close = [
        c
        for c in choices
        if score(c)[0] >= cutoff or sorted(c) == sorted(value) or (len(c) >= 3 and value.startswith(c))
    ]
    if close:
        best = max(sorted(close), key=score)
        return f"did you mean {best!r}?"
    return "use one of " + ", ".join(sorted(choices))


def check_region(field: str, region: str, catalog: CloudCatalog) -> list[tuple[str, str]]:
    if region in catalog.regions:
        return []
    return [(field, f"unknown {catalog.cloud} region {region!r} ({suggestion(region, catalog.regions)})")]


def unique_names(section: str, names: list[str]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    problems = []
    for index, name in enumerate(names):
        if name in seen:
            problems.append((f"{section}[{index}].name", f"{name!r} is used twice (give each entry its own name)"))
        seen.add(name)
    return problems


def unused_fields(where: str, model: BaseModel, fields: dict[str, str], cloud: str) -> list[tuple[str, str]]:
    """Fields the file sets that `cloud` has no use for; `fields` maps each to what to do instead."""
    prefix = f"{where}." if where else ""
    return [
        (f"{prefix}{field}", f"is not used on {cloud} ({instead})")
        for field, instead in fields.items()
        if field in model.model_fields_set
    ]


def check_machine_type(where: str, machine: Machine, catalog: CloudCatalog) -> list[tuple[str, str]]:
    """The machine type exists on the cloud (and carries the GPUs asked for), or a GPU request can be met."""
    if machine.machine_type is not None:
        return check_size(f"{where}.machine_type", machine.machine_type, catalog, machine)
    assert machine.gpu is not None  # the model requires gpu or machine_type
    gpu_types = catalog.gpu_types()
    if machine.gpu.type not in gpu_types:
        return [
            (
                f"{where}.gpu.type",
                f"unknown GPU type {machine.gpu.type!r} on {catalog.cloud} ({suggestion(machine.gpu.type, gpu_types)})",
            )
        ]
    if catalog.machine_for_gpu(machine.gpu.type, machine.gpu.count) is None:
        counts = ", ".join(map(str, catalog.gpu_counts(machine.gpu.type)))
        return [
            (
                f"{where}.gpu.count",
                f"no {catalog.cloud} machine carries {machine.gpu.count} × {machine.gpu.type} (use {counts})",
            )
        ]
    return []


def check_offered(where: str, machine: Machine, region: str, catalog: CloudCatalog) -> list[tuple[str, str]]:
    """The machine's type is sold in `region`; call once `check_machine_type` found nothing wrong."""
    if region not in catalog.regions:
        return []  # check_region reports it
    if machine.machine_type is not None:
        field, name = f"{where}.machine_type", machine.machine_type
    else:
        assert machine.gpu is not None and catalog.machine_for_gpu(machine.gpu.type, machine.gpu.count)
        field, name = f"{where}.gpu.type", catalog.machine_for_gpu(machine.gpu.type, machine.gpu.count).name
    if catalog.offered(name, region):
        return []
    known = catalog.machine(name)
    carries = f" ({known.gpu_count} × {known.gpu})" if known and known.gpu else ""
    return [
        (
            field,
            f"{name}{carries} is not offered in {region} "
            f"(regions that offer it: {', '.join(catalog.regions_offering(name))})",
        )
    ]


def check_size(field: str, name: str, catalog: CloudCatalog, machine: Machine | None = None) -> list[tuple[str, str]]:
    """A named machine type exists (or says why it is gone), and matches the machine's GPU request."""
    if name in catalog.retired:
        last_price = catalog.retired_prices.get(name)
        price = f" (its last price: ${last_price:.2f}/h on demand, {catalog.prices_source})" if last_price else ""
        return [(field, f"{name}: {catalog.retired[name]}{price}")]
    known = catalog.machine(name)
    if known is None:
        return [(field, f"unknown {catalog.cloud} machine type {name!r} ({suggestion(name, catalog.machine_names())})")]
    if machine and machine.gpu and (known.gpu, known.gpu_count) != (machine.gpu.type, machine.gpu.count):
        return [
            (
                field,
                f"{known.name} carries {known.gpu_count} × {known.gpu or 'no GPU'}, "
                f"not {machine.gpu.count} × {machine.gpu.type} (drop gpu or machine_type)",
            )
        ]
    return []


def check_disk_size(field: str, size: int, limits: tuple[int, int], disk: str) -> list[tuple[str, str]]:
    """A disk size within what the cloud's `disk` holds (gpulab/rules/limits.py, which the constructs apply too)."""
    low, high = limits
    if low <= size <= high:
        return []
    return [(field, f"{size} GB is outside what {disk} holds (use {low} to {high})")]


def check_setup_scripts(env: Environment) -> list[tuple[str, str]]:
    """Every setup_script fits its cloud's boot script cap with gpulab's own lines (gpulab/rules/boot_scripts.py)."""
    scripts = [(f"machines[{index}].setup_script", m.setup_script) for index, m in enumerate(env.machines)]
    if env.headquarters:
        scripts.append(("headquarters.setup_script", env.headquarters.setup_script))
    problems = []
    for field, script in scripts:
        problem = setup_script_problem(env.cloud, script) if script else None
        if problem:
            problems.append((field, problem))
    return problems


def openstack_only_fields(env: Environment) -> list[tuple[str, str]]:
    """The OpenStack-only fields a file on another cloud sets: the openstack section, sites, reservations."""
    cloud = env.cloud.upper() if env.cloud != "azure" else "Azure"
    problems = unused_fields("", env, {"openstack": "remove it"}, cloud)
    for index, machine in enumerate(env.machines):
        instead = {"site": "it is used on openstack only", "reservation": "it is used on openstack only"}
        problems += unused_fields(f"machines[{index}]", machine, instead, cloud)
    for index, bucket in enumerate(env.buckets):
        problems += unused_fields(f"buckets[{index}]", bucket, {"site": "it is used on openstack only"}, cloud)
    return problems
