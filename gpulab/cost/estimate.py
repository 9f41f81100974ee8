"""An environment's monthly estimate, line by line, from its synthesized stack and its file.

The stack says what will be built (machines, disks, NAT gateways, addresses,
buckets, keys, zones, alarms); the file says how long machines run
(usage.py) and how big buckets are expected to be (`expected_gb`). Prices
come from the catalog, for the regions where they hold; elsewhere every line
is listed without a figure and the estimate says why. Charges that depend on
use the file cannot know (GB through a NAT gateway, logs ingested) are listed
with their rates, outside the total. An estimate for orientation, never a bill.
"""

from __future__ import annotations

import importlib

from gpulab.config.azure_names import VM_PREFIX
from gpulab.config.catalog import for_cloud
from gpulab.config.model import Environment
from gpulab.cost.lines import DAYS_PER_MONTH, HOURS_PER_MONTH, Estimate
from gpulab.cost.pricing import Pricer
from gpulab.cost.usage import DEFAULT_HOURS_PER_DAY, MachineUsage

_MACHINE_NAME_PREFIX = {"azure": VM_PREFIX}  # what the cloud's machines' names start with before `<project>-<env>-`


def estimate(env: Environment, stack: dict, hours_per_day: float = DEFAULT_HOURS_PER_DAY) -> Estimate:
    """The monthly estimate of `env`, whose synthesized stack (cdk.tf.json as a dict) is `stack`.

    `hours_per_day`: how long machines that stop themselves run each day
    (those whose group gives no `hours_per_day` of its own).
    """
    catalog = for_cloud(env.cloud)
    usage = MachineUsage(env, hours_per_day, _MACHINE_NAME_PREFIX.get(env.cloud, ""))
    pricer = Pricer(catalog, env, usage)
    importlib.import_module(f"gpulab.cost.{env.cloud}").price(stack, pricer)
    return Estimate(
        environment=env.name,
        cloud=env.cloud,
        region=env.region,
        lines=tuple(pricer.lines),
        by_use=tuple(pricer.by_use.values()),
        assumptions=_assumptions(hours_per_day),
        prices=_prices(catalog),
        no_price=catalog.no_price_in(env.region),
    )


def _assumptions(hours_per_day: float) -> tuple[str, ...]:
    return (
        f"a month is {HOURS_PER_MONTH} hours ({DAYS_PER_MONTH:.1f} days); on-demand list prices, before free tiers, "
        "discounts and taxes",
        f"machines that stop themselves run {hours_per_day:g} h/day (--hours-per-day) unless their group gives "
        "hours_per_day; fleets stopped between runs cost only their disks",
        "buckets are priced at their standard class for the expected_gb the file gives",
    )


def _prices(catalog) -> str:
    services = catalog.services
    if services is None:
        return catalog.prices_source
    return f"{services.source} ({services.as_of}); machines: {catalog.prices_source} ({catalog.prices_as_of})"
