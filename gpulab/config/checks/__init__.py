"""Checks that need the cloud catalog: regions, GPU and machine types, names.

The pydantic model checks the shape of a file; these check that what it asks
for exists on its cloud, and that it uses no field its cloud ignores. Each
returns (field path, message) pairs, in file order.
"""

from __future__ import annotations

from gpulab.config.checks.common import check_setup_scripts, openstack_only_fields, suggestion
from gpulab.config.model import Environment


def check_environment(env: Environment) -> list[tuple[str, str]]:
    """Every catalog problem in `env`, in file order, then the problems every cloud checks alike."""
    if env.cloud == "aws":
        from gpulab.config.checks.aws import check_aws

        problems = check_aws(env)
    elif env.cloud == "azure":
        from gpulab.config.checks.azure import check_azure

        problems = check_azure(env)
    elif env.cloud == "gcp":
        from gpulab.config.checks.gcp import check_gcp

        problems = check_gcp(env)
    else:
        from gpulab.config.checks.openstack import check_openstack

        return check_openstack(env) + check_setup_scripts(env)
    return problems + openstack_only_fields(env) + check_setup_scripts(env)


__all__ = ["check_environment", "suggestion"]
