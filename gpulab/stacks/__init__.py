"""One stack per cloud: an Environment in, constructs wired together, outputs out.

`build_stack` imports a cloud's stack module only when an environment of that
cloud is built, so an AWS-only synth never loads the other providers.
"""

from __future__ import annotations

import importlib
import os

from cdktf import TerraformStack
from constructs import Construct

from gpulab.config.model import Environment
from gpulab.speed.switches import IMPORT_ALL_CLOUDS

STACK_MODULES = {
    "aws": ("gpulab.stacks.aws", "AwsPlatformStack"),
    "azure": ("gpulab.stacks.azure", "AzurePlatformStack"),
    "gcp": ("gpulab.stacks.gcp", "GcpPlatformStack"),
    "openstack": ("gpulab.stacks.openstack", "OpenStackPlatformStack"),
}


def import_stack_modules() -> None:
    """Import every cloud's stack module now when GPULAB_IMPORT_ALL_CLOUDS=1; otherwise on first use.

    The switch is the benchmark's measure of what importing a cloud only when it is used saves.
    """
    if os.environ.get(IMPORT_ALL_CLOUDS) == "1":
        for module_name, _ in STACK_MODULES.values():
            importlib.import_module(module_name)


def build_stack(scope: Construct, env: Environment, *, local_state_path: str) -> TerraformStack:
    """The stack for `env`, named after the environment."""
    module_name, class_name = STACK_MODULES[env.cloud]
    stack_class = getattr(importlib.import_module(module_name), class_name)
    return stack_class(scope, env.name, env=env, local_state_path=local_state_path)
