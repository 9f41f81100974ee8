"""Which machine type an environment's machine entry becomes on its cloud, and what its machines are called."""

from __future__ import annotations

import re

from gpulab.config.catalog import for_cloud
from gpulab.config.model import Environment, Machine


def machine_type_for(machine: Machine, cloud: str = "aws") -> str:
    """The explicit machine type, or the cheapest one on `cloud` carrying the GPUs asked for."""
    if machine.machine_type:
        return machine.machine_type
    assert machine.gpu is not None, "the model requires gpu or machine_type"
    match = for_cloud(cloud).machine_for_gpu(machine.gpu.type, machine.gpu.count)
    assert match is not None, "validated by gpulab.config.checks"
    return match.name


def machine_names(env: Environment, group: str | None, prefix: str = "") -> re.Pattern[str]:
    """The names of group `group`'s machines (`<prefix><project>-<env>-<group>-<n>`), or of every group's: a
    machine of another group, another environment or none (Azure's headquarters) never matches."""
    groups = [group] if group else [m.name for m in env.machines]
    return re.compile("|".join(re.escape(f"{prefix}{env.prefix}-{g}-") + r"\d+" for g in groups))
