"""What gpulab knows about each cloud: regions, accelerators and machine types.

The catalog is data, kept in one place so that validation, the stacks and the
docs agree. Each cloud's module holds its regions and machine types with
approximate on-demand prices (their date and source alongside); prices are for
orientation in `gpulab list`, never for billing. GPU quotas default to 0 in
many accounts and regions: a plan never catches that, an apply does.
"""

from __future__ import annotations

from gpulab.config.catalog.types import CloudCatalog, MachineType


def for_cloud(cloud: str) -> CloudCatalog:
    """The catalog of `cloud` ("aws", "azure", "gcp", "openstack": Chameleon), imported on first use."""
    if cloud == "aws":
        from gpulab.config.catalog.aws import AWS

        return AWS
    if cloud == "azure":
        from gpulab.config.catalog.azure import AZURE

        return AZURE
    if cloud == "gcp":
        from gpulab.config.catalog.gcp import GCP

        return GCP
    if cloud == "openstack":
        from gpulab.config.catalog.openstack import CHAMELEON

        return CHAMELEON
    raise KeyError(f"no catalog for cloud {cloud!r}")


__all__ = ["CloudCatalog", "MachineType", "for_cloud"]
