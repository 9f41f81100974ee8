"""The openstack provider, one per site, and the Terraform state backend for a gpulab stack on OpenStack."""

from __future__ import annotations

import re

from cdktf import LocalBackend, TerraformStack
from cdktf_cdktf_provider_openstack.provider import OpenstackProvider


def site_alias(site: str) -> str:
    """A provider alias for a site name: `KVM@TACC` → `kvm_tacc`."""
    return re.sub(r"[^a-z0-9]+", "_", site.lower()).strip("_")


def openstack_provider(stack: TerraformStack, *, site: str, cloud: str) -> OpenstackProvider:
    """The provider of `site`, signed in from the clouds.yaml entry `cloud` (clouds.yaml / OS_CLOUD; no secret
    in the synthesized JSON), aliased after the site so one stack can span sites."""
    alias = site_alias(site)
    return OpenstackProvider(stack, f"openstack-{alias}", alias=alias, cloud=cloud, region=site)


def openstack_backend(stack: TerraformStack, *, local_path: str) -> None:
    """Local state at `local_path` (Chameleon offers no state service Terraform's backends speak)."""
    LocalBackend(stack, path=local_path)
