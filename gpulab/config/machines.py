"""Which machine type an environment's machine entry becomes on its cloud."""

from __future__ import annotations

from gpulab.config.catalog import for_cloud
from gpulab.config.model import Machine


def machine_type_for(machine: Machine, cloud: str = "aws") -> str:
    """The explicit machine type, or the cheapest one on `cloud` carrying the GPUs asked for."""
    if machine.machine_type:
        return machine.machine_type
    assert machine.gpu is not None, "the model requires gpu or machine_type"
    match = for_cloud(cloud).machine_for_gpu(machine.gpu.type, machine.gpu.count)
    assert match is not None, "validated by gpulab.config.checks"
    return match.name
